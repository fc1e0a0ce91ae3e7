import { useEffect } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { TFunction } from 'i18next'
import { dashboardQuery, keys } from '../api/queries'
import type { Dashboard, DashboardAgent, DashboardArea, DashboardChannel } from '../api/types'
import ChannelStateBadge from '../components/channels/ChannelStateBadge'
import InlineError from '../components/InlineError'
import { useNow } from '../hooks'
import { useSocket } from '../socket'
import '../components/channels/channels.css'
import './dashboard.css'

/** "45 s", "3 min", "2 h 5 min". */
function formatDuration(seconds: number, t: TFunction): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return t('dashboard.seconds', { count: s })
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return t('dashboard.minutes', { count: minutes })
  return t('dashboard.hours', { h: Math.floor(minutes / 60), m: minutes % 60 })
}

/**
 * While the page is open its socket subscribes to `dashboard:updated` (CacheSync writes the
 * figures into the query cache); again after every reconnection, which drops the rooms.
 */
function useDashboardSubscription() {
  const { socket, state } = useSocket()
  useEffect(() => {
    if (!socket || state !== 'connected') return
    socket.emit('dashboard:subscribe', {})
    return () => {
      socket.emit('dashboard:unsubscribe', {})
    }
  }, [socket, state])
}

/** The desk's figures now and today, live; each role sees its own cut (see the API). */
export default function DashboardPage() {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const query = useQuery(dashboardQuery)
  useDashboardSubscription()
  // Waiting times keep growing between updates: count on from when the figures came.
  const now = useNow(5_000)
  const elapsed = query.dataUpdatedAt ? Math.max(0, (now - query.dataUpdatedAt) / 1000) : 0
  const d = query.data

  return (
    <div className="admin-page dash" data-testid="dashboard-page">
      <div className="admin-head">
        <h1>{t('dashboard.title')}</h1>
        {d && (
          <span className="muted" data-testid="dashboard-day">
            {t('dashboard.today', { day: d.day, zone: d.timezone })}
          </span>
        )}
      </div>
      <InlineError
        error={query.error}
        onRetry={() => void qc.invalidateQueries({ queryKey: keys.dashboard })}
      />
      {!d ? (
        query.error == null && <div className="muted">{t('common.loading')}</div>
      ) : (
        <>
          <Totals d={d} />
          {d.areas.length > 0 && <AreasTable areas={d.areas} elapsed={elapsed} />}
          {d.agents.length > 0 && <AgentsTable agents={d.agents} />}
          {d.channels.length > 0 && <ChannelsTable channels={d.channels} />}
        </>
      )}
    </div>
  )
}

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div className="card dash-stat">
      <div className="dash-stat-value" data-testid={testId}>
        {value}
      </div>
      <div className="dash-stat-label">{label}</div>
    </div>
  )
}

function Totals({ d }: { d: Dashboard }) {
  const { t } = useTranslation()
  const c = d.conversations
  return (
    <section className="dash-stats" aria-label={t('dashboard.totals')}>
      {c.bot !== null && <Stat label={t('dashboard.bot')} value={c.bot} testId="dash-bot" />}
      <Stat label={t('dashboard.pending')} value={c.pending} testId="dash-pending" />
      <Stat label={t('dashboard.active')} value={c.active} testId="dash-active" />
      <Stat label={t('dashboard.closedToday')} value={c.closedToday} testId="dash-closed" />
      {d.messages && (
        <>
          <Stat label={t('dashboard.messagesIn')} value={d.messages.inbound} testId="dash-in" />
          <Stat label={t('dashboard.messagesOut')} value={d.messages.outbound} testId="dash-out" />
        </>
      )}
    </section>
  )
}

function AreasTable({ areas, elapsed }: { areas: DashboardArea[]; elapsed: number }) {
  const { t } = useTranslation()
  return (
    <section className="card admin-table-card">
      <h2 className="dash-title">{t('dashboard.areas')}</h2>
      <table className="admin-table" data-testid="dash-areas">
        <thead>
          <tr>
            <th>{t('dashboard.area')}</th>
            <th className="num">{t('dashboard.queue')}</th>
            <th>{t('dashboard.oldestWaiting')}</th>
            <th className="num">{t('dashboard.onlineAgents')}</th>
          </tr>
        </thead>
        <tbody>
          {areas.map((a) => (
            <tr key={a.id} data-testid={`dash-area-${a.id}`}>
              <td className="cell-strong">{a.name}</td>
              <td className="num">{a.queue}</td>
              <td>
                {a.oldestWaitingSeconds === null
                  ? '—'
                  : formatDuration(a.oldestWaitingSeconds + elapsed, t)}
              </td>
              <td className="num">
                {a.onlineAgents} / {a.agents}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function LoadBar({ active, capacity }: { active: number; capacity: number | null }) {
  const { t } = useTranslation()
  const share = capacity ? Math.min(1, active / capacity) : 0
  const full = capacity !== null && active >= capacity
  return (
    <div className="dash-load" title={t('dashboard.loadTitle', { active, capacity: capacity ?? '—' })}>
      <div className="dash-load-track">
        <div
          className={`dash-load-fill${full ? ' dash-load-full' : ''}`}
          style={{ width: `${share * 100}%` }}
        />
      </div>
      <span className="dash-load-text">
        {active} / {capacity ?? '—'}
      </span>
    </div>
  )
}

function AgentsTable({ agents }: { agents: DashboardAgent[] }) {
  const { t } = useTranslation()
  return (
    <section className="card admin-table-card">
      <h2 className="dash-title">{t('dashboard.agents')}</h2>
      <table className="admin-table" data-testid="dash-agents">
        <thead>
          <tr>
            <th>{t('dashboard.agent')}</th>
            <th>{t('dashboard.load')}</th>
            <th className="num">{t('dashboard.closedToday')}</th>
            <th>{t('dashboard.medianFirstResponse')}</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id} data-testid={`dash-agent-${a.id}`}>
              <td className="cell-strong">
                <span
                  className={`dash-dot ${a.online ? 'dash-dot-online' : 'dash-dot-away'}`}
                  title={a.online ? t('dashboard.online') : t('dashboard.away')}
                  aria-label={a.online ? t('dashboard.online') : t('dashboard.away')}
                  role="img"
                />
                {a.name}
              </td>
              <td>
                <LoadBar active={a.active} capacity={a.capacity} />
              </td>
              <td className="num">{a.closedToday}</td>
              <td>
                {a.medianFirstResponseSeconds === null
                  ? '—'
                  : `${formatDuration(a.medianFirstResponseSeconds, t)} (${a.firstResponses})`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** Messages per number today as plain CSS bars: no chart library for a few bars. */
function ChannelsTable({ channels }: { channels: DashboardChannel[] }) {
  const { t } = useTranslation()
  const most = Math.max(1, ...channels.map((c) => Math.max(c.inbound, c.outbound)))
  return (
    <section className="card admin-table-card">
      <h2 className="dash-title">{t('dashboard.channels')}</h2>
      <table className="admin-table" data-testid="dash-channels">
        <thead>
          <tr>
            <th>{t('dashboard.channel')}</th>
            <th>{t('dashboard.state')}</th>
            <th className="num">{t('dashboard.in')}</th>
            <th className="num">{t('dashboard.out')}</th>
            <th className="dash-bars-head">{t('dashboard.messagesToday')}</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.id} data-testid={`dash-channel-${c.id}`}>
              <td className="cell-strong">
                {c.name}
                {c.phone && <span className="muted dash-phone"> {c.phone}</span>}
              </td>
              <td>
                <ChannelStateBadge status={c.status} />
              </td>
              <td className="num" data-testid={`dash-channel-${c.id}-in`}>
                {c.inbound}
              </td>
              <td className="num">{c.outbound}</td>
              <td className="dash-bars" aria-hidden="true">
                <div className="dash-bar dash-bar-in" style={{ width: `${(c.inbound / most) * 100}%` }} />
                <div
                  className="dash-bar dash-bar-out"
                  style={{ width: `${(c.outbound / most) * 100}%` }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
