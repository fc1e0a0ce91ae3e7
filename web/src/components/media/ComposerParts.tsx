import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { ApiError } from '../../api/client'
import { channelQuery } from '../../api/queries'
import type { Channel, Conversation, Message } from '../../api/types'
import { errorMessage, timeOf } from '../../util'
import { formatSize, isWindowClosed, windowClosed } from './format'
import { quoteText } from './MessageContent'
import { CloseIcon, PaperclipIcon } from './icons'
import './media.css'

/** The paperclip: picks a file to send. */
export function AttachButton({
  disabled,
  onFile,
}: {
  disabled?: boolean
  onFile: (file: File) => void
}) {
  const { t } = useTranslation()
  const input = useRef<HTMLInputElement>(null)
  return (
    <>
      <button
        type="button"
        className="btn btn-ghost btn-sm attach-button"
        data-testid="composer-attach"
        disabled={disabled}
        title={t('media.attach')}
        aria-label={t('media.attach')}
        onClick={() => input.current?.click()}
      >
        <PaperclipIcon />
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="composer-file"
        onChange={(e) => {
          const file = e.target.files?.[0]
          // the same file may be picked again after removing it
          e.target.value = ''
          if (file) onFile(file)
        }}
      />
    </>
  )
}

/** The file about to be sent (the composer's text becomes its caption). */
export function AttachmentPreview({ file, onRemove }: { file: File; onRemove: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const isImage = file.type.startsWith('image/')
  const [preview, setPreview] = useState<{ file: File; url: string } | null>(null)

  // A data URL (not an object URL): nothing to revoke, so StrictMode's re-run is harmless.
  useEffect(() => {
    if (!isImage) return
    const reader = new FileReader()
    reader.onload = () => setPreview({ file, url: String(reader.result ?? '') })
    reader.readAsDataURL(file)
    return () => reader.abort()
  }, [file, isImage])
  const previewUrl = preview?.file === file ? preview.url : null

  return (
    <div className="attachment-preview" data-testid="attachment-preview">
      {previewUrl ? (
        <img src={previewUrl} alt="" className="attachment-thumb" />
      ) : (
        <span className="media-doc-icon" aria-hidden="true">
          {(file.name.match(/\.([a-z0-9]{1,4})$/i)?.[1] ?? 'file').toUpperCase()}
        </span>
      )}
      <div className="attachment-text">
        <div className="attachment-name" data-testid="attachment-name">
          {file.name}
        </div>
        <div className="small muted">
          {formatSize(file.size, lang)} · {t('media.captionHint')}
        </div>
      </div>
      <button
        type="button"
        className="btn btn-link"
        data-testid="attachment-remove"
        onClick={onRemove}
      >
        {t('media.remove')}
      </button>
    </div>
  )
}

/** "Replying to …" above the composer. */
export function ReplyPreview({
  message,
  who,
  onCancel,
}: {
  message: Pick<Message, 'direction' | 'body' | 'type' | 'media'> & { id: number | null }
  /** who wrote it ("You", the customer's name) */
  who: string
  onCancel: () => void
}) {
  const { t } = useTranslation()
  return (
    <div className="reply-preview" data-testid="reply-preview" data-quoted-id={message.id ?? undefined}>
      <div className={`quote quote-${message.direction}`}>
        <span className="quote-who">{t('media.replyingTo', { name: who })}</span>
        <span className="quote-text">{quoteText(message, t)}</span>
      </div>
      <button
        type="button"
        className="btn btn-link"
        data-testid="reply-cancel"
        aria-label={t('media.cancelReply')}
        onClick={onCancel}
      >
        <CloseIcon size={16} />
      </button>
    </div>
  )
}

/** The upload errors an operator can act on, in words; anything else as the server said it. */
export function sendErrorMessage(err: unknown, t: (k: string) => string): string {
  if (err instanceof ApiError) {
    // the server's own words (e.g. the size limit) follow the translated sentence
    const server = typeof err.detail === 'string' ? err.detail : null
    const withDetail = (key: string) => (server ? `${t(key)} (${server})` : t(key))
    if (err.status === 413) return withDetail('media.errors.tooLarge')
    if (err.status === 415) return withDetail('media.errors.type')
    if (isWindowClosed(err)) return t('media.errors.windowClosed')
  }
  return errorMessage(err, t)
}

const MINUTE = 60_000

/**
 * Whether WhatsApp's 24-hour window of the conversation's channel is over (only templates
 * may go out then). Re-evaluated every minute: the window closes while the chat is open.
 */
export function useReplyWindow(conversation: Conversation | undefined): {
  channel: Channel | null
  closed: boolean
} {
  const channelId = conversation?.channelId
  const [now, setNow] = useState(() => Date.now())
  // Without the channel the server's 409 still opens the templates.
  const channel =
    useQuery({ ...channelQuery(channelId ?? 0), enabled: channelId !== undefined }).data ?? null

  const replyWindow = channel?.id === channelId ? channel?.replyWindow : undefined
  useEffect(() => {
    if (!replyWindow) return
    const id = window.setInterval(() => setNow(Date.now()), MINUTE)
    return () => window.clearInterval(id)
  }, [replyWindow])

  const last = conversation?.lastInboundAt ? timeOf(conversation.lastInboundAt) : null
  return {
    channel: channel?.id === channelId ? channel : null,
    closed: windowClosed(replyWindow, last || null, now),
  }
}

/** The composer's notice that only a template may be sent now. */
export function WindowNotice({ onTemplates }: { onTemplates: () => void }) {
  const { t } = useTranslation()
  return (
    <div className="window-notice" role="status" data-testid="window-closed">
      <span>{t('media.window.closed')}</span>
      <button
        type="button"
        className="btn btn-primary btn-sm"
        data-testid="open-templates"
        onClick={onTemplates}
      >
        {t('media.window.useTemplate')}
      </button>
    </div>
  )
}
