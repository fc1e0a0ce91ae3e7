import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { Link } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { contactAttributesQuery, contactStatusesQuery, keys, labelsQuery } from '../api/queries'
import type { ContactAttribute } from '../api/types'
import InlineError from '../components/InlineError'
import { LabelChip } from '../components/contacts/ConversationLabels'
import { errorMessage } from '../util'

type AttributeType = ContactAttribute['type']
const TYPES: AttributeType[] = ['text', 'number', 'date', 'choice']

/** The admin's lists: conversation labels, contact statuses, custom contact fields. */
export default function ContactSettingsPage() {
  const { t } = useTranslation()
  return (
    <div className="admin-page" data-testid="contact-settings-page">
      <div className="admin-head">
        <h1>
          <Link to="/contacts" className="muted">
            {t('contacts.title')}
          </Link>{' '}
          › {t('contactSettings.title')}
        </h1>
      </div>
      <div className="contact-detail">
        <div className="card">
          <NamedColours kind="labels" />
        </div>
        <div className="card">
          <NamedColours kind="statuses" />
        </div>
        <div className="card">
          <Attributes />
        </div>
      </div>
    </div>
  )
}

/** Labels and statuses: a name and a colour each. */
function NamedColours({ kind }: { kind: 'labels' | 'statuses' }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const labelsQ = useQuery({ ...labelsQuery, enabled: kind === 'labels' })
  const statusesQ = useQuery({ ...contactStatusesQuery, enabled: kind === 'statuses' })
  const listQ = kind === 'labels' ? labelsQ : statusesQ
  const rows: { id: number; name: string; color: string }[] = listQ.data ?? []
  const key = kind === 'labels' ? keys.labels : keys.contactStatuses
  const [name, setName] = useState('')
  const [color, setColor] = useState('#2563eb')
  const done = () => void qc.invalidateQueries({ queryKey: key })
  const add = useMutation({
    mutationFn: () =>
      kind === 'labels'
        ? unwrap(client.POST('/api/labels', { body: { name, color } }))
        : unwrap(client.POST('/api/contact-statuses', { body: { name, color } })),
    onSuccess: () => {
      setName('')
      done()
    },
  })
  const remove = useMutation({
    mutationFn: (id: number) =>
      kind === 'labels'
        ? unwrap(client.DELETE('/api/labels/{label_id}', { params: { path: { label_id: id } } }))
        : unwrap(
            client.DELETE('/api/contact-statuses/{status_id}', {
              params: { path: { status_id: id } },
            }),
          ),
    onSuccess: done,
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (name.trim()) add.mutate()
  }
  return (
    <section data-testid={`settings-${kind}`}>
      <h2>{t(`contactSettings.${kind}`)}</h2>
      <InlineError error={listQ.error ?? remove.error} />
      <ul className="settings-list">
        {rows.map((row) => (
          <li key={row.id}>
            <LabelChip label={row} />
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-danger-text"
              onClick={() => remove.mutate(row.id)}
            >
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form className="form-row" onSubmit={submit}>
        <label className="field field-grow">
          <span>{t('contactSettings.name')}</span>
          <input
            data-testid={`settings-${kind}-name`}
            value={name}
            maxLength={60}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('contactSettings.color')}</span>
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary" data-testid={`settings-${kind}-add`}>
          {t('contactSettings.add')}
        </button>
      </form>
      {add.error != null && (
        <div className="form-error" role="alert">
          {errorMessage(add.error, t)}
        </div>
      )}
    </section>
  )
}

function Attributes() {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const listQ = useQuery(contactAttributesQuery)
  const [key, setKey] = useState('')
  const [label, setLabel] = useState('')
  const [type, setType] = useState<AttributeType>('text')
  const [options, setOptions] = useState('')
  const done = () => void qc.invalidateQueries({ queryKey: keys.contactAttributes })
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/contact-attributes', {
          body: {
            key,
            label,
            type,
            options: type === 'choice' ? options.split(',').map((o) => o.trim()) : [],
          },
        }),
      ),
    onSuccess: () => {
      setKey('')
      setLabel('')
      setOptions('')
      done()
    },
  })
  const remove = useMutation({
    mutationFn: (id: number) =>
      unwrap(
        client.DELETE('/api/contact-attributes/{attribute_id}', {
          params: { path: { attribute_id: id } },
        }),
      ),
    onSuccess: done,
  })
  return (
    <section data-testid="settings-attributes">
      <h2>{t('contactSettings.attributes')}</h2>
      <InlineError error={listQ.error ?? remove.error} />
      <ul className="settings-list">
        {(listQ.data ?? []).map((a) => (
          <li key={a.id}>
            <span>
              <strong>{a.label}</strong> <code>{a.key}</code>{' '}
              <span className="muted small">
                {t(`contactSettings.type.${a.type}`)}
                {a.options.length > 0 ? `: ${a.options.join(', ')}` : ''}
              </span>
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-danger-text"
              onClick={() => remove.mutate(a.id)}
            >
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          add.mutate()
        }}
      >
        <div className="form-row">
          <label className="field">
            <span>{t('contactSettings.key')}</span>
            <input value={key} pattern="[a-z][a-z0-9_]*" onChange={(e) => setKey(e.target.value)} />
          </label>
          <label className="field field-grow">
            <span>{t('contactSettings.label')}</span>
            <input value={label} onChange={(e) => setLabel(e.target.value)} />
          </label>
          <label className="field">
            <span>{t('contactSettings.typeLabel')}</span>
            <select value={type} onChange={(e) => setType(e.target.value as AttributeType)}>
              {TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(`contactSettings.type.${x}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {type === 'choice' && (
          <label className="field">
            <span>{t('contactSettings.options')}</span>
            <input value={options} onChange={(e) => setOptions(e.target.value)} />
          </label>
        )}
        <button type="submit" className="btn btn-primary" disabled={!key || !label}>
          {t('contactSettings.add')}
        </button>
      </form>
      {add.error != null && (
        <div className="form-error" role="alert">
          {errorMessage(add.error, t)}
        </div>
      )}
    </section>
  )
}
