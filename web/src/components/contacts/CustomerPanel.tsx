import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { flowRunQuery } from '../../api/queries'
import type { Conversation } from '../../api/types'
import { contactLabel } from '../../util'
import CustomerOrders from '../orders/CustomerOrders'
import ContactDeals from '../pipeline/ContactDeals'
import ContactCard from './ContactCard'
import { ContactConversations } from './ContactHistory'

export const PANEL_STORAGE_KEY = 'helpline.customerPanel'
/** Alt+C toggles the panel (a key the composer does not use). */
export const PANEL_SHORTCUT = { key: 'c', altKey: true }

/** The customer beside the chat: the contact (editable), what the bot collected, their deals
 * and their other conversations. */
export default function CustomerPanel({
  conversation: c,
  onClose,
}: {
  conversation: Conversation
  onClose: () => void
}) {
  const { t } = useTranslation()
  return (
    <aside className="customer-panel" data-testid="customer-panel" aria-label={t('contacts.panel')}>
      <header className="customer-panel-head">
        <h2>{t('contacts.panel')}</h2>
        <Link to={`/contacts/${c.contact.id}`} className="btn btn-link btn-sm" data-testid="open-contact">
          {t('contacts.open')}
        </Link>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          aria-label={t('contacts.closePanel')}
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <div className="customer-panel-body">
        <ContactCard contactId={c.contact.id} />
        <BotCollected conversationId={c.id} />
        <ContactDeals contact={{ id: c.contact.id, label: contactLabel(c) }} />
        <CustomerOrders conversation={c} />
        <ContactConversations contactId={c.contact.id} current={c.id} />
      </div>
    </aside>
  )
}

/** What the bot collected in this conversation (its answers and tags), when it ran. */
function BotCollected({ conversationId }: { conversationId: number }) {
  const { t } = useTranslation()
  const run = useQuery(flowRunQuery(conversationId))
  const data = run.data
  if (!data || (Object.keys(data.data).length === 0 && data.tags.length === 0)) return null
  return (
    <section className="contact-section" data-testid="bot-collected">
      <h3>{t('contacts.botCollected')}</h3>
      <dl className="bot-collected">
        {Object.entries(data.data).map(([key, value]) => (
          <div key={key}>
            <dt className="muted small">{key}</dt>
            <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
      {data.tags.length > 0 && (
        <div className="tag-list">
          {data.tags.map((tag) => (
            <span key={tag} className="tag-chip">
              {tag}
            </span>
          ))}
        </div>
      )}
    </section>
  )
}
