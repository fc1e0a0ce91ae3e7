import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { channelHistoryQuery, channelLogQuery } from '../../api/queries'
import { configText, fieldLabel, fieldsOf } from '../../channels'
import type { Channel, ChannelProvider } from '../../api/types'
import { fullDateTime } from '../../util'
import InlineError from '../InlineError'
import ChannelStateBadge from './ChannelStateBadge'

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
  const id = channel.id
  // Both follow the socket through the cache (see cacheSync.tsx).
  const history = useQuery(channelHistoryQuery(id))
  const log = useQuery(channelLogQuery(id))
  const historyError = history.error
  const logError = log.error

  const stored = channel.config ?? {}
  const fields = fieldsOf(provider, stored).filter((f) => f.key in stored)
  const historyItems = history.data ?? null
  const logItems = log.data ?? null

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
        <InlineError error={historyError} onRetry={() => void history.refetch()} />
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
        <InlineError error={logError} onRetry={() => void log.refetch()} />
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
