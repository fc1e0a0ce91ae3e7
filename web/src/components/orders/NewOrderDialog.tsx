import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { productsQuery } from '../../api/catalog'
import type { Product } from '../../api/catalog'
import { createOrder, orderKeys } from '../../api/orders'
import type { OrderDetail } from '../../api/orders'
import { channelsQuery, dealContactSearchQuery } from '../../api/queries'
import { useDebounced } from '../../hooks'
import { formatMoney } from '../../money'
import { errorMessage } from '../../util'
import Modal from '../Modal'

/** Who the order is for and the number it goes out on: a conversation gives both. */
export interface OrderCustomer {
  contactId: number
  channelId: number
  label: string
}

interface Line {
  product: Product
  quantity: string
}

interface Props {
  /** Known when the order is made from a chat; otherwise picked here. */
  customer?: OrderCustomer
  onClose: () => void
  onCreated?: (order: OrderDetail) => void
}

/** A new order: the customer, catalog products and quantities, a note. */
export default function NewOrderDialog({ customer: given, onClose, onCreated }: Props) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const qc = useQueryClient()
  const [customer, setCustomer] = useState<OrderCustomer | null>(given ?? null)
  const [who, setWho] = useState('')
  const [what, setWhat] = useState('')
  const [lines, setLines] = useState<Line[]>([])
  const [note, setNote] = useState('')

  const whoQuery = useDebounced(who.trim(), 250)
  const convs = useQuery({ ...dealContactSearchQuery(whoQuery), enabled: customer === null })
  const channels = useQuery({ ...channelsQuery, enabled: customer === null }).data ?? []
  const channelName = (id: number) => channels.find((ch) => ch.id === id)?.name ?? `#${id}`
  const choices: OrderCustomer[] = []
  for (const c of convs.data?.items ?? []) {
    if (choices.some((x) => x.contactId === c.contact.id && x.channelId === c.channelId)) continue
    const name = c.contact.name ?? c.contact.phone ?? `#${c.contact.id}`
    choices.push({ contactId: c.contact.id, channelId: c.channelId, label: `${name} · ${channelName(c.channelId)}` })
  }
  const whatQuery = useDebounced(what.trim(), 250)
  const products = useQuery(productsQuery({ q: whatQuery || null, active: true, page: 1, pageSize: 10 }))

  const save = useMutation({
    mutationFn: () =>
      createOrder({
        contactId: customer?.contactId ?? 0,
        channelId: customer?.channelId ?? 0,
        lines: lines.map((l) => ({ productId: l.product.id, quantity: Number(l.quantity) })),
        note: note.trim() || null,
      }),
    onSuccess: (order) => {
      void qc.invalidateQueries({ queryKey: orderKeys.all })
      onCreated?.(order)
      onClose()
    },
  })

  const add = (product: Product) =>
    setLines((cur) =>
      cur.some((l) => l.product.id === product.id) ? cur : [...cur, { product, quantity: '1' }],
    )
  const setQuantity = (id: number, quantity: string) =>
    setLines((cur) => cur.map((l) => (l.product.id === id ? { ...l, quantity } : l)))
  const canSave = !save.isPending && customer !== null && lines.length > 0
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (canSave) save.mutate()
  }

  return (
    <Modal title={t('orders.new')} testId="new-order-dialog" wide onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t('orders.customer')}</legend>
          {customer ? (
            <div className="form-row">
              <span data-testid="order-customer-chosen">{customer.label}</span>
              {!given && (
                <button type="button" className="btn btn-link" onClick={() => setCustomer(null)}>
                  {t('orders.change')}
                </button>
              )}
            </div>
          ) : (
            <>
              <input
                className="search"
                data-testid="order-customer-search"
                placeholder={t('orders.searchCustomer')}
                aria-label={t('orders.searchCustomer')}
                value={who}
                onChange={(e) => setWho(e.target.value)}
              />
              <ul className="order-pick-list" data-testid="order-customer-results">
                {choices.map((c) => (
                  <li key={`${c.contactId}-${c.channelId}`}>
                    <button type="button" className="btn btn-link" onClick={() => setCustomer(c)}>
                      {c.label}
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>{t('orders.products')}</legend>
          <input
            className="search"
            data-testid="order-product-search"
            placeholder={t('orders.searchProduct')}
            aria-label={t('orders.searchProduct')}
            value={what}
            onChange={(e) => setWhat(e.target.value)}
          />
          <ul className="order-pick-list" data-testid="order-product-results">
            {(products.data?.items ?? []).map((p) => (
              <li key={p.id}>
                <button type="button" className="btn btn-link" onClick={() => add(p)}>
                  {p.name} ({p.sku}) · {formatMoney(p.price, p.currency, lang)}
                  {p.stock !== null && ` · ${t('orders.inStock', { count: p.stock })}`}
                </button>
              </li>
            ))}
          </ul>
          {lines.length > 0 && (
            <table className="admin-table" data-testid="order-new-lines">
              <tbody>
                {lines.map((l) => (
                  <tr key={l.product.id}>
                    <td>{l.product.name}</td>
                    <td>
                      <input
                        type="number"
                        min={1}
                        step={1}
                        className="order-quantity"
                        aria-label={t('orders.quantityOf', { name: l.product.name })}
                        data-testid="order-line-quantity"
                        value={l.quantity}
                        onChange={(e) => setQuantity(l.product.id, e.target.value)}
                      />
                    </td>
                    <td>{formatMoney(l.product.price, l.product.currency, lang)}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        aria-label={t('orders.removeLine', { name: l.product.name })}
                        onClick={() => setLines((cur) => cur.filter((x) => x.product.id !== l.product.id))}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </fieldset>
        <label className="field">
          <span>{t('orders.note')}</span>
          <textarea
            data-testid="order-note"
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        {save.error && (
          <p className="form-error" role="alert" data-testid="order-error">
            {errorMessage(save.error, t)}
          </p>
        )}
        <div className="form-row">
          <button type="submit" className="btn btn-primary" data-testid="order-create" disabled={!canSave}>
            {save.isPending ? t('common.saving') : t('orders.create')}
          </button>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
