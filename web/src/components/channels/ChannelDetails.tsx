import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../api'
import { configText, fieldLabel, fieldsOf } from '../../channels'
import type { SessionStatusEvent } from '../../channels'
import { useSocket, useSocketEvent } from '../../socket'
import type { Channel, ChannelHistoryEntry, ChannelLogEntry, ChannelProvider } from '../../types'
import { fullDateTime } from '../../util'
import InlineError from '../InlineError'
import ChannelStateBadge from './ChannelStateBadge'

const HISTORY_LIMIT = 50
const LOG_LIMIT = 100

interface Loaded<T> {
  /** the channel it belongs to (a switch shows "loading", not the other's rows) */
  channelId: number
  items: T[]
}

/** One channel's configuration, state history and log; history and log follow the socket. */
export default function ChannelDetails({
  channel,
  provider,
  onClose,
}: {
  channel: Channel
  provider: ChannelProvider | undefined
  onClose: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? i18n.language
  const { epoch } = useSocket()
  const id = channel.id

  const [history, setHistory] = useState<Loaded<ChannelHistoryEntry> | null>(null)
  const [historyError, setHistoryError] = useState<unknown>(null)
  const [historyCount, setHistoryCount] = useState(0)
  const [log, setLog] = useState<Loaded<ChannelLogEntry> | null>(null)
  const [logError, setLogError] = useState<unknown>(null)
  const [logCount, setLogCount] = useState(0)

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .channelHistory(id, HISTORY_LIMIT, ctrl.signal)
      .then((items) => {
        setHistory({ channelId: id, items })
        setHistoryError(null)
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setHistoryError(err)
      })
    return () => ctrl.abort()
  }, [id, historyCount, epoch])

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .channelLog(id, LOG_LIMIT, ctrl.signal)
      .then((items) => {
        setLog({ channelId: id, items })
        setLogError(null)
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLogError(err)
      })
    return () => ctrl.abort()
  }, [id, logCount, epoch])

  // A state change is one more history row: read it back (the event has no row id).
  useSocketEvent<SessionStatusEvent>('session:status', (e) => {
    if (e.channelId === id) setHistoryCount((n) => n + 1)
  })
  useSocketEvent<{ channelId: number; entry: ChannelLogEntry }>('channel:log', (e) => {
    if (e.channelId !== id || !e.entry) return
    setLog((cur) => {
      if (!cur || cur.channelId !== id || cur.items.some((x) => x.id === e.entry.id)) return cur
      return { channelId: id, items: [e.entry, ...cur.items].slice(0, LOG_LIMIT) }
    })
  })

  const stored = channel.config ?? {}
  const fields = fieldsOf(provider, stored).filter((f) => f.key in stored)
  const historyItems = history?.channelId === id ? history.items : null
  const logItems = log?.channelId === id ? log.items : null

  return (
    <aside className="card ch-details" data-testid="channel-details" data-channel-id={id} aria-label={channel.name}>
      <div className="ch-details-head">
        <h2>{channel.name}</h2>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="channel-details-close" onClick={onClose}>
          {t('channels.close')}
        </button>
      </div>
      <p className="muted small">
        <ChannelStateBadge status={channel.status} detail={channel.statusDetail} />{' '}
        {channel.statusChangedAt && t('channels.since', { when: fullDateTime(channel.statusChangedAt, lang) })}
      </p>

      <section className="ch-section">
        <h3>{t('channels.config')}</h3>
        {fields.length === 0 ? (
          <p className="muted small">{t('channels.configNone')}</p>
        ) : (
          <dl className="ch-config" data-testid="channel-config">
            {fields.map((f) => (
              <div key={f.key} className="ch-config-row">
                <dt>{fieldLabel(f.key, t)}</dt>
                <dd data-testid="channel-config-value" data-key={f.key} data-secret={f.secret}>
                  {configText(stored[f.key]) || <span className="muted">—</span>}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section className="ch-section">
        <h3>{t('channels.history')}</h3>
        <InlineError error={historyError} onRetry={() => setHistoryCount((n) => n + 1)} />
        {historyItems === null ? (
          historyError == null && <p className="muted small">{t('common.loading')}</p>
        ) : historyItems.length === 0 ? (
          <p className="muted small" data-testid="channel-history-empty">
            {t('channels.historyEmpty')}
          </p>
        ) : (
          <ol className="ch-list" data-testid="channel-history">
            {historyItems.map((h) => (
              <li key={h.id} data-testid="channel-history-entry" data-status={h.status}>
                <time dateTime={h.createdAt}>{fullDateTime(h.createdAt, lang)}</time>
                <span className="ch-list-body">
                  <ChannelStateBadge status={h.status} />
                  {h.detail && <span className="ch-list-detail">{h.detail}</span>}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="ch-section">
        <h3>{t('channels.log')}</h3>
        <InlineError error={logError} onRetry={() => setLogCount((n) => n + 1)} />
        {logItems === null ? (
          logError == null && <p className="muted small">{t('common.loading')}</p>
        ) : logItems.length === 0 ? (
          <p className="muted small" data-testid="channel-log-empty">
            {t('channels.logEmpty')}
          </p>
        ) : (
          <ol className="ch-list ch-log" data-testid="channel-log">
            {logItems.map((l) => (
              <li
                key={l.id}
                data-testid="channel-log-entry"
                data-entry-id={l.id}
                data-level={l.level}
                className={`ch-log-${l.level}`}
              >
                <time dateTime={l.createdAt}>{fullDateTime(l.createdAt, lang)}</time>
                <span className="ch-list-body">
                  <span className="ch-log-level">{t(`channels.level.${l.level}`, l.level)}</span>
                  <span className="ch-list-detail">{l.message}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </aside>
  )
}
