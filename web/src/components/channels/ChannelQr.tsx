import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { svgDataUri } from '../../channels'
import { errorMessage } from '../../util'

interface Props {
  channelId: number
  channelName: string
  /** the QR text the channel has now: a new one means a new picture */
  qr: string | null
  /** the picture of that QR, when the socket already brought it */
  svg: string | null
  onLoaded: (channelId: number, qr: string | null, svg: string | null) => void
}

/**
 * The QR to scan, live: the socket's `session:qr` brings each new one; without it (page
 * opened while waiting, or a QR announced without picture) it is read from the API.
 */
export default function ChannelQr({ channelId, channelName, qr, svg, onLoaded }: Props) {
  const { t } = useTranslation()
  const [error, setError] = useState<{ qr: string | null; error: unknown } | null>(null)

  useEffect(() => {
    if (svg) return
    const ctrl = new AbortController()
    // Not cached: a QR is good for seconds, the socket brings the next one.
    unwrap(
      client.GET('/api/channels/{channel_id}/qr', {
        params: { path: { channel_id: channelId } },
        signal: ctrl.signal,
      }),
    )
      .then((r) => onLoaded(channelId, r.qr ?? qr, r.svg))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError({ qr, error: err })
      })
    return () => ctrl.abort()
  }, [channelId, qr, svg, onLoaded])

  const failed = error !== null && error.qr === qr ? error.error : null
  return (
    <div className="ch-qr" data-testid="channel-qr-box">
      {svg ? (
        <img
          src={svgDataUri(svg)}
          alt={t('channels.qrAlt', { name: channelName })}
          data-testid="channel-qr"
          data-qr={qr ?? ''}
        />
      ) : (
        <div className="ch-qr-missing muted small" role="status">
          {failed != null ? errorMessage(failed, t) : t('channels.qrMissing')}
        </div>
      )}
      <div className="ch-qr-text">
        <strong>{t('channels.qrTitle')}</strong>
        <span className="muted small">{t('channels.qrHelp')}</span>
      </div>
    </div>
  )
}
