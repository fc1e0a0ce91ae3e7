import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { moveOrder, orderKeys, orderQuery } from '../../api/orders'
import type { OrderStatus } from '../../api/orders'
import { useAuth } from '../../auth'
import { formatMoney } from '../../money'
import { errorMessage, fullDateTime } from '../../util'
import InlineError from '../InlineError'
import Modal from '../Modal'

/** An order: its lines and total, the status buttons it allows, and its history. */
export default function OrderDialog({ orderId, onClose }: { orderId: number; onClose: () => void }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const qc = useQueryClient()
  const { user } = useAuth()
  const orderQ = useQuery(orderQuery(orderId))
  const order = orderQ.data
  const move = useMutation({
    mutationFn: (status: OrderStatus) => moveOrder(orderId, status),
    onSuccess: (detail) => {
      qc.setQueryData(orderKeys.detail(orderId), detail)
      void qc.invalidateQueries({ queryKey: orderKeys.lists })
    },
  })
  const remove = useMutation({
    mutationFn: () =>
      unwrap(client.DELETE('/api/orders/{order_id}', { params: { path: { order_id: orderId } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: orderKeys.lists })
      onClose()
    },
  })
  const title = order ? t('orders.orderNumber', { number: order.number }) : t('common.loading')

  return (
    <Modal title={title} testId="order-dialog" wide onClose={onClose}>
      <InlineError error={orderQ.error} onRetry={() => void orderQ.refetch()} />
      {order && (
        <>
          <div className="form-row order-summary">
            <span className={`chip order-status order-status-${order.status}`} data-testid="order-status">
              {t(`orders.status.${order.status}`)}
            </span>
            <span>{order.contact.name ?? order.contact.phone ?? `#${order.contact.id}`}</span>
            <span className="muted small">{fullDateTime(order.createdAt, lang)}</span>
          </div>
          <table className="admin-table" data-testid="order-lines">
            <thead>
              <tr>
                <th>{t('orders.product')}</th>
                <th>{t('orders.quantity')}</th>
                <th>{t('orders.unitPrice')}</th>
                <th>{t('orders.lineTotal')}</th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => (
                <tr key={line.id}>
                  <td>
                    {line.name} <span className="muted small">{line.sku}</span>
                  </td>
                  <td>{line.quantity}</td>
                  <td>{formatMoney(line.unitPrice, order.currency, lang)}</td>
                  <td>{formatMoney(line.lineTotal, order.currency, lang)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={3}>{t('orders.total')}</th>
                <th data-testid="order-total">{formatMoney(order.total, order.currency, lang)}</th>
              </tr>
            </tfoot>
          </table>
          {order.note && <p className="order-note">{order.note}</p>}
          {order.nextStatuses.length > 0 && (
            <div className="form-row" role="group" aria-label={t('orders.changeStatus')}>
              {order.nextStatuses.map((status) => (
                <button
                  key={status}
                  type="button"
                  className={`btn ${status === 'cancelled' ? 'btn-ghost' : 'btn-primary'}`}
                  data-testid={`order-to-${status}`}
                  disabled={move.isPending}
                  onClick={() => move.mutate(status)}
                >
                  {t(`orders.moveTo.${status}`)}
                </button>
              ))}
            </div>
          )}
          {move.error && (
            <p className="form-error" role="alert" data-testid="order-move-error">
              {errorMessage(move.error, t)}
            </p>
          )}
          <h3>{t('orders.history')}</h3>
          <ol className="order-history" data-testid="order-history">
            {order.history.map((h) => (
              <li key={h.id}>
                <span>
                  {h.fromStatus
                    ? t('orders.historyMoved', {
                        from: t(`orders.status.${h.fromStatus}`),
                        to: t(`orders.status.${h.toStatus}`),
                      })
                    : t('orders.historyCreated')}
                </span>{' '}
                <span className="muted small">
                  {h.user?.name ?? '—'} · {fullDateTime(h.at, lang)}
                  {h.messageId !== null && ` · ${t('orders.customerTold')}`}
                  {h.notice && ` · ${h.notice}`}
                </span>
              </li>
            ))}
          </ol>
          {user?.role === 'ADMIN' && (
            <div className="form-row">
              <button
                type="button"
                className="btn btn-danger btn-sm"
                data-testid="order-delete"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(t('orders.confirmDelete', { number: order.number }))) remove.mutate()
                }}
              >
                {t('common.delete')}
              </button>
              {remove.error && <span className="form-error">{errorMessage(remove.error, t)}</span>}
            </div>
          )}
        </>
      )}
    </Modal>
  )
}
