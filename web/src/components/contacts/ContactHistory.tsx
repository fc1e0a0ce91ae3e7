import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { contactConversationsQuery, contactEventsQuery } from '../../api/queries'
import { contactLabel, fullDateTime } from '../../util'
import InlineError from '../InlineError'
import StatusChip from '../StatusChip'

/** The contact's conversations the user may open, newest first (`current` is marked). */
export function ContactConversations({
  contactId,
  current,
}: {
  contactId: number
  current?: number
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const q = useQuery(contactConversationsQuery(contactId))
  const items = q.data ?? []
  return (
    <section className="contact-section" aria-label={t('contacts.conversations')}>
      <h3>{t('contacts.conversations')}</h3>
      <InlineError error={q.error} onRetry={() => void q.refetch()} />
      {q.data && items.length === 0 && <div className="muted small">{t('contacts.noConversations')}</div>}
      <ul className="contact-conversations" data-testid="contact-conversations">
        {items.map((c) => (
          <li key={c.id}>
            <Link
              to={`/chat/${c.id}`}
              className={c.id === current ? 'contact-conv-current' : undefined}
              data-testid="contact-conversation"
              data-conversation-id={c.id}
            >
              <StatusChip status={c.status} />
              <span className="contact-conv-when">{fullDateTime(c.createdAt, lang)}</span>
              <span className="muted small">{c.lastMessagePreview ?? contactLabel(c)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  )
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  if (Array.isArray(value)) return value.join(', ') || '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** Who changed what on the contact, newest first. */
export function ContactTimeline({ contactId }: { contactId: number }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const q = useQuery(contactEventsQuery(contactId))
  return (
    <section className="contact-section" aria-label={t('contacts.timeline')}>
      <h3>{t('contacts.timeline')}</h3>
      <InlineError error={q.error} onRetry={() => void q.refetch()} />
      <ol className="contact-timeline" data-testid="contact-timeline">
        {(q.data ?? []).map((e) => (
          <li key={e.id} data-testid="contact-event" data-type={e.type}>
            <div className="small">
              <strong>{t(`contacts.event.${e.type}`, e.type)}</strong>{' '}
              <time className="muted" dateTime={e.createdAt}>
                {fullDateTime(e.createdAt, lang)}
              </time>
            </div>
            <ul className="contact-changes small">
              {Object.entries(e.changes).map(([field, change]) => (
                <li key={field}>
                  <span className="muted">{field}</span>:{' '}
                  {Array.isArray(change) && change.length === 2
                    ? `${show(change[0])} → ${show(change[1])}`
                    : show(change)}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  )
}
