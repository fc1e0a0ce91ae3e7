import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { DragEvent, FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { keys, quickRepliesQuery } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import type { QuickReply, QuickReplyInput, QuickReplyScope, User } from '../api/types'
import { errorMessage } from '../util'
import { useConfirmedAction } from '../hooks'

interface Form {
  /** null: creating a new reply */
  id: number | null
  shortcut: string
  title: string
  body: string
  scope: QuickReplyScope
  areaId: number | null
}

const EMPTY: Form = { id: null, shortcut: '', title: '', body: '', scope: 'personal', areaId: null }

/** Areas where `me` may manage area-scoped replies (ADMIN: all; SUPERVISOR: their areas). */
function manageableAreaIds(me: User, allAreaIds: number[]): number[] {
  if (me.role === 'ADMIN') return allAreaIds
  if (me.role === 'SUPERVISOR') return (me.areas ?? []).map((a) => a.id)
  return []
}

function scopesFor(me: User, areaIds: number[]): QuickReplyScope[] {
  const scopes: QuickReplyScope[] = []
  if (me.role === 'ADMIN') scopes.push('global')
  if (areaIds.length > 0) scopes.push('area')
  scopes.push('personal')
  return scopes
}

function canEdit(r: QuickReply, me: User, areaIds: number[]): boolean {
  if (r.scope === 'global') return me.role === 'ADMIN'
  if (r.scope === 'area') return r.areaId !== null && areaIds.includes(r.areaId)
  return r.ownerUserId === me.id
}

/** Quick replies: everyone manages their personal ones; admins global ones; supervisors their areas'. */
function byPosition(a: QuickReply, b: QuickReply): number {
  return a.position - b.position || a.id - b.id
}

export default function QuickRepliesPage() {
  const { t } = useTranslation()
  const { user } = useAuth()
  const { areas, nameOf } = useAreas()
  const qc = useQueryClient()
  const repliesQ = useQuery(quickRepliesQuery)
  const replies = repliesQ.data ?? null
  const loadError = repliesQ.error
  const setReplies = (update: (list: QuickReply[] | undefined) => QuickReply[] | undefined) =>
    qc.setQueryData<QuickReply[]>(keys.quickReplies, update)

  const [form, setForm] = useState<Form>(EMPTY)
  const saveReply = useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: QuickReplyInput }) =>
      id === null
        ? unwrap(client.POST('/api/quick-replies', { body }))
        : unwrap(client.PUT('/api/quick-replies/{reply_id}', { params: { path: { reply_id: id } }, body })),
    onSuccess: (saved) => {
      setReplies((list) => {
        const rest = (list ?? []).filter((r) => r.id !== saved.id)
        return [...rest, saved].sort(byPosition)
      })
      setForm(EMPTY)
    },
  })
  const saving = saveReply.isPending
  const formError = saveReply.error

  const {
    target: toDelete,
    busy: deleting,
    error: deleteError,
    ask: askDelete,
    cancel: cancelDelete,
    run: runDelete,
  } = useConfirmedAction<QuickReply>()

  const [dragId, setDragId] = useState<number | null>(null)
  const [overId, setOverId] = useState<number | null>(null)
  // Optimistic: the list shows the new order at once and goes back if the server refuses.
  const reorder = useMutation({
    mutationFn: ({ ids }: { ids: number[]; optimistic: QuickReply[] }) =>
      unwrap(client.POST('/api/quick-replies/reorder', { body: { ids } })),
    onMutate: ({ optimistic }) => {
      const previous = qc.getQueryData<QuickReply[]>(keys.quickReplies)
      setReplies(() => optimistic)
      return { previous }
    },
    onSuccess: (list) => setReplies(() => list),
    onError: (_err, _vars, context) => setReplies(() => context?.previous),
  })
  const reorderError = reorder.error

  if (!user) return null
  const activeAreas = (areas ?? []).filter((a) => a.active)
  const areaIds = manageableAreaIds(
    user,
    activeAreas.map((a) => a.id),
  )
  const scopes = scopesFor(user, areaIds)
  const areaChoices = activeAreas.filter((a) => areaIds.includes(a.id))
  const editable = (r: QuickReply) => canEdit(r, user, manageableAreaIds(user, (areas ?? []).map((a) => a.id)))

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (saving) return
    const body = {
      shortcut: form.shortcut.trim().replace(/^\//, ''),
      title: form.title.trim(),
      body: form.body,
      scope: form.scope,
      areaId: form.scope === 'area' ? form.areaId : null,
    }
    saveReply.mutate({ id: form.id, body })
  }

  const confirmDelete = () =>
    runDelete(async (reply) => {
      await unwrap(
        client.DELETE('/api/quick-replies/{reply_id}', { params: { path: { reply_id: reply.id } } }),
      )
      setReplies((list) => list?.filter((r) => r.id !== reply.id))
      if (form.id === reply.id) setForm(EMPTY)
    })

  /** Moves `id` to the place of `targetId` among the replies I may edit, then saves the order. */
  const move = (id: number, targetId: number) => {
    if (!replies || id === targetId) return
    const mine = replies.filter(editable)
    const from = mine.findIndex((r) => r.id === id)
    const to = mine.findIndex((r) => r.id === targetId)
    if (from === -1 || to === -1) return
    const order = [...mine]
    const [moved] = order.splice(from, 1)
    if (!moved) return
    order.splice(to, 0, moved)
    // Optimistic: the edited replies swap among the slots they hold.
    const slots = mine.map((r) => r.position).sort((a, b) => a - b)
    const newPos = new Map(order.map((r, i) => [r.id, slots[i] ?? r.position]))
    const optimistic = replies
      .map((r) => (newPos.has(r.id) ? { ...r, position: newPos.get(r.id) ?? r.position } : r))
      .sort(byPosition)
    reorder.mutate({ ids: order.map((r) => r.id), optimistic })
  }

  const neighbour = (id: number, delta: -1 | 1): number | null => {
    const mine = (replies ?? []).filter(editable)
    const i = mine.findIndex((r) => r.id === id)
    return mine[i + delta]?.id ?? null
  }

  const onDragStart = (e: DragEvent, id: number) => {
    setDragId(id)
    e.dataTransfer.effectAllowed = 'move'
    e.dataTransfer.setData('text/plain', String(id))
  }
  const onDrop = (e: DragEvent, targetId: number) => {
    e.preventDefault()
    const raw = e.dataTransfer.getData('text/plain')
    const id = dragId ?? (raw ? Number(raw) : null)
    setDragId(null)
    setOverId(null)
    if (id !== null) move(id, targetId)
  }

  const scopeLabel = (r: QuickReply) =>
    r.scope === 'area'
      ? t('quickReplies.scopeArea', { area: nameOf(r.areaId) ?? `#${r.areaId ?? ''}` })
      : t(`quickReplies.scope.${r.scope}`)

  const canSave =
    !saving &&
    form.shortcut.trim() !== '' &&
    form.title.trim() !== '' &&
    form.body.trim() !== '' &&
    (form.scope !== 'area' || form.areaId !== null)

  return (
    <div className="admin-page" data-testid="quick-replies-page">
      <div className="admin-head">
        <h1>{t('quickReplies.title')}</h1>
      </div>
      <p className="muted">{t('quickReplies.help')}</p>

      <form className="card admin-create" onSubmit={submit}>
        <h2>{form.id === null ? t('quickReplies.new') : t('quickReplies.editTitle')}</h2>
        <div className="form-row">
          <label className="field">
            <span>{t('quickReplies.shortcut')}</span>
            <input
              data-testid="qr-shortcut"
              value={form.shortcut}
              required
              maxLength={41}
              pattern="/?[a-z0-9_\-]{1,40}"
              title={t('quickReplies.shortcutHint')}
              placeholder={t('quickReplies.shortcutExample')}
              onChange={(e) => setForm({ ...form, shortcut: e.target.value.toLowerCase() })}
            />
          </label>
          <label className="field field-grow">
            <span>{t('quickReplies.titleLabel')}</span>
            <input
              data-testid="qr-title"
              value={form.title}
              required
              onChange={(e) => setForm({ ...form, title: e.target.value })}
            />
          </label>
          <label className="field">
            <span>{t('quickReplies.scopeLabel')}</span>
            <select
              data-testid="qr-scope"
              value={form.scope}
              onChange={(e) => {
                const scope = e.target.value as QuickReplyScope
                setForm({
                  ...form,
                  scope,
                  areaId: scope === 'area' ? (form.areaId ?? areaChoices[0]?.id ?? null) : null,
                })
              }}
            >
              {scopes.map((s) => (
                <option key={s} value={s}>
                  {t(`quickReplies.scope.${s}`)}
                </option>
              ))}
            </select>
          </label>
          {form.scope === 'area' && (
            <label className="field">
              <span>{t('quickReplies.area')}</span>
              <select
                data-testid="qr-area"
                value={form.areaId ?? ''}
                required
                onChange={(e) =>
                  setForm({ ...form, areaId: e.target.value ? Number(e.target.value) : null })
                }
              >
                <option value="">{t('quickReplies.chooseArea')}</option>
                {areaChoices.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <label className="field">
          <span>{t('quickReplies.body')}</span>
          <textarea
            className="field-textarea"
            data-testid="qr-body"
            rows={3}
            value={form.body}
            required
            onChange={(e) => setForm({ ...form, body: e.target.value })}
          />
        </label>
        <p className="muted small">{t('quickReplies.placeholdersHint')}</p>
        <div className="form-row">
          <button type="submit" className="btn btn-primary" data-testid="qr-save" disabled={!canSave}>
            {saving ? t('common.saving') : t('common.save')}
          </button>
          {form.id !== null && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="qr-cancel"
              onClick={() => {
                setForm(EMPTY)
                saveReply.reset()
              }}
            >
              {t('common.cancel')}
            </button>
          )}
        </div>
        {formError != null && (
          <p className="form-error" role="alert" data-testid="qr-error">
            {errorMessage(formError, t)}
          </p>
        )}
      </form>

      <div className="card admin-table-card">
        <InlineError error={loadError} onRetry={() => void repliesQ.refetch()} />
        <InlineError error={reorderError} testId="qr-reorder-error" />
        {replies === null ? (
          loadError == null && <div className="muted pad">{t('common.loading')}</div>
        ) : replies.length === 0 ? (
          <div className="muted pad">{t('quickReplies.empty')}</div>
        ) : (
          <table className="admin-table" data-testid="qr-table">
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">{t('quickReplies.order')}</span>
                </th>
                <th>{t('quickReplies.shortcut')}</th>
                <th>{t('quickReplies.titleLabel')}</th>
                <th>{t('quickReplies.scopeLabel')}</th>
                <th>
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {replies.map((r) => {
                const mayEdit = editable(r)
                const up = mayEdit ? neighbour(r.id, -1) : null
                const down = mayEdit ? neighbour(r.id, 1) : null
                return (
                  <tr
                    key={r.id}
                    data-testid="qr-row"
                    data-id={r.id}
                    data-shortcut={r.shortcut}
                    data-scope={r.scope}
                    draggable={mayEdit}
                    className={`${dragId === r.id ? 'row-dragging' : ''} ${overId === r.id && dragId !== r.id ? 'row-drop-target' : ''}`}
                    onDragStart={mayEdit ? (e) => onDragStart(e, r.id) : undefined}
                    onDragEnd={() => {
                      setDragId(null)
                      setOverId(null)
                    }}
                    onDragOver={
                      mayEdit
                        ? (e) => {
                            e.preventDefault()
                            e.dataTransfer.dropEffect = 'move'
                            setOverId(r.id)
                          }
                        : undefined
                    }
                    onDrop={mayEdit ? (e) => onDrop(e, r.id) : undefined}
                  >
                    <td className="cell-order">
                      {mayEdit && (
                        <span className="drag-handle" aria-hidden="true" title={t('quickReplies.drag')}>
                          ⋮⋮
                        </span>
                      )}
                      <button
                        type="button"
                        className="btn btn-ghost btn-xs"
                        data-testid="qr-move-up"
                        aria-label={t('quickReplies.moveUp', { shortcut: r.shortcut })}
                        disabled={up === null}
                        onClick={() => up !== null && move(r.id, up)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-xs"
                        data-testid="qr-move-down"
                        aria-label={t('quickReplies.moveDown', { shortcut: r.shortcut })}
                        disabled={down === null}
                        onClick={() => down !== null && move(r.id, down)}
                      >
                        ↓
                      </button>
                    </td>
                    <td className="cell-strong" data-testid="qr-row-shortcut">
                      /{r.shortcut}
                    </td>
                    <td>
                      <div>{r.title}</div>
                      <div className="muted qr-row-body">{r.body}</div>
                    </td>
                    <td>
                      <span className={`chip chip-scope-${r.scope}`} data-testid="qr-row-scope">
                        {scopeLabel(r)}
                      </span>
                    </td>
                    <td className="cell-actions">
                      {mayEdit && (
                        <>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            data-testid="qr-edit"
                            onClick={() => {
                              saveReply.reset()
                              setForm({
                                id: r.id,
                                shortcut: r.shortcut,
                                title: r.title,
                                body: r.body,
                                scope: r.scope,
                                areaId: r.areaId,
                              })
                            }}
                          >
                            {t('common.edit')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm btn-danger-text"
                            data-testid="qr-delete"
                            onClick={() => askDelete(r)}
                          >
                            {t('common.delete')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </div>

      {toDelete && (
        <ConfirmDialog
          title={t('quickReplies.deleteTitle')}
          message={t('quickReplies.deleteConfirm', { shortcut: toDelete.shortcut })}
          confirmLabel={t('common.delete')}
          confirmTestId="qr-delete-confirm"
          busy={deleting}
          error={deleteError != null ? errorMessage(deleteError, t) : null}
          onConfirm={() => void confirmDelete()}
          onCancel={cancelDelete}
        />
      )}
    </div>
  )
}
