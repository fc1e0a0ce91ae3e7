import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import type { Message, MessageMedia } from '../../api/types'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import { formatSize } from './format'
import { DownloadIcon, MicIcon, MusicIcon } from './icons'
import './media.css'

function downloadUrl(media: MessageMedia): string {
  return `${media.url}${media.url.includes('?') ? '&' : '?'}download=1`
}

function FileIcon({ label }: { label: string }) {
  return (
    <span className="media-doc-icon" aria-hidden="true">
      {label.slice(0, 4).toUpperCase()}
    </span>
  )
}

/** The short type label of a document card: its extension, else its MIME subtype. */
function docLabel(media: MessageMedia): string {
  const ext = media.filename?.match(/\.([a-z0-9]{1,5})$/i)?.[1]
  if (ext) return ext
  const sub = media.mimeType?.split('/')[1]?.split(/[;+.-]/)[0]
  return sub || 'file'
}

function DocumentCard({ media, lang }: { media: MessageMedia; lang: string }) {
  const { t } = useTranslation()
  const name = media.filename || t('media.kind.document')
  const size = formatSize(media.size, lang)
  return (
    <div className="media-doc" data-testid="media-document" data-media-id={media.id}>
      <FileIcon label={docLabel(media)} />
      <div className="media-doc-text">
        <a
          className="media-doc-name"
          href={media.url}
          target="_blank"
          rel="noopener"
          data-testid="media-document-name"
        >
          {name}
        </a>
        <div className="media-doc-sub muted" data-testid="media-document-size">
          {[size, media.mimeType].filter(Boolean).join(' · ')}
        </div>
      </div>
      <a
        className="media-download"
        href={downloadUrl(media)}
        download={media.filename ?? ''}
        data-testid="media-download"
        title={t('media.download')}
        aria-label={t('media.downloadName', { name })}
      >
        <DownloadIcon size={16} />
      </a>
    </div>
  )
}

/** A player whose file this browser cannot decode: the file still downloads. */
function CannotPlay({ media }: { media: MessageMedia }) {
  const { t } = useTranslation()
  return (
    <div className="small muted" data-testid="media-unplayable">
      {t('media.cannotPlay')}{' '}
      <a href={downloadUrl(media)} download={media.filename ?? ''}>
        {t('media.download')}
      </a>
    </div>
  )
}

/** Inbound media still being fetched from the provider, or a fetch that failed. */
function NotReady({
  media,
  onUpdated,
}: {
  media: MessageMedia
  onUpdated?: (m: Message) => void
}) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const kind = t(`media.kind.${media.kind}`, media.kind)

  if (media.status === 'pending') {
    return (
      <div className="media-state" data-testid="media-pending" data-media-id={media.id}>
        <span className="media-spinner" aria-hidden="true" />
        {t('media.downloading', { kind })}
      </div>
    )
  }

  const retry = async () => {
    setBusy(true)
    setError(null)
    try {
      const m = await unwrap(
        client.POST('/api/media/{media_id}/retry', { params: { path: { media_id: media.id } } }),
      )
      onUpdated?.(m)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="media-state media-state-failed" data-testid="media-failed" data-media-id={media.id}>
      <div>
        <strong>{t('media.failed', { kind })}</strong>
        {media.error && <div className="small">{media.error}</div>}
        {error != null && (
          <div className="small media-error-text" role="alert">
            {errorMessage(error, t)}
          </div>
        )}
      </div>
      {onUpdated && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-testid="media-retry"
          disabled={busy}
          onClick={() => void retry()}
        >
          {busy ? t('media.retrying') : t('media.retry')}
        </button>
      )}
    </div>
  )
}

/**
 * A message's file as WhatsApp shows it: image thumbnail (full size in a modal), sticker,
 * audio or voice player, video player, document card. Files come from `media.url`
 * (same origin: the session cookie authorizes them).
 */
export default function MediaView({
  media,
  onUpdated,
}: {
  media: MessageMedia
  /** a retried download answers the updated message; absent: no retry button */
  onUpdated?: (m: Message) => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const [zoom, setZoom] = useState(false)
  const [broken, setBroken] = useState(false)
  const [unplayable, setUnplayable] = useState(false)

  if (media.status !== 'ready') return <NotReady media={media} onUpdated={onUpdated} />
  // A file the browser cannot show (an unusual codec, a removed file) still downloads.
  if (broken) return <DocumentCard media={media} lang={lang} />

  const name = media.filename || t(`media.kind.${media.kind}`, media.kind)
  switch (media.kind) {
    case 'image':
      return (
        <>
          <button
            type="button"
            className="media-thumb"
            data-testid="media-image"
            data-media-id={media.id}
            title={t('media.open')}
            onClick={() => setZoom(true)}
          >
            <img src={media.url} alt={name} loading="lazy" onError={() => setBroken(true)} />
          </button>
          {zoom && (
            <Modal title={name} testId="media-viewer" wide onClose={() => setZoom(false)}>
              <img className="media-full" src={media.url} alt={name} />
              <div className="modal-actions">
                <a className="btn btn-ghost" href={downloadUrl(media)} download={media.filename ?? ''}>
                  {t('media.download')}
                </a>
                <button type="button" className="btn btn-primary" onClick={() => setZoom(false)}>
                  {t('media.close')}
                </button>
              </div>
            </Modal>
          )}
        </>
      )
    case 'sticker':
      return (
        <img
          className="media-sticker"
          data-testid="media-sticker"
          data-media-id={media.id}
          src={media.url}
          alt={t('media.kind.sticker')}
          loading="lazy"
          onError={() => setBroken(true)}
        />
      )
    case 'audio':
      return (
        <div className="media-audio" data-voice={media.voice || undefined}>
          <span className="media-audio-icon" aria-hidden="true">
            {media.voice ? <MicIcon size={16} /> : <MusicIcon size={16} />}
          </span>
          <audio
            controls
            preload="metadata"
            src={media.url}
            data-testid="media-audio"
            data-media-id={media.id}
            data-voice={media.voice || undefined}
            aria-label={media.voice ? t('media.kind.voice') : name}
            onError={() => setUnplayable(true)}
          />
          {unplayable && <CannotPlay media={media} />}
        </div>
      )
    case 'video':
      return (
        <div className="media-video-wrap">
          <video
            className="media-video"
            controls
            preload="metadata"
            src={media.url}
            data-testid="media-video"
            data-media-id={media.id}
            aria-label={name}
            onError={() => setUnplayable(true)}
          />
          {unplayable && <CannotPlay media={media} />}
        </div>
      )
    default:
      return <DocumentCard media={media} lang={lang} />
  }
}
