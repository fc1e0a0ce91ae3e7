import { useMemo, useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import {
  channelsQuery,
  keys,
  labelsQuery,
  reportAgentsQuery,
  reportAreasQuery,
  reportDaysQuery,
  reportSummaryQuery,
  usersQuery,
} from '../api/queries'
import type { TFunction } from 'i18next'
import type { ReportDurations, ReportQuery, ReportSummary } from '../api/types'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import InlineError from '../components/InlineError'
import { AgentsChart, DaysChart } from '../components/reports/ReportCharts'
import { AgentsTable, AreasTable, DaysTable } from '../components/reports/ReportTables'
import {
  basisLabel,
  csvUrl,
  formatDuration,
  formatRating,
  formatShare,
  isoDay,
  viewerZone,
} from '../components/reports/format'
import { fullDateTime } from '../util'
import './dashboard.css'
import '../components/reports/reports.css'

type Filter = 'areaId' | 'channelId' | 'agentId' | 'labelId'

/**
 * Figures over a date range (the viewer's days, in the browser's time zone), filtered by
 * area, number, person or label: totals, a chart per day and per person, and the tables,
 * each downloadable as CSV. Admins see every area; supervisors theirs (the server cuts).
 */
export default function ReportsPage() {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const zone = useMemo(() => viewerZone(), [])
  const [from, setFrom] = useState(() => isoDay(zone, 6))
  const [to, setTo] = useState(() => isoDay(zone))
  const [filters, setFilters] = useState<Partial<Record<Filter, number>>>({})
  const q: ReportQuery = useMemo(() => ({ from, to, tz: zone, ...filters }), [from, to, zone, filters])

  const summary = useQuery(reportSummaryQuery(q))
  const days = useQuery(reportDaysQuery(q))
  const agents = useQuery(reportAgentsQuery(q))
  const areas = useQuery(reportAreasQuery(q))
  const error = summary.error ?? days.error ?? agents.error ?? areas.error

  return (
    <div className="admin-page reports" data-testid="reports-page">
      <div className="admin-head">
        <h1>{t('reports.title')}</h1>
        {summary.data && (
          <span className="muted" data-testid="report-generated">
            {t('reports.generated', {
              at: fullDateTime(summary.data.range.generatedAt, i18n.language),
              zone,
            })}
          </span>
        )}
        <a className="btn btn-ghost btn-sm" href={csvUrl('summary', q)} download data-testid="report-summary-csv">
          {t('reports.downloadCsv')}
        </a>
      </div>
      <Filters from={from} to={to} setFrom={setFrom} setTo={setTo} value={filters} onChange={setFilters} />
      <InlineError
        error={error}
        testId="report-error"
        onRetry={() => void qc.invalidateQueries({ queryKey: keys.reports })}
      />
      {summary.data ? <Kpis s={summary.data} /> : error == null && <div className="muted">{t('common.loading')}</div>}
      {days.data && agents.data && (
        <section className="report-charts">
          <div className="card report-chart-card">
            <h2 className="dash-title">{t('reports.perDayChart')}</h2>
            <DaysChart days={days.data.days} />
          </div>
          <div className="card report-chart-card">
            <h2 className="dash-title">{t('reports.perAgentChart')}</h2>
            <AgentsChart agents={agents.data.agents} />
          </div>
        </section>
      )}
      {days.data && <DaysTable days={days.data.days} q={q} />}
      {agents.data && <AgentsTable agents={agents.data.agents} q={q} />}
      {areas.data && <AreasTable areas={areas.data.areas} q={q} />}
    </div>
  )
}

function Filters(props: {
  from: string
  to: string
  setFrom: (v: string) => void
  setTo: (v: string) => void
  value: Partial<Record<Filter, number>>
  onChange: (v: Partial<Record<Filter, number>>) => void
}) {
  const { t } = useTranslation()
  const { user } = useAuth()
  const { areas } = useAreas()
  const channels = useQuery(channelsQuery)
  const users = useQuery(usersQuery)
  const labels = useQuery(labelsQuery)
  // Supervisors choose among their own areas (the server refuses any other).
  const own = user?.role === 'ADMIN' ? null : new Set((user?.areas ?? []).map((a) => a.id))
  const areaOptions = (areas ?? []).filter((a) => own === null || own.has(a.id))
  const set = (key: Filter) => (raw: string) => {
    const next = { ...props.value }
    if (raw) next[key] = Number(raw)
    else delete next[key]
    props.onChange(next)
  }
  const select = (key: Filter, label: string, options: { id: number; name: string }[]) => (
    <label className="field">
      <span>{label}</span>
      <select
        data-testid={`report-filter-${key}`}
        value={props.value[key] ?? ''}
        onChange={(e) => set(key)(e.target.value)}
      >
        <option value="">{t('reports.all')}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  )
  return (
    <div className="card form-row report-filters" data-testid="report-filters">
      <label className="field">
        <span>{t('reports.from')}</span>
        <input type="date" data-testid="report-from" value={props.from} onChange={(e) => props.setFrom(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('reports.to')}</span>
        <input type="date" data-testid="report-to" value={props.to} onChange={(e) => props.setTo(e.target.value)} />
      </label>
      {select('areaId', t('reports.area'), areaOptions)}
      {select('channelId', t('reports.channel'), channels.data ?? [])}
      {select(
        'agentId',
        t('reports.agent'),
        (users.data ?? []).map((u) => ({ id: u.id, name: u.name || u.username })),
      )}
      {select('labelId', t('reports.label'), labels.data ?? [])}
    </div>
  )
}

function Kpi(props: { label: string; value: string | number; note?: string; testId: string }) {
  return (
    <div className="card report-kpi">
      <div className="report-kpi-value" data-testid={props.testId}>
        {props.value}
      </div>
      <div className="report-kpi-label">{props.label}</div>
      {props.note && <div className="report-kpi-note">{props.note}</div>}
    </div>
  )
}

/** "p90 2 h 5 min · business hours" under a median; nothing when nothing was timed. */
function timesNote(d: ReportDurations, t: TFunction): string | undefined {
  if (d.count === 0) return undefined
  return `p90 ${formatDuration(d.p90Seconds, t)} · ${basisLabel(d, t)}`
}

function Kpis({ s }: { s: ReportSummary }) {
  const { t, i18n } = useTranslation()
  const c = s.totals
  return (
    <section className="report-kpis" aria-label={t('reports.totals')}>
      <Kpi label={t('reports.opened')} value={c.opened} testId="kpi-opened" />
      <Kpi label={t('reports.closed')} value={c.closed} testId="kpi-closed" />
      <Kpi label={t('reports.reopened')} value={c.reopened} testId="kpi-reopened" />
      <Kpi label={t('reports.messagesIn')} value={c.messagesIn} testId="kpi-in" />
      <Kpi label={t('reports.messagesOut')} value={c.messagesOut} testId="kpi-out" />
      <Kpi
        label={t('reports.botResolved')}
        value={formatShare(c.botResolvedShare, i18n.language)}
        note={t('reports.ofClosed', { count: c.botResolved })}
        testId="kpi-bot"
      />
      <Kpi
        label={t('reports.firstResponseMedian')}
        value={formatDuration(c.firstResponse.medianSeconds, t)}
        note={timesNote(c.firstResponse, t)}
        testId="kpi-first-response"
      />
      <Kpi
        label={t('reports.resolutionMedian')}
        value={formatDuration(c.resolution.medianSeconds, t)}
        note={timesNote(c.resolution, t)}
        testId="kpi-resolution"
      />
      <Kpi
        label={t('reports.firstResponseBreachesKpi')}
        value={c.firstResponseBreaches}
        note={t('reports.breachesNote')}
        testId="kpi-first-response-breaches"
      />
      <Kpi
        label={t('reports.resolutionBreachesKpi')}
        value={c.resolutionBreaches}
        note={t('reports.breachesNote')}
        testId="kpi-resolution-breaches"
      />
      <Kpi
        label={t('reports.satisfaction')}
        value={formatRating(c.satisfaction, i18n.language)}
        note={
          c.satisfaction === null
            ? t('reports.noSurvey')
            : t('reports.satisfactionNote', { count: c.satisfactionResponses })
        }
        testId="kpi-satisfaction"
      />
    </section>
  )
}
