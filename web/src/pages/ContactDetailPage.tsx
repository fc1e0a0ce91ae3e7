import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { contactQuery, keys } from '../api/queries'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import ContactCard from '../components/contacts/ContactCard'
import EraseDialog from '../components/contacts/EraseDialog'
import { ContactConversations, ContactTimeline } from '../components/contacts/ContactHistory'
import ContactDeals from '../components/pipeline/ContactDeals'
import { errorMessage } from '../util'

/** One contact: its fields (editable in place), conversations, deals and change timeline. */
export default function ContactDetailPage() {
  const { t } = useTranslation()
  const { contactId } = useParams()
  const id = Number(contactId)
  const { user } = useAuth()
  const navigate = useNavigate()
  const qc = useQueryClient()
  const contactQ = useQuery({ ...contactQuery(id), enabled: Number.isInteger(id) && id > 0 })
  const [mergeId, setMergeId] = useState('')
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [erasing, setErasing] = useState(false)
  const admin = user?.role === 'ADMIN'
  const merge = useMutation({
    mutationFn: (otherId: number) =>
      unwrap(
        client.POST('/api/contacts/{contact_id}/merge', {
          params: { path: { contact_id: id } },
          body: { otherId },
        }),
      ),
    onSuccess: (c) => {
      setMergeId('')
      qc.setQueryData(keys.contact(c.id), c)
      void qc.invalidateQueries({ queryKey: ['contacts'] })
    },
  })
  const remove = useMutation({
    mutationFn: () =>
      unwrap(client.DELETE('/api/contacts/{contact_id}', { params: { path: { contact_id: id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.contactLists })
      navigate('/contacts', { replace: true })
    },
  })
  const c = contactQ.data
  return (
    <div className="admin-page" data-testid="contact-page">
      <div className="admin-head">
        <h1>
          <Link to="/contacts" className="muted">
            {t('contacts.title')}
          </Link>{' '}
          › {c ? c.name || c.phone || c.externalId || `#${c.id}` : '…'}
        </h1>
        {admin && c && (
          <div className="admin-head-actions">
            <a
              className="btn btn-ghost"
              data-testid="contact-export"
              href={`/api/contacts/${c.id}/export`}
              download
            >
              {t('contacts.erase.export')}
            </a>
            <button
              type="button"
              className="btn btn-ghost btn-danger-text"
              data-testid="contact-delete"
              onClick={() => setConfirmDelete(true)}
            >
              {t('common.delete')}
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-danger-text"
              data-testid="contact-erase"
              onClick={() => setErasing(true)}
            >
              {t('contacts.erase.button')}
            </button>
          </div>
        )}
      </div>
      <InlineError error={contactQ.error} onRetry={() => void contactQ.refetch()} />
      {c && (
        <div className="contact-detail">
          <div className="card">
            <ContactCard contactId={c.id} />
            {admin && (
              <form
                className="form-row contact-merge"
                onSubmit={(e) => {
                  e.preventDefault()
                  if (Number(mergeId) > 0) merge.mutate(Number(mergeId))
                }}
              >
                <label className="field">
                  <span>{t('contacts.mergeLabel')}</span>
                  <input
                    type="number"
                    min={1}
                    data-testid="contact-merge-id"
                    value={mergeId}
                    onChange={(e) => setMergeId(e.target.value)}
                  />
                </label>
                <button type="submit" className="btn btn-ghost" disabled={merge.isPending}>
                  {t('contacts.merge')}
                </button>
                {merge.error != null && (
                  <span className="form-error" role="alert">
                    {errorMessage(merge.error, t)}
                  </span>
                )}
              </form>
            )}
          </div>
          <div className="card">
            <ContactConversations contactId={c.id} />
            <ContactDeals contact={{ id: c.id, label: c.name ?? c.phone ?? c.externalId ?? `#${c.id}` }} />
            <ContactTimeline contactId={c.id} />
          </div>
        </div>
      )}
      {erasing && c && (
        <EraseDialog
          contactId={c.id}
          onCancel={() => setErasing(false)}
          onErased={() => {
            void qc.invalidateQueries({ queryKey: ['contacts'] })
            void qc.invalidateQueries({ queryKey: keys.conversationLists })
            navigate('/contacts', { replace: true })
          }}
        />
      )}
      {confirmDelete && c && (
        <ConfirmDialog
          title={t('contacts.deleteTitle')}
          message={t('contacts.deleteConfirm', { name: c.name || c.phone || `#${c.id}` })}
          confirmLabel={t('common.delete')}
          busy={remove.isPending}
          error={remove.error != null ? errorMessage(remove.error, t) : null}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
    </div>
  )
}
