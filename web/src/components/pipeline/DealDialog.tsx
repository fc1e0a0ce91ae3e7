import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { dealContactSearchQuery, dealHistoryQuery, keys, usersQuery } from '../../api/queries'
import { isOverseer } from '../../api/types'
import type { BoardStage, Deal, DealCreate, User } from '../../api/types'
import { useDebounced } from '../../hooks'
import { errorMessage, fullDateTime } from '../../util'
import Modal from '../Modal'

interface Props {
  /** null: a new deal */
  deal: Deal | null
  /** the stages of the deal's pipeline (a deal moves only within its pipeline) */
  stages: BoardStage[]
  me: User
  /** the currency a new deal starts with */
  defaultCurrency: string
  /** the customer a new deal is for, when it is opened from that customer */
  forContact?: ContactChoice
  onClose: () => void
}

export interface ContactChoice {
  id: number
  label: string
}

/** Create or edit a deal: title, customer, value and currency, stage, owner, close date, notes. */
export default function DealDialog({ deal, stages, me, defaultCurrency, forContact, onClose }: Props) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const [title, setTitle] = useState(deal?.title ?? '')
  const [contact, setContact] = useState<ContactChoice | null>(
    deal
      ? { id: deal.contact.id, label: deal.contact.name ?? deal.contact.phone ?? `#${deal.contact.id}` }
      : (forContact ?? null),
  )
  const [search, setSearch] = useState('')
  const [value, setValue] = useState(deal?.value ?? '')
  const [currency, setCurrency] = useState(deal?.currency ?? defaultCurrency)
  const [stageId, setStageId] = useState<number | null>(deal?.stageId ?? stages[0]?.id ?? null)
  const [ownerId, setOwnerId] = useState<number | null>(deal ? (deal.owner?.id ?? null) : me.id)
  const [expectedClose, setExpectedClose] = useState(deal?.expectedClose ?? '')
  const [notes, setNotes] = useState(deal?.notes ?? '')

  const overseer = isOverseer(me.role)
  const users = useQuery({ ...usersQuery, enabled: overseer }).data
  const query = useDebounced(search.trim(), 250)
  const found = useQuery({ ...dealContactSearchQuery(query), enabled: deal === null })
  const choices: ContactChoice[] = []
  for (const c of found.data?.items ?? []) {
    if (choices.some((x) => x.id === c.contact.id)) continue
    choices.push({ id: c.contact.id, label: c.contact.name ? `${c.contact.name} (${c.contact.phone ?? c.contact.externalId ?? ''})` : (c.contact.phone ?? `#${c.contact.id}`) })
  }
  const history = useQuery({ ...dealHistoryQuery(deal?.id ?? 0), enabled: deal !== null }).data

  const save = useMutation({
    mutationFn: async () => {
      const body = {
        title: title.trim(),
        value: value.trim().replace(',', '.') || '0',
        currency: currency.trim().toUpperCase(),
        stageId: stageId ?? 0,
        ownerId,
        expectedClose: expectedClose || null,
        notes: notes.trim() || null,
      }
      if (deal === null) {
        const create: DealCreate = { ...body, contactId: contact?.id ?? 0 }
        return unwrap(client.POST('/api/pipeline/deals', { body: create }))
      }
      return unwrap(
        client.PATCH('/api/pipeline/deals/{deal_id}', { params: { path: { deal_id: deal.id } }, body }),
      )
    },
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: keys.pipeline })
      void qc.invalidateQueries({ queryKey: keys.contactDeals(saved.contact.id) })
      onClose()
    },
  })
  const remove = useMutation({
    mutationFn: (id: number) =>
      unwrap(client.DELETE('/api/pipeline/deals/{deal_id}', { params: { path: { deal_id: id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.pipeline })
      if (contact) void qc.invalidateQueries({ queryKey: keys.contactDeals(contact.id) })
      onClose()
    },
  })

  const stageName = (id: number | null | undefined) =>
    stages.find((s) => s.id === id)?.name ?? (id ? `#${id}` : '—')
  const canSave = !save.isPending && title.trim() !== '' && contact !== null && stageId !== null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (canSave) save.mutate()
  }

  return (
    <Modal
      title={deal ? t('pipeline.editDeal') : t('pipeline.newDeal')}
      testId="deal-dialog"
      wide
      onClose={onClose}
    >
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('pipeline.dealTitle')}</span>
          <input
            data-testid="deal-title"
            value={title}
            required
            maxLength={160}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        {deal === null ? (
          <fieldset className="deal-contact-picker">
            <legend>{t('pipeline.contact')}</legend>
            {contact ? (
              <div className="form-row">
                <span data-testid="deal-contact-chosen">{contact.label}</span>
                <button type="button" className="btn btn-link" onClick={() => setContact(null)}>
                  {t('pipeline.changeContact')}
                </button>
              </div>
            ) : (
              <>
                <input
                  className="search"
                  data-testid="deal-contact-search"
                  placeholder={t('pipeline.searchContact')}
                  aria-label={t('pipeline.searchContact')}
                  value={search}
                  onChange={(e) => setSearch(e.target.value)}
                />
                <ul className="deal-contact-results" data-testid="deal-contact-results">
                  {choices.map((c) => (
                    <li key={c.id}>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        data-testid="deal-contact-option"
                        onClick={() => setContact(c)}
                      >
                        {c.label}
                      </button>
                    </li>
                  ))}
                  {found.isSuccess && choices.length === 0 && (
                    <li className="muted small">{t('pipeline.noContacts')}</li>
                  )}
                </ul>
              </>
            )}
          </fieldset>
        ) : (
          <p className="muted">
            {t('pipeline.contact')}: <strong>{contact?.label}</strong>
          </p>
        )}
        <div className="form-grid">
          <label className="field">
            <span>{t('pipeline.value')}</span>
            <input
              data-testid="deal-value"
              inputMode="decimal"
              pattern="[0-9]{1,12}([.,][0-9]{1,2})?"
              title={t('pipeline.valueHint')}
              value={value}
              placeholder="0.00"
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
          <label className="field">
            <span>{t('pipeline.currency')}</span>
            <input
              data-testid="deal-currency"
              value={currency}
              required
              minLength={3}
              maxLength={3}
              pattern="[A-Za-z]{3}"
              title={t('pipeline.currencyHint')}
              onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            />
          </label>
          <label className="field">
            <span>{t('pipeline.stage')}</span>
            <select
              data-testid="deal-stage"
              value={stageId ?? ''}
              onChange={(e) => setStageId(Number(e.target.value))}
            >
              {stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('pipeline.owner')}</span>
            <select
              data-testid="deal-owner"
              value={ownerId ?? ''}
              onChange={(e) => setOwnerId(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">{t('pipeline.noOwner')}</option>
              {overseer && users
                ? users
                    .filter((u) => u.active || u.id === ownerId)
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.name || u.username}
                      </option>
                    ))
                : [me, ...(deal?.owner && deal.owner.id !== me.id ? [deal.owner] : [])].map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
            </select>
          </label>
          <label className="field">
            <span>{t('pipeline.expectedClose')}</span>
            <input
              type="date"
              data-testid="deal-expected-close"
              value={expectedClose}
              onChange={(e) => setExpectedClose(e.target.value)}
            />
          </label>
        </div>
        <label className="field">
          <span>{t('pipeline.notes')}</span>
          <textarea
            className="field-textarea"
            data-testid="deal-notes"
            rows={3}
            value={notes}
            onChange={(e) => setNotes(e.target.value)}
          />
        </label>
        {history && history.length > 0 && (
          <details className="deal-history" data-testid="deal-history">
            <summary>{t('pipeline.history')}</summary>
            <ol>
              {history.map((h) => (
                <li key={h.id}>
                  {h.fromStageId === null
                    ? t('pipeline.historyCreated', { stage: stageName(h.toStageId) })
                    : t('pipeline.historyMoved', {
                        from: stageName(h.fromStageId),
                        to: stageName(h.toStageId),
                      })}{' '}
                  <span className="muted small">
                    {h.user?.name ?? '—'} · {fullDateTime(h.at, i18n.language)}
                  </span>
                </li>
              ))}
            </ol>
          </details>
        )}
        {(save.error ?? remove.error) != null && (
          <p className="form-error" role="alert" data-testid="deal-error">
            {errorMessage(save.error ?? remove.error, t)}
          </p>
        )}
        <div className="modal-actions">
          {deal !== null && me.role === 'ADMIN' && (
            <button
              type="button"
              className="btn btn-danger-text"
              data-testid="deal-delete"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(t('pipeline.confirmDelete', { title: deal.title })))
                  remove.mutate(deal.id)
              }}
            >
              {t('common.delete')}
            </button>
          )}
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="deal-save" disabled={!canSave}>
            {save.isPending ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
