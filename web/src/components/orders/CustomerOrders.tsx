import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { mayCreateOrders, ordersQuery } from '../../api/orders'
import type { Conversation } from '../../api/types'
import { useAuth } from '../../auth'
import { formatMoney } from '../../money'
import NewOrderDialog from './NewOrderDialog'
import OrderDialog from './OrderDialog'
import './orders.css'

/** The chat's customer panel: the contact's latest orders, and a new one for this chat. */
export default function CustomerOrders({ conversation: c }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation()
  const { user } = useAuth()
  const [openId, setOpenId] = useState<number | null>(null)
  const [creating, setCreating] = useState(false)
  const orders = useQuery(ordersQuery({ contactId: c.contact.id, page: 1, pageSize: 5 })).data
  const label = c.contact.name ?? c.contact.phone ?? `#${c.contact.id}`
  return (
    <section className="contact-section" data-testid="customer-orders">
      <h3>{t('orders.title')}</h3>
      {orders && orders.items.length === 0 && <p className="muted small">{t('orders.none')}</p>}
      <ul className="customer-orders">
        {orders?.items.map((o) => (
          <li key={o.id}>
            <button type="button" className="btn btn-link" onClick={() => setOpenId(o.id)}>
              #{o.number}
            </button>
            <span className={`chip order-status order-status-${o.status}`}>{t(`orders.status.${o.status}`)}</span>
            <span className="muted small">{formatMoney(o.total, o.currency, i18n.language)}</span>
          </li>
        ))}
      </ul>
      {mayCreateOrders(user?.role) && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-testid="customer-order-new"
          onClick={() => setCreating(true)}
        >
          {t('orders.new')}
        </button>
      )}
      {openId !== null && <OrderDialog orderId={openId} onClose={() => setOpenId(null)} />}
      {creating && (
        <NewOrderDialog
          customer={{ contactId: c.contact.id, channelId: c.channelId, label }}
          onClose={() => setCreating(false)}
          onCreated={(o) => setOpenId(o.id)}
        />
      )}
    </section>
  )
}
