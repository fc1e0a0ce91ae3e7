import { useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { webhookDeliveriesQuery, webhookEventsQuery, webhooksQuery } from '../api/queries'
import type { Webhook, WebhookCreated, WebhookDelivery } from '../api/types'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import { errorMessage, fullDateTime } from '../util'

interface Draft {
  name: string
  url: string
  events: string[]
  active: boolean
  secret: string
}

const EMPTY: Draft = { name: '', url: '', events: [], active: true, secret: '' }

/** Outgoing webhooks (admins): who hears about which events, and how each delivery went. */
export default function IntegrationsPage() {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const hooksQuery = useQuery(webhooksQuery)
  const [editing, setEditing] = useState<Webhook | null>(null)
  const [draft, setDraft] = useState<Draft>(EMPTY)
  const [made, setMade] = useState<WebhookCreated | null>(null)
  const [shown, setShown] = useState<number | null>(null)
  const [toDelete, setToDelete] = useState<Webhook | null>(null)
  const reload = () => void queryClient.invalidateQueries({ queryKey: webhooksQuery.queryKey })

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name,
        url: draft.url,
        events: draft.events,
        active: draft.active,
        ...(draft.secret ? { secret: draft.secret } : {}),
      }
      if (editing) {
        return unwrap(
          client.PATCH('/api/integrations/webhooks/{webhook_id}', {
            params: { path: { webhook_id: editing.id } },
            body,
          }),
        ).then(() => null)
      }
      return unwrap(client.POST('/api/integrations/webhooks', { body }))
    },
    onSuccess: (created) => {
      if (created) setMade(created)
      setEditing(null)
      setDraft(EMPTY)
      reload()
    },
  })
  const remove = useMutation({
    mutationFn: (hook: Webhook) =>
      unwrap(
        client.DELETE('/api/integrations/webhooks/{webhook_id}', {
          params: { path: { webhook_id: hook.id } },
        }),
      ),
    onSuccess: (_, hook) => {
      setToDelete(null)
      if (shown === hook.id) setShown(null)
      reload()
    },
  })

  const edit = (hook: Webhook) => {
    save.reset()
    setEditing(hook)
    setDraft({ name: hook.name, url: hook.url, events: hook.events, active: hook.active, secret: '' })
  }
  const cancelEdit = () => {
    save.reset()
    setEditing(null)
    setDraft(EMPTY)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    save.mutate()
  }
  const hooks = hooksQuery.data

  return (
    <div className="admin-page" data-testid="integrations-page">
      <div className="admin-head">
        <h1>{t('integrations.title')}</h1>
      </div>
      <p className="muted">{t('integrations.intro')}</p>

      {made && (
        <div className="card pad" role="status" data-testid="webhook-secret-card">
          <strong>{t('integrations.copyNow', { name: made.name })}</strong>
          <pre className="token-secret" data-testid="webhook-secret">
            {made.secret}
          </pre>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setMade(null)}>
            {t('integrations.done')}
          </button>
        </div>
      )}

      <WebhookForm
        draft={draft}
        editing={editing}
        busy={save.isPending}
        error={save.error}
        onChange={setDraft}
        onSubmit={submit}
        onCancel={cancelEdit}
      />

      <div className="card admin-table-card">
        <InlineError error={hooksQuery.error} onRetry={reload} />
        {hooks === undefined ? (
          hooksQuery.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : hooks.length === 0 ? (
          <div className="muted pad">{t('integrations.empty')}</div>
        ) : (
          <table className="admin-table" data-testid="webhooks-table">
            <thead>
              <tr>
                <th>{t('integrations.name')}</th>
                <th>{t('integrations.url')}</th>
                <th>{t('integrations.events')}</th>
                <th>{t('integrations.state')}</th>
                <th>
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {hooks.map((hook) => (
                <tr key={hook.id} data-testid="webhook-row" data-name={hook.name}>
                  <td className="cell-strong">{hook.name}</td>
                  <td>
                    <code className="webhook-url">{hook.url}</code>
                  </td>
                  <td>{hook.events.join(', ')}</td>
                  <td>
                    {hook.active ? t('integrations.active') : t('integrations.paused')}
                    {hook.pending > 0 && (
                      <div className="muted">{t('integrations.pendingCount', { count: hook.pending })}</div>
                    )}
                    {hook.failed > 0 && (
                      <div className="cell-error" data-testid="webhook-failed-count">
                        {t('integrations.failedCount', { count: hook.failed })}
                      </div>
                    )}
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="webhook-deliveries"
                      onClick={() => setShown(shown === hook.id ? null : hook.id)}
                    >
                      {t('integrations.deliveries')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="webhook-edit"
                      onClick={() => edit(hook)}
                    >
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm btn-danger-text"
                      data-testid="webhook-delete"
                      onClick={() => setToDelete(hook)}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {shown !== null && hooks?.some((h) => h.id === shown) && (
        <Deliveries hook={hooks.find((h) => h.id === shown) as Webhook} onChange={reload} />
      )}

      {toDelete && (
        <ConfirmDialog
          title={t('integrations.deleteTitle')}
          message={t('integrations.deleteConfirm', { name: toDelete.name })}
          confirmLabel={t('common.delete')}
          confirmTestId="webhook-delete-confirm"
          busy={remove.isPending}
          error={remove.error != null ? errorMessage(remove.error, t) : null}
          onConfirm={() => remove.mutate(toDelete)}
          onCancel={() => {
            remove.reset()
            setToDelete(null)
          }}
        />
      )}
    </div>
  )
}

interface FormProps {
  draft: Draft
  editing: Webhook | null
  busy: boolean
  error: unknown
  onChange: (draft: Draft) => void
  onSubmit: (e: FormEvent) => void
  onCancel: () => void
}

function WebhookForm({ draft, editing, busy, error, onChange, onSubmit, onCancel }: FormProps) {
  const { t } = useTranslation()
  const eventsQuery = useQuery(webhookEventsQuery)
  const all = eventsQuery.data?.events ?? []
  const toggle = (event: string) =>
    onChange({
      ...draft,
      events: draft.events.includes(event)
        ? draft.events.filter((e) => e !== event)
        : [...draft.events, event],
    })
  return (
    <form className="card admin-create" onSubmit={onSubmit} data-testid="webhook-form">
      <h2>{editing ? t('integrations.editing', { name: editing.name }) : t('integrations.new')}</h2>
      <div className="form-row">
        <label className="field">
          <span>{t('integrations.name')}</span>
          <input
            data-testid="webhook-name"
            value={draft.name}
            required
            maxLength={80}
            placeholder={t('integrations.namePlaceholder')}
            onChange={(e) => onChange({ ...draft, name: e.target.value })}
          />
        </label>
        <label className="field field-grow">
          <span>{t('integrations.url')}</span>
          <input
            data-testid="webhook-url"
            type="url"
            value={draft.url}
            required
            maxLength={2000}
            placeholder="https://example.com/hooks/helpline"
            onChange={(e) => onChange({ ...draft, url: e.target.value })}
          />
        </label>
      </div>
      <fieldset className="form-row token-scopes webhook-events">
        <legend>{t('integrations.events')}</legend>
        {all.map((event) => (
          <label key={event} className="field field-check">
            <input
              type="checkbox"
              data-testid={`webhook-event-${event}`}
              checked={draft.events.includes(event)}
              onChange={() => toggle(event)}
            />
            <code>{event}</code>
          </label>
        ))}
      </fieldset>
      <div className="form-row">
        <label className="field field-grow">
          <span>{editing ? t('integrations.newSecret') : t('integrations.secret')}</span>
          <input
            data-testid="webhook-secret-input"
            value={draft.secret}
            minLength={16}
            maxLength={200}
            autoComplete="off"
            placeholder={t('integrations.secretPlaceholder')}
            onChange={(e) => onChange({ ...draft, secret: e.target.value })}
          />
        </label>
        <label className="field field-check">
          <input
            type="checkbox"
            data-testid="webhook-active"
            checked={draft.active}
            onChange={(e) => onChange({ ...draft, active: e.target.checked })}
          />
          {t('integrations.active')}
        </label>
      </div>
      <InlineError error={error} testId="webhook-error" />
      <div className="form-row">
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="webhook-save"
          disabled={busy || draft.events.length === 0 || !draft.name.trim() || !draft.url.trim()}
        >
          {editing ? t('common.save') : t('integrations.create')}
        </button>
        {editing && (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  )
}

function Deliveries({ hook, onChange }: { hook: Webhook; onChange: () => void }) {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  const query = webhookDeliveriesQuery(hook.id)
  const deliveriesQuery = useQuery(query)
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: query.queryKey })
    onChange()
  }
  const test = useMutation({
    mutationFn: () =>
      unwrap(
        client.POST('/api/integrations/webhooks/{webhook_id}/test', {
          params: { path: { webhook_id: hook.id } },
        }),
      ),
    onSuccess: refresh,
  })
  const again = useMutation({
    mutationFn: (delivery: WebhookDelivery) =>
      unwrap(
        client.POST('/api/integrations/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver', {
          params: { path: { webhook_id: hook.id, delivery_id: delivery.id } },
        }),
      ),
    onSuccess: refresh,
  })
  const rows = deliveriesQuery.data
  const when = (d: WebhookDelivery) => fullDateTime(d.lastAttemptAt ?? d.createdAt, i18n.language)

  return (
    <div className="card admin-table-card" data-testid="webhook-deliveries-card">
      <div className="admin-head pad">
        <h2>{t('integrations.deliveriesOf', { name: hook.name })}</h2>
        <button
          type="button"
          className="btn btn-primary btn-sm"
          data-testid="webhook-test"
          disabled={test.isPending}
          onClick={() => test.mutate()}
        >
          {t('integrations.sendTest')}
        </button>
      </div>
      <InlineError error={deliveriesQuery.error} onRetry={refresh} />
      <InlineError error={test.error ?? again.error} />
      {rows === undefined ? (
        deliveriesQuery.error == null && <div className="muted pad">{t('common.loading')}</div>
      ) : rows.length === 0 ? (
        <div className="muted pad">{t('integrations.noDeliveries')}</div>
      ) : (
        <table className="admin-table" data-testid="deliveries-table">
          <thead>
            <tr>
              <th>{t('integrations.event')}</th>
              <th>{t('integrations.status')}</th>
              <th>{t('integrations.responseCode')}</th>
              <th>{t('integrations.attempts')}</th>
              <th>{t('integrations.time')}</th>
              <th>{t('integrations.error')}</th>
              <th>
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-testid="delivery-row" data-status={d.status} data-event={d.event}>
                <td>
                  <code>{d.event}</code>
                </td>
                <td data-testid="delivery-status">{t(`integrations.deliveryStatus.${d.status}`)}</td>
                <td data-testid="delivery-code">{d.responseStatus ?? '—'}</td>
                <td>{d.attempts}</td>
                <td>{when(d)}</td>
                <td className="muted">{d.error ?? ''}</td>
                <td>
                  {d.status === 'failed' && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="delivery-again"
                      disabled={again.isPending}
                      onClick={() => again.mutate(d)}
                    >
                      {t('integrations.deliverAgain')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
