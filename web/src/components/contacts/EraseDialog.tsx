import { useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import InlineError from '../InlineError'
import Modal from '../Modal'

interface Props {
  contactId: number
  onErased: () => void
  onCancel: () => void
}

/** Erasing a customer for good: says what will go, and asks for their number again. */
export default function EraseDialog({ contactId, onErased, onCancel }: Props) {
  const { t } = useTranslation()
  const [typed, setTyped] = useState('')
  const summary = useQuery({
    queryKey: ['contacts', contactId, 'erasure'],
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/contacts/{contact_id}/erasure', {
          params: { path: { contact_id: contactId } },
          signal,
        }),
      ),
    staleTime: 0,
  })
  const erase = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/contacts/{contact_id}/erase', {
          params: { path: { contact_id: contactId } },
          body: { confirm: typed },
        }),
      ),
    onSuccess: onErased,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    erase.mutate()
  }
  const s = summary.data
  return (
    <Modal title={t('contacts.erase.title')} testId="contact-erase-dialog" onClose={onCancel}>
      <InlineError error={summary.error} />
      {s && (
        <form onSubmit={submit}>
          <p>{t('contacts.erase.intro', { name: s.name || s.address })}</p>
          <ul data-testid="contact-erase-counts">
            {Object.entries(s.counts).map(([kind, count]) => (
              <li key={kind}>
                {t(`contacts.erase.count.${kind}`, { count, defaultValue: `${kind}: ${count}` })}
              </li>
            ))}
          </ul>
          <label className="field">
            <span>{t('contacts.erase.typeNumber', { address: s.address })}</span>
            <input
              data-testid="contact-erase-confirm"
              value={typed}
              autoComplete="off"
              onChange={(e) => setTyped(e.target.value)}
            />
          </label>
          <InlineError error={erase.error} testId="contact-erase-error" />
          <div className="modal-actions">
            <button type="button" className="btn btn-ghost" onClick={onCancel}>
              {t('common.cancel')}
            </button>
            <button
              type="submit"
              className="btn btn-danger"
              data-testid="contact-erase-submit"
              disabled={erase.isPending || typed.trim() !== s.address}
            >
              {t('contacts.erase.submit')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  )
}
