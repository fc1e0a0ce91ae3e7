import { useTranslation } from 'react-i18next'
import { actionsFor, providerLabel } from '../../channels'
import type { Channel, ChannelAction, ChannelProvider } from '../../api/types'
import { errorMessage } from '../../util'
import ChannelQr from './ChannelQr'
import ChannelStateBadge from './ChannelStateBadge'

export interface Loading {
  percent: number
  message: string | null
}

interface Props {
  channel: Channel
  provider: ChannelProvider | undefined
  canEdit: boolean
  selected: boolean
  areaName: string | null
  qrSvg: string | null
  loading: Loading | null
  /** the last `session:error` of this channel */
  liveError: string | null
  /** the action running now, if any */
  busy: string | null
  error: unknown
  onQrLoaded: (channelId: number, qr: string | null, svg: string | null) => void
  onAction: (channel: Channel, action: ChannelAction) => void
  onEdit: (channel: Channel) => void
  onDelete: (channel: Channel) => void
  onMakeDefault: (channel: Channel) => void
  onToggleDetails: (channel: Channel) => void
  onDismissError: (channelId: number) => void
}

/** One WhatsApp number: who it is, its state (QR, progress, errors) and what can be done. */
export default function ChannelCard(props: Props) {
  const { t } = useTranslation()
  const { channel: c, provider, canEdit, busy } = props
  const actions = canEdit ? actionsFor(c.status, provider) : []
  const percent = props.loading ? Math.max(0, Math.min(100, Math.round(props.loading.percent))) : 0

  return (
    <article
      className={`card ch-card ${props.selected ? 'ch-card-selected' : ''}`}
      data-testid="channel-card"
      data-channel-id={c.id}
      data-channel-name={c.name}
      data-status={c.status}
      data-default={c.isDefault}
      aria-label={c.name}
    >
      <div className="ch-card-head">
        <div className="ch-card-title">
          <span className="ch-name" data-testid="channel-name">
            {c.name}
          </span>
          {c.isDefault && (
            <span className="chip ch-chip-default" data-testid="channel-default" title={t('channels.defaultHint')}>
              {t('channels.default')}
            </span>
          )}
        </div>
        <ChannelStateBadge status={c.status} detail={c.statusDetail} testId="channel-status" />
      </div>

      <dl className="ch-facts">
        <dt>{t('channels.phone')}</dt>
        <dd data-testid="channel-phone">{c.phone || <span className="muted">{t('channels.noPhone')}</span>}</dd>
        <dt>{t('channels.provider')}</dt>
        <dd data-testid="channel-provider" data-provider={c.provider}>
          {providerLabel(c.provider, t, provider?.label)}
        </dd>
        <dt>{t('channels.defaultArea')}</dt>
        <dd>{props.areaName ?? <span className="muted">{t('channels.noArea')}</span>}</dd>
        <dt>{t('channels.knownOnly')}</dt>
        <dd data-testid="channel-mode" data-known-only={c.knownContactsOnly}>
          {c.knownContactsOnly
            ? t('channels.modeKnownOnly', { count: c.droppedToday })
            : t('channels.modeEveryone')}
        </dd>
      </dl>

      {c.statusDetail && (
        <p className={`ch-detail ${c.status === 'error' ? 'ch-detail-error' : 'muted'}`} data-testid="channel-status-detail">
          {c.statusDetail}
        </p>
      )}

      {props.liveError && (
        <div className="inline-error ch-live-error" role="alert" data-testid="channel-live-error">
          <span>{props.liveError}</span>
          <button
            type="button"
            className="btn btn-link"
            aria-label={t('common.dismiss')}
            onClick={() => props.onDismissError(c.id)}
          >
            {t('common.dismiss')}
          </button>
        </div>
      )}

      {props.loading && (percent < 100 || c.status === 'connecting') && (
        <div className="ch-loading" data-testid="channel-loading">
          <div
            className="ch-progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-label={t('channels.loading', { percent })}
          >
            <div className="ch-progress-bar" style={{ width: `${percent}%` }} />
          </div>
          <span className="muted small">
            {props.loading.message ? `${props.loading.message} · ` : ''}
            {percent}%
          </span>
        </div>
      )}

      {c.status === 'qr' && (
        <ChannelQr
          channelId={c.id}
          channelName={c.name}
          qr={c.qr ?? null}
          svg={props.qrSvg}
          onLoaded={props.onQrLoaded}
        />
      )}

      {props.error != null && (
        <p className="form-error ch-error" role="alert" data-testid="channel-error">
          {errorMessage(props.error, t)}
        </p>
      )}

      <div className="ch-actions">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`btn btn-sm ${a === 'start' || a === 'resume' ? 'btn-primary' : 'btn-ghost'} ${
              a === 'logout' ? 'btn-danger-text' : ''
            }`}
            data-testid={`channel-${a}`}
            title={t(`channels.actionHint.${a}`)}
            disabled={busy !== null}
            onClick={() => props.onAction(c, a)}
          >
            {busy === a ? t('channels.working') : t(`channels.action.${a}`)}
          </button>
        ))}
        <span className="ch-actions-spacer" />
        <button
          type="button"
          className={`btn btn-ghost btn-sm ${props.selected ? 'btn-toggled' : ''}`}
          data-testid="channel-details-toggle"
          aria-pressed={props.selected}
          onClick={() => props.onToggleDetails(c)}
        >
          {t('channels.details')}
        </button>
      </div>

      {canEdit && (
        <div className="ch-actions ch-actions-admin">
          <button type="button" className="btn btn-ghost btn-sm" data-testid="channel-edit" onClick={() => props.onEdit(c)}>
            {t('common.edit')}
          </button>
          {!c.isDefault && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="channel-make-default"
              title={t('channels.defaultHint')}
              disabled={busy !== null}
              onClick={() => props.onMakeDefault(c)}
            >
              {busy === 'default' ? t('channels.working') : t('channels.makeDefault')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-ghost btn-sm btn-danger-text"
            data-testid="channel-delete"
            onClick={() => props.onDelete(c)}
          >
            {t('common.delete')}
          </button>
        </div>
      )}
    </article>
  )
}
