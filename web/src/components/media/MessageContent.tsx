import type { TFunction } from 'i18next'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { messageRawQuery } from '../../api/queries'
import { useTranslation } from 'react-i18next'
import type {
  ContactCard,
  LocationPayload,
  Message,
  MessageMedia,
  MessageReaction,
  QuotedMessage,
} from '../../api/types'
import MediaView from './MediaView'
import { captionOf, contactsOf, isFallbackBody, locationOf, mapLinks } from './format'
import { PersonIcon, PinIcon, ReplyIcon } from './icons'
import './media.css'

function LocationCard({ loc }: { loc: LocationPayload }) {
  const { t } = useTranslation()
  const links = mapLinks(loc)
  const coords = `${loc.latitude.toFixed(5)}, ${loc.longitude.toFixed(5)}`
  return (
    <div className="media-location" data-testid="media-location">
      <a
        className="media-location-pin"
        href={links.osm}
        target="_blank"
        rel="noopener noreferrer"
        aria-hidden="true"
        tabIndex={-1}
      >
        <PinIcon size={22} />
      </a>
      <div className="media-location-text">
        <div className="media-location-name">{loc.name || t('media.location')}</div>
        {loc.address && <div className="small">{loc.address}</div>}
        <div className="small muted">{coords}</div>
        <div className="media-location-links">
          <a href={links.osm} target="_blank" rel="noopener noreferrer" data-testid="map-link">
            {t('media.openStreetMap')}
          </a>
          <a href={links.google} target="_blank" rel="noopener noreferrer" data-testid="map-link-google">
            {t('media.googleMaps')}
          </a>
        </div>
      </div>
    </div>
  )
}

function ContactCards({ cards }: { cards: ContactCard[] }) {
  const { t } = useTranslation()
  return (
    <div className="media-contacts">
      {cards.map((c, i) => (
        <div className="media-contact" data-testid="media-contact" key={`${c.name}-${i}`}>
          <span className="media-contact-avatar" aria-hidden="true">
            <PersonIcon size={20} />
          </span>
          <div>
            <div className="media-contact-name" data-testid="media-contact-name">
              {c.name}
            </div>
            {c.phones.length === 0 ? (
              <div className="small muted">{t('media.noPhone')}</div>
            ) : (
              c.phones.map((p) => (
                <a key={p} className="media-contact-phone small" href={`tel:${p.replace(/[^\d+]/g, '')}`}>
                  {p}
                </a>
              ))
            )}
          </div>
        </div>
      ))}
    </div>
  )
}

/** A short text for a quoted message: its body, or what kind of message it is. */
export function quoteText(
  q: Pick<QuotedMessage, 'body' | 'type'> & { media?: MessageMedia | null },
  t: TFunction,
): string {
  const label = q.body.match(/^\[(image|audio|voice|video|document|sticker|contacts)\]\s*/i)
  const body = (label ? q.body.slice(label[0].length) : q.body).trim() || q.media?.filename || ''
  const kind = label?.[1]?.toLowerCase() ?? q.type
  const kindLabel = t(`media.kind.${kind}`, { defaultValue: '' })
  if (body) return kindLabel && kind !== 'text' ? `${kindLabel} · ${body}` : body
  return kindLabel || q.type
}

/** The message a reply points to; a click jumps to it. */
export function QuoteBlock({
  quoted,
  who,
  onJump,
}: {
  quoted: QuotedMessage
  /** who wrote the quoted message ("You", the customer's name) */
  who: string
  onJump?: (id: number) => void
}) {
  const { t } = useTranslation()
  const content = (
    <>
      <span className="quote-who">{who}</span>
      <span className="quote-text">{quoteText(quoted, t)}</span>
    </>
  )
  return onJump ? (
    <button
      type="button"
      className={`quote quote-${quoted.direction}`}
      data-testid="message-quote"
      data-quoted-id={quoted.id}
      title={t('media.jumpToQuote')}
      onClick={() => onJump(quoted.id)}
    >
      {content}
    </button>
  ) : (
    <div className={`quote quote-${quoted.direction}`} data-testid="message-quote" data-quoted-id={quoted.id}>
      {content}
    </div>
  )
}

/** The hover action that makes the next send a reply to this message. */
export function ReplyAction({ onReply }: { onReply: () => void }) {
  const { t } = useTranslation()
  return (
    <button
      type="button"
      className="msg-action"
      data-testid="message-reply"
      title={t('media.reply')}
      aria-label={t('media.reply')}
      onClick={onReply}
    >
      <ReplyIcon size={16} />
    </button>
  )
}

/** Emoji reactions under a bubble (one per side at most). */
export function Reactions({
  list,
  inLabel,
  outLabel,
}: {
  list: MessageReaction[]
  /** who reacted, by side: the customer's name, "You"… */
  inLabel: string
  outLabel: string
}) {
  if (list.length === 0) return null
  return (
    <div className="reactions" data-testid="message-reactions">
      {list.map((r) => (
        <span
          key={r.direction}
          className="reaction"
          data-testid="message-reaction"
          data-direction={r.direction}
          title={r.direction === 'in' ? inLabel : outLabel}
        >
          {r.emoji}
        </span>
      ))}
    </div>
  )
}

/**
 * A message of a kind the desk cannot show yet: said plainly; an admin (`rawId` given) can
 * open what WhatsApp sent, which only admins may read (GET /api/messages/{id}/raw).
 */
function UnsupportedNotice({ rawId }: { rawId?: number }) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  const raw = useQuery({
    ...messageRawQuery(rawId ?? 0),
    enabled: open && rawId !== undefined,
  })
  return (
    <div className="msg-unsupported" data-testid="message-unsupported">
      <div className="msg-body muted">{t('media.unsupported')}</div>
      {rawId !== undefined && (
        <details onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary className="small" data-testid="message-raw-toggle">
            {t('media.showRaw')}
          </summary>
          {raw.isLoading && <div className="small muted">{t('media.rawLoading')}</div>}
          {raw.isError && (
            <div className="small inline-error" role="alert">
              {t('media.rawFailed')}
            </div>
          )}
          {raw.data !== undefined && (
            <pre className="msg-raw small" data-testid="message-raw">
              {JSON.stringify(raw.data.raw, null, 2)}
            </pre>
          )}
        </details>
      )}
    </div>
  )
}

/**
 * What a message shows inside its bubble: its file, location or contact cards, and its
 * text (a media message's caption only: the provider's "[image] name" fallback is not repeated).
 * `rawId`: the message's id when the viewer is an admin (an unsupported message's raw body).
 */
export default function MessageContent({
  message: m,
  onUpdated,
  rawId,
}: {
  message: Pick<Message, 'body' | 'type' | 'payload' | 'media'>
  onUpdated?: (m: Message) => void
  rawId?: number
}) {
  if (m.type === 'unsupported') return <UnsupportedNotice rawId={rawId} />
  const location = locationOf(m.payload)
  const contacts = contactsOf(m.payload)
  let body = m.body
  if (m.media) body = captionOf(m.body, m.media)
  else if ((location || contacts.length > 0) && isFallbackBody(m.body)) body = ''
  return (
    <>
      {m.media && <MediaView media={m.media} onUpdated={onUpdated} />}
      {location && <LocationCard loc={location} />}
      {contacts.length > 0 && <ContactCards cards={contacts} />}
      {body && <div className={`msg-body ${m.media ? 'msg-caption' : ''}`}>{body}</div>}
    </>
  )
}
