import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { mayCreateOrders, ORDER_STATUSES, ordersQuery } from '../api/orders'
import type { OrderStatus } from '../api/orders'
import { useAuth } from '../auth'
import InlineError from '../components/InlineError'
import NewOrderDialog from '../components/orders/NewOrderDialog'
import OrderDialog from '../components/orders/OrderDialog'
import StatusMessagesDialog from '../components/orders/StatusMessagesDialog'
import '../components/orders/orders.css'
import { formatMoney } from '../money'
import { fullDateTime } from '../util'

const PAGE_SIZE = 50

/** Orders of the customers the user may see, newest first; live through `order:updated`. */
export default function OrdersPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const { user } = useAuth()
  const [status, setStatus] = useState<OrderStatus | ''>('')
  const [page, setPage] = useState(1)
  const [openId, setOpenId] = useState<number | null>(null)
  const [creating, setCreating] = useState(false)
  const [messages, setMessages] = useState(false)
  const listQ = useQuery(ordersQuery({ status: status || null, page, pageSize: PAGE_SIZE }))
  const list = listQ.data
  const pages = list ? Math.max(1, Math.ceil(list.total / PAGE_SIZE)) : 1

  return (
    <div className="admin-page" data-testid="orders-page">
      <div className="admin-head">
        <h1>{t('orders.title')}</h1>
        <div className="form-row">
          {user?.role === 'ADMIN' && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="order-messages"
              onClick={() => setMessages(true)}
            >
              {t('orders.messages.title')}
            </button>
          )}
          {mayCreateOrders(user?.role) && (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="order-new"
              onClick={() => setCreating(true)}
            >
              {t('orders.new')}
            </button>
          )}
        </div>
      </div>
      <div className="form-row">
        <select
          data-testid="orders-status-filter"
          aria-label={t('orders.statusFilter')}
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as OrderStatus | '')
            setPage(1)
          }}
        >
          <option value="">{t('orders.allStatuses')}</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`orders.status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="card admin-table-card">
        <InlineError error={listQ.error} onRetry={() => void listQ.refetch()} />
        {!list ? (
          listQ.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : list.items.length === 0 ? (
          <div className="muted pad" data-testid="orders-empty">
            {t('orders.none')}
          </div>
        ) : (
          <table className="admin-table" data-testid="orders-table">
            <thead>
              <tr>
                <th>{t('orders.number')}</th>
                <th>{t('orders.customer')}</th>
                <th>{t('orders.statusLabel')}</th>
                <th>{t('orders.total')}</th>
                <th>{t('orders.created')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((o) => (
                <tr key={o.id} data-testid="order-row" data-order-id={o.id} data-status={o.status}>
                  <td className="cell-strong">
                    <button
                      type="button"
                      className="btn btn-link"
                      data-testid="order-open"
                      onClick={() => setOpenId(o.id)}
                    >
                      #{o.number}
                    </button>
                  </td>
                  <td>{o.contact.name ?? o.contact.phone ?? `#${o.contact.id}`}</td>
                  <td>
                    <span className={`chip order-status order-status-${o.status}`}>
                      {t(`orders.status.${o.status}`)}
                    </span>
                  </td>
                  <td>{formatMoney(o.total, o.currency, lang)}</td>
                  <td className="muted small">{fullDateTime(o.createdAt, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {list && pages > 1 && (
        <div className="form-row">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page <= 1}
            onClick={() => setPage((p) => p - 1)}
          >
            {t('orders.previous')}
          </button>
          <span className="muted">{t('orders.pageOf', { page, pages, total: list.total })}</span>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page >= pages}
            onClick={() => setPage((p) => p + 1)}
          >
            {t('orders.next')}
          </button>
        </div>
      )}
      {openId !== null && <OrderDialog orderId={openId} onClose={() => setOpenId(null)} />}
      {creating && (
        <NewOrderDialog onClose={() => setCreating(false)} onCreated={(o) => setOpenId(o.id)} />
      )}
      {messages && <StatusMessagesDialog onClose={() => setMessages(false)} />}
    </div>
  )
}
