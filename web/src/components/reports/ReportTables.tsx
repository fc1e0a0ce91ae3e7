import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ReportAgent, ReportArea, ReportDay, ReportDurations, ReportQuery } from '../../api/types'
import { basisLabel, csvUrl, formatDay, formatDuration, formatRating, formatShare } from './format'

/** A table's card: its title and a link that downloads the same table as CSV. */
function TableCard(props: { title: string; table: string; q: ReportQuery; children: ReactNode }) {
  const { t } = useTranslation()
  return (
    <section className="card admin-table-card report-table">
      <div className="report-table-head">
        <h2 className="dash-title">{props.title}</h2>
        <a
          className="btn btn-ghost btn-sm"
          href={csvUrl(props.table, props.q)}
          download
          data-testid={`report-${props.table}-csv`}
        >
          {t('reports.downloadCsv')}
        </a>
      </div>
      <div className="report-scroll">{props.children}</div>
    </section>
  )
}

/** Median and 90th percentile in one cell, and what time they counted. */
function Times({ d }: { d: ReportDurations }) {
  const { t } = useTranslation()
  if (d.count === 0) return <>—</>
  return (
    <span title={basisLabel(d, t)}>
      {formatDuration(d.medianSeconds, t)} / {formatDuration(d.p90Seconds, t)}
      {d.basis === 'business' && <span className="muted small"> ({t('reports.basis.short')})</span>}
    </span>
  )
}

/** The mean survey rating and how many answers it counts ("4.5 (2)"); "—" without any. */
function Satisfaction({ mean, count }: { mean: number | null; count: number }) {
  const { t, i18n } = useTranslation()
  if (mean === null) return <>—</>
  return (
    <span title={t('reports.satisfactionNote', { count })} data-testid="report-satisfaction">
      {formatRating(mean, i18n.language)} <span className="muted small">({count})</span>
    </span>
  )
}

/** How many first-response and resolution targets were missed: one cell each. */
function Breaches({ first, resolution }: { first: number; resolution: number }) {
  return (
    <>
      <td className={`num ${first > 0 ? 'report-breaches' : ''}`} data-testid="report-first-response-breaches">
        {first}
      </td>
      <td className={`num ${resolution > 0 ? 'report-breaches' : ''}`} data-testid="report-resolution-breaches">
        {resolution}
      </td>
    </>
  )
}

function BreachHeads() {
  const { t } = useTranslation()
  return (
    <>
      <th className="num" title={t('reports.firstResponseBreachesHint')}>
        {t('reports.firstResponseBreaches')}
      </th>
      <th className="num" title={t('reports.resolutionBreachesHint')}>
        {t('reports.resolutionBreaches')}
      </th>
    </>
  )
}

function TimeHeads() {
  const { t } = useTranslation()
  return (
    <>
      <th>{t('reports.firstResponseMedianP90')}</th>
      <th>{t('reports.resolutionMedianP90')}</th>
    </>
  )
}

export function DaysTable({ days, q }: { days: ReportDay[]; q: ReportQuery }) {
  const { t, i18n } = useTranslation()
  return (
    <TableCard title={t('reports.perDay')} table="days" q={q}>
      <table className="admin-table" data-testid="report-days">
        <thead>
          <tr>
            <th>{t('reports.day')}</th>
            <th className="num">{t('reports.opened')}</th>
            <th className="num">{t('reports.closed')}</th>
            <th className="num">{t('reports.reopened')}</th>
            <th className="num">{t('reports.messagesIn')}</th>
            <th className="num">{t('reports.messagesOut')}</th>
            <th className="num">{t('reports.botResolved')}</th>
            <TimeHeads />
            <BreachHeads />
            <th className="num">{t('reports.satisfaction')}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day} data-testid={`report-day-${d.day}`}>
              <td className="cell-strong">{formatDay(d.day, i18n.language)}</td>
              <td className="num">{d.opened}</td>
              <td className="num">{d.closed}</td>
              <td className="num">{d.reopened}</td>
              <td className="num">{d.messagesIn}</td>
              <td className="num">{d.messagesOut}</td>
              <td className="num">{formatShare(d.botResolvedShare, i18n.language)}</td>
              <td>
                <Times d={d.firstResponse} />
              </td>
              <td>
                <Times d={d.resolution} />
              </td>
              <Breaches first={d.firstResponseBreaches} resolution={d.resolutionBreaches} />
              <td className="num">
                <Satisfaction mean={d.satisfaction} count={d.satisfactionResponses} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableCard>
  )
}

export function AgentsTable({ agents, q }: { agents: ReportAgent[]; q: ReportQuery }) {
  const { t } = useTranslation()
  return (
    <TableCard title={t('reports.perAgent')} table="agents" q={q}>
      {agents.length === 0 ? (
        <div className="muted pad">{t('reports.noAgents')}</div>
      ) : (
        <table className="admin-table" data-testid="report-agents">
          <thead>
            <tr>
              <th>{t('reports.agent')}</th>
              <th className="num">{t('reports.closed')}</th>
              <th className="num">{t('reports.firstResponses')}</th>
              <th className="num">{t('reports.messagesOut')}</th>
              <TimeHeads />
              <BreachHeads />
              <th className="num">{t('reports.satisfaction')}</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => (
              <tr key={a.id} data-testid={`report-agent-${a.id}`}>
                <td className="cell-strong">{a.name}</td>
                <td className="num">{a.closed}</td>
                <td className="num">{a.firstResponse.count}</td>
                <td className="num">{a.messagesOut}</td>
                <td>
                  <Times d={a.firstResponse} />
                </td>
                <td>
                  <Times d={a.resolution} />
                </td>
                <Breaches first={a.firstResponseBreaches} resolution={a.resolutionBreaches} />
                <td className="num">
                  <Satisfaction mean={a.satisfaction} count={a.satisfactionResponses} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </TableCard>
  )
}

export function AreasTable({ areas, q }: { areas: ReportArea[]; q: ReportQuery }) {
  const { t, i18n } = useTranslation()
  return (
    <TableCard title={t('reports.perArea')} table="areas" q={q}>
      <table className="admin-table" data-testid="report-areas">
        <thead>
          <tr>
            <th>{t('reports.area')}</th>
            <th>{t('reports.time')}</th>
            <th className="num">{t('reports.opened')}</th>
            <th className="num">{t('reports.closed')}</th>
            <th className="num">{t('reports.messagesIn')}</th>
            <th className="num">{t('reports.messagesOut')}</th>
            <th className="num">{t('reports.botResolved')}</th>
            <TimeHeads />
            <BreachHeads />
            <th className="num">{t('reports.satisfaction')}</th>
          </tr>
        </thead>
        <tbody>
          {areas.map((a) => (
            <tr key={a.id ?? 'none'} data-testid={`report-area-${a.id ?? 'none'}`}>
              <td className="cell-strong">{a.name ?? t('reports.noArea')}</td>
              <td>{a.workingHours ? t('reports.basis.business') : t('reports.basis.clock')}</td>
              <td className="num">{a.opened}</td>
              <td className="num">{a.closed}</td>
              <td className="num">{a.messagesIn}</td>
              <td className="num">{a.messagesOut}</td>
              <td className="num">{formatShare(a.botResolvedShare, i18n.language)}</td>
              <td>
                <Times d={a.firstResponse} />
              </td>
              <td>
                <Times d={a.resolution} />
              </td>
              <Breaches first={a.firstResponseBreaches} resolution={a.resolutionBreaches} />
              <td className="num">
                <Satisfaction mean={a.satisfaction} count={a.satisfactionResponses} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableCard>
  )
}
