import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { orderKeys, statusMessagesQuery } from '../../api/orders'
import type { StatusMessage } from '../../api/orders'
import { errorMessage } from '../../util'
import InlineError from '../InlineError'
import Modal from '../Modal'

/** Admins: what the customer is told over WhatsApp when an order reaches each status. */
export default function StatusMessagesDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation()
  const messagesQ = useQuery(statusMessagesQuery)
  return (
    <Modal title={t('orders.messages.title')} testId="order-messages-dialog" wide onClose={onClose}>
      <InlineError error={messagesQ.error} onRetry={() => void messagesQ.refetch()} />
      {messagesQ.data ? (
        <MessagesForm initial={messagesQ.data} onClose={onClose} />
      ) : (
        messagesQ.error == null && <div className="muted">{t('common.loading')}</div>
      )}
    </Modal>
  )
}

function MessagesForm({ initial, onClose }: { initial: StatusMessage[]; onClose: () => void }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [rows, setRows] = useState(initial)
  const edit = (status: string, change: Partial<StatusMessage>) =>
    setRows((cur) => cur.map((r) => (r.status === status ? { ...r, ...change } : r)))
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        client.PUT('/api/orders/status-messages', {
          body: rows.map(({ status, enabled, text }) => ({ status, enabled, text })),
        }),
      ),
    onSuccess: (saved) => {
      qc.setQueryData(orderKeys.statusMessages, saved)
      onClose()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate()
  }
  return (
    <form onSubmit={submit}>
      <p className="muted small">{t('orders.messages.help')}</p>
      {rows.map((row) => (
        <fieldset key={row.status} data-testid={`order-message-${row.status}`}>
          <legend>{t(`orders.status.${row.status}`)}</legend>
          <label className="form-row">
            <input
              type="checkbox"
              checked={row.enabled}
              data-testid={`order-message-${row.status}-enabled`}
              onChange={(e) => edit(row.status, { enabled: e.target.checked })}
            />
            <span>{t('orders.messages.send')}</span>
          </label>
          <textarea
            aria-label={t('orders.messages.text', { status: t(`orders.status.${row.status}`) })}
            data-testid={`order-message-${row.status}-text`}
            maxLength={1000}
            required
            value={row.text}
            onChange={(e) => edit(row.status, { text: e.target.value })}
          />
        </fieldset>
      ))}
      {save.error && (
        <p className="form-error" role="alert">
          {errorMessage(save.error, t)}
        </p>
      )}
      <div className="form-row">
        <button type="submit" className="btn btn-primary" data-testid="order-messages-save" disabled={save.isPending}>
          {save.isPending ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
