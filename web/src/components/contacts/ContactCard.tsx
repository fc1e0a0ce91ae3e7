import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { patchConversationContact } from '../../api/cache'
import {
  contactAttributesQuery,
  contactQuery,
  contactStatusesQuery,
  keys,
  usersQuery,
} from '../../api/queries'
import { isOverseer } from '../../api/types'
import type { ContactAttribute, ContactPatch, CustomerContact } from '../../api/types'
import { useAreas } from '../../areas'
import { useAuth } from '../../auth'
import { errorMessage } from '../../util'
import InlineError from '../InlineError'

type TextField = 'name' | 'phone' | 'email' | 'document' | 'company'
const TEXT_FIELDS: TextField[] = ['name', 'phone', 'email', 'document', 'company']

/** Saves one change of a contact; the answer replaces the cached contact. */
export function useContactUpdate(contactId: number) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (patch: ContactPatch) =>
      unwrap(
        client.PATCH('/api/contacts/{contact_id}', {
          params: { path: { contact_id: contactId } },
          body: patch,
        }),
      ),
    onSuccess: (contact) => {
      qc.setQueryData(keys.contact(contact.id), contact)
      patchConversationContact(qc, contact)
      void qc.invalidateQueries({ queryKey: keys.contactEvents(contact.id) })
      void qc.invalidateQueries({ queryKey: keys.contactLists })
    },
  })
}

/**
 * A contact, every field editable in place: a text field saves when it loses focus (or on
 * Enter), selects and tags save at once. Used by the chat's customer panel and the
 * contact's page.
 */
export default function ContactCard({ contactId }: { contactId: number }) {
  const { t } = useTranslation()
  const contactQ = useQuery(contactQuery(contactId))
  const update = useContactUpdate(contactId)
  const contact = contactQ.data
  if (!contact) {
    return (
      <div className="contact-card">
        <InlineError error={contactQ.error} onRetry={() => void contactQ.refetch()} />
        {contactQ.error == null && <div className="muted pad-sm">{t('common.loading')}</div>}
      </div>
    )
  }
  const save = (patch: ContactPatch) => update.mutate(patch)
  return (
    <div className="contact-card" data-testid="contact-card" data-contact-id={contact.id}>
      {update.error != null && (
        <div className="inline-error" role="alert" data-testid="contact-save-error">
          <span>{errorMessage(update.error, t)}</span>
          <button type="button" className="btn btn-link" onClick={() => update.reset()}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      {TEXT_FIELDS.map((field) => (
        <InlineText
          key={`${field}:${contact[field] ?? ''}`}
          field={field}
          label={t(`contacts.field.${field}`)}
          value={contact[field] ?? ''}
          onSave={(value) => save({ [field]: value || null })}
        />
      ))}
      <StatusSelect contact={contact} onSave={save} />
      <OwnerAndArea contact={contact} onSave={save} />
      <TagEditor tags={contact.tags} onSave={(tags) => save({ tags })} />
      <Attributes contact={contact} onSave={save} />
      <InlineText
        key={`notes:${contact.notes ?? ''}`}
        field="notes"
        label={t('contacts.field.notes')}
        value={contact.notes ?? ''}
        multiline
        onSave={(value) => save({ notes: value || null })}
      />
    </div>
  )
}

function InlineText({
  field,
  label,
  value,
  multiline,
  type = 'text',
  onSave,
}: {
  field: string
  label: string
  value: string
  multiline?: boolean
  type?: string
  onSave: (value: string) => void
}) {
  const [draft, setDraft] = useState(value)
  const commit = () => {
    if (draft.trim() !== value) onSave(draft.trim())
  }
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') e.currentTarget.blur()
    if (e.key === 'Escape') setDraft(value)
  }
  return (
    <label className="field contact-field">
      <span>{label}</span>
      {multiline ? (
        <textarea
          data-testid={`contact-${field}`}
          rows={3}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
        />
      ) : (
        <input
          data-testid={`contact-${field}`}
          type={type}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={onKey}
        />
      )}
    </label>
  )
}

function StatusSelect({
  contact,
  onSave,
}: {
  contact: CustomerContact
  onSave: (p: ContactPatch) => void
}) {
  const { t } = useTranslation()
  const statuses = useQuery(contactStatusesQuery).data ?? []
  return (
    <label className="field contact-field">
      <span>{t('contacts.field.status')}</span>
      <select
        data-testid="contact-status"
        value={contact.statusId ?? ''}
        onChange={(e) => onSave({ statusId: e.target.value ? Number(e.target.value) : null })}
      >
        <option value="">{t('contacts.noStatus')}</option>
        {statuses.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function OwnerAndArea({
  contact,
  onSave,
}: {
  contact: CustomerContact
  onSave: (p: ContactPatch) => void
}) {
  const { t } = useTranslation()
  const { user: me } = useAuth()
  const { areas } = useAreas()
  // The user list is for admins and supervisors; others may only take a contact.
  const overseer = isOverseer(me?.role)
  const users = useQuery({ ...usersQuery, enabled: overseer }).data ?? []
  const owners = overseer ? users.filter((u) => u.active) : me ? [me] : []
  const known = owners.some((u) => u.id === contact.ownerId)
  return (
    <>
      <label className="field contact-field">
        <span>{t('contacts.field.owner')}</span>
        <select
          data-testid="contact-owner"
          value={contact.ownerId ?? ''}
          onChange={(e) => onSave({ ownerId: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">{t('contacts.noOwner')}</option>
          {!known && contact.ownerId != null && (
            <option value={contact.ownerId}>{t('contacts.someone')}</option>
          )}
          {owners.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field contact-field">
        <span>{t('contacts.field.preferredArea')}</span>
        <select
          data-testid="contact-area"
          value={contact.preferredAreaId ?? ''}
          onChange={(e) =>
            onSave({ preferredAreaId: e.target.value ? Number(e.target.value) : null })
          }
        >
          <option value="">{t('contacts.noArea')}</option>
          {(areas ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
    </>
  )
}

export function TagEditor({ tags, onSave }: { tags: string[]; onSave: (tags: string[]) => void }) {
  const { t } = useTranslation()
  const [draft, setDraft] = useState('')
  const add = () => {
    const tag = draft.trim()
    setDraft('')
    if (tag && !tags.includes(tag)) onSave([...tags, tag])
  }
  return (
    <div className="field contact-field">
      <span>{t('contacts.field.tags')}</span>
      <div className="tag-list" data-testid="contact-tags">
        {tags.map((tag) => (
          <span key={tag} className="tag-chip" data-testid="contact-tag">
            {tag}
            <button
              type="button"
              className="tag-remove"
              aria-label={t('contacts.removeTag', { tag })}
              onClick={() => onSave(tags.filter((x) => x !== tag))}
            >
              ×
            </button>
          </span>
        ))}
        <input
          className="tag-input"
          data-testid="contact-tag-input"
          placeholder={t('contacts.addTag')}
          aria-label={t('contacts.addTag')}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault()
              add()
            }
          }}
          onBlur={add}
        />
      </div>
    </div>
  )
}

function Attributes({
  contact,
  onSave,
}: {
  contact: CustomerContact
  onSave: (p: ContactPatch) => void
}) {
  const attributes = useQuery(contactAttributesQuery).data ?? []
  return (
    <>
      {attributes.map((a) => (
        <AttributeField
          key={`${a.id}:${String(contact.attributes[a.key] ?? '')}`}
          attribute={a}
          value={contact.attributes[a.key]}
          onSave={(value) => onSave({ attributes: { [a.key]: value } })}
        />
      ))}
    </>
  )
}

function AttributeField({
  attribute: a,
  value,
  onSave,
}: {
  attribute: ContactAttribute
  value: string | number | undefined
  onSave: (value: string | number | null) => void
}) {
  const { t } = useTranslation()
  const current = value === undefined ? '' : String(value)
  if (a.type === 'choice') {
    return (
      <label className="field contact-field">
        <span>{a.label}</span>
        <select
          data-testid={`contact-attr-${a.key}`}
          value={current}
          onChange={(e) => onSave(e.target.value || null)}
        >
          <option value="">{t('contacts.noValue')}</option>
          {a.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
    )
  }
  return (
    <InlineText
      field={`attr-${a.key}`}
      label={a.label}
      value={current}
      type={a.type === 'number' ? 'number' : a.type === 'date' ? 'date' : 'text'}
      onSave={(v) => onSave(v === '' ? null : a.type === 'number' ? Number(v) : v)}
    />
  )
}
