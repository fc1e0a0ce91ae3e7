import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, client, unwrap } from '../api/client'
import { keys, usersQuery } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import Modal from '../components/Modal'
import { ROLES } from '../api/types'
import type { Role, User, UserInput } from '../api/types'
import { errorMessage } from '../util'
import { useConfirmedAction } from '../hooks'

interface FormState {
  /** null = new user */
  id: number | null
  username: string
  name: string
  email: string
  password: string
  role: Role
  active: boolean
  areaIds: number[]
  defaultAreaId: number | null
}

const EMPTY_FORM: FormState = {
  id: null,
  username: '',
  name: '',
  email: '',
  password: '',
  role: 'OPERATOR',
  active: true,
  areaIds: [],
  defaultAreaId: null,
}

function formOf(u: User): FormState {
  const areas = u.areas ?? []
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    email: u.email ?? '',
    password: '',
    role: u.role,
    active: u.active,
    areaIds: areas.map((a) => a.id),
    defaultAreaId: areas.find((a) => a.isDefault)?.id ?? null,
  }
}

/** Form field of a pydantic error location (["body", "password"] → "password"). */
const FIELD_LABELS: Record<string, string> = {
  username: 'users.username',
  name: 'users.name',
  email: 'users.email',
  password: 'users.password',
  role: 'users.role',
  active: 'users.active',
  areaIds: 'users.areas',
  defaultAreaId: 'users.defaultArea',
}

/** Like errorMessage(), but validation errors name the field they are about. */
function formErrorMessage(err: unknown, t: (key: string) => string): string {
  if (err instanceof ApiError && Array.isArray(err.detail)) {
    const lines = (err.detail as { loc?: unknown; msg?: unknown }[])
      .filter((d) => d && typeof d.msg === 'string')
      .map((d) => {
        const loc = Array.isArray(d.loc) ? d.loc : []
        const field = loc.find(
          (part): part is string => typeof part === 'string' && part in FIELD_LABELS,
        )
        return field ? `${t(FIELD_LABELS[field] ?? field)}: ${String(d.msg)}` : String(d.msg)
      })
    if (lines.length > 0) return lines.join('; ')
  }
  return errorMessage(err, t)
}

function sortUsers(list: User[]): User[] {
  return [...list].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      (a.name || a.username).localeCompare(b.name || b.username) ||
      a.id - b.id,
  )
}

/** Users screen: ADMIN manages them, SUPERVISOR only reads. */
export default function UsersPage() {
  const { t } = useTranslation()
  const { user: me } = useAuth()
  const { areas } = useAreas()
  const canEdit = me?.role === 'ADMIN'

  const qc = useQueryClient()
  const usersQ = useQuery({ ...usersQuery, select: sortUsers })
  const users = usersQ.data ?? null
  const loadError = usersQ.error

  const [form, setForm] = useState<FormState | null>(null)
  const saveUser = useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: UserInput }) =>
      id === null
        ? unwrap(
            client.POST('/api/users', {
              body: { ...body, username: body.username ?? '', name: body.name ?? '', password: body.password ?? '' },
            }),
          )
        : unwrap(client.PATCH('/api/users/{user_id}', { params: { path: { user_id: id } }, body })),
    onSuccess: (saved) => {
      replace(saved)
      setForm(null)
    },
  })
  const saving = saveUser.isPending
  const formError = saveUser.error

  const {
    target: toDeactivate,
    busy: deactivating,
    error: deactivateError,
    ask: askDeactivate,
    cancel: cancelDeactivate,
    run: runDeactivate,
  } = useConfirmedAction<User>()

  const replace = (u: User) =>
    qc.setQueryData<User[]>(keys.users, (list) => [...(list ?? []).filter((x) => x.id !== u.id), u])

  const openNew = () => {
    saveUser.reset()
    setForm(EMPTY_FORM)
  }
  const openEdit = (u: User) => {
    saveUser.reset()
    setForm(formOf(u))
  }
  const { reset: resetSave } = saveUser
  const closeForm = useCallback(() => {
    setForm(null)
    resetSave()
  }, [resetSave])

  const toggleArea = (id: number, checked: boolean) => {
    setForm((f) => {
      if (!f) return f
      const others = f.areaIds.filter((a) => a !== id)
      const areaIds = checked ? [...others, id] : others
      let defaultAreaId = f.defaultAreaId
      if (defaultAreaId !== null && !areaIds.includes(defaultAreaId)) defaultAreaId = null
      // The first area checked becomes the default one.
      if (defaultAreaId === null && areaIds.length > 0) defaultAreaId = areaIds[0] ?? null
      return { ...f, areaIds, defaultAreaId }
    })
  }

  const save = (e: FormEvent) => {
    e.preventDefault()
    if (!form || saving) return
    const body: UserInput = {
      name: form.name.trim(),
      email: form.email.trim() || null,
      role: form.role,
      active: form.active,
      areaIds: form.areaIds,
      defaultAreaId: form.areaIds.length > 0 ? form.defaultAreaId : null,
    }
    if (form.password) body.password = form.password
    // The username is fixed once created (PATCH /api/users does not change it).
    if (form.id === null) body.username = form.username.trim()
    saveUser.mutate({ id: form.id, body })
  }

  const confirmDeactivate = () =>
    runDeactivate(async (user) => {
      replace(await unwrap(client.DELETE('/api/users/{user_id}', { params: { path: { user_id: user.id } } })))
    })
  const isNew = form?.id === null
  // Inactive areas stay listed only for users that already belong to them.
  const selectableAreas = (areas ?? []).filter((a) => a.active || form?.areaIds.includes(a.id))

  return (
    <div className="admin-page" data-testid="users-page">
      <div className="admin-head">
        <h1>{t('users.title')}</h1>
        {canEdit ? (
          <button type="button" className="btn btn-primary" data-testid="user-new" onClick={openNew}>
            {t('users.new')}
          </button>
        ) : (
          <span className="muted" data-testid="users-readonly">
            {t('users.readOnly')}
          </span>
        )}
      </div>

      <div className="card admin-table-card">
        <InlineError error={loadError} onRetry={() => void usersQ.refetch()} />
        {users === null ? (
          loadError == null && <div className="muted pad">{t('common.loading')}</div>
        ) : (
          <table className="admin-table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('users.name')}</th>
                <th>{t('users.username')}</th>
                <th>{t('users.email')}</th>
                <th>{t('users.role')}</th>
                <th>{t('users.areas')}</th>
                <th>{t('users.active')}</th>
                {canEdit && (
                  <th>
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr
                  key={u.id}
                  data-testid="user-row"
                  data-user-id={u.id}
                  data-active={u.active}
                  className={u.active ? '' : 'row-inactive'}
                >
                  <td className="cell-strong">{u.name}</td>
                  <td>{u.username}</td>
                  <td className="muted">{u.email}</td>
                  <td>{t(`roles.${u.role}`, u.role)}</td>
                  <td>
                    <div className="area-tags">
                      {(u.areas ?? []).map((a) => (
                        <span
                          key={a.id}
                          className={`area-tag ${a.isDefault ? 'area-tag-default' : ''}`}
                          data-testid="user-area"
                          data-area-id={a.id}
                          data-default={a.isDefault}
                          title={a.isDefault ? t('users.defaultArea') : undefined}
                        >
                          {a.name}
                          {a.isDefault && (
                            <>
                              {' '}
                              <span aria-hidden="true">★</span>
                              <span className="visually-hidden">({t('users.defaultArea')})</span>
                            </>
                          )}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td>{u.active ? t('common.yes') : t('common.no')}</td>
                  {canEdit && (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        data-testid="user-edit"
                        onClick={() => openEdit(u)}
                      >
                        {t('common.edit')}
                      </button>
                      {u.active && (
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm btn-danger-text"
                          data-testid="user-deactivate"
                          disabled={u.id === me?.id}
                          title={u.id === me?.id ? t('users.cannotDeactivateSelf') : undefined}
                          onClick={() => askDeactivate(u)}
                        >
                          {t('users.deactivate')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {form && (
        <Modal
          title={isNew ? t('users.newTitle') : t('users.editTitle', { name: form.name || form.username })}
          testId="user-form"
          wide
          onClose={closeForm}
        >
          <form onSubmit={(e) => void save(e)}>
            <div className="form-grid">
              <label className="field">
                <span>{t('users.username')}</span>
                <input
                  data-testid="user-username"
                  value={form.username}
                  required
                  readOnly={!isNew}
                  title={isNew ? undefined : t('users.usernameFixed')}
                  autoComplete="off"
                  onChange={(e) => setForm({ ...form, username: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('users.name')}</span>
                <input
                  data-testid="user-name"
                  value={form.name}
                  required
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('users.email')}</span>
                <input
                  type="email"
                  data-testid="user-email"
                  value={form.email}
                  autoComplete="off"
                  onChange={(e) => setForm({ ...form, email: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('users.password')}</span>
                <input
                  type="password"
                  data-testid="user-password"
                  value={form.password}
                  required={isNew}
                  autoComplete="new-password"
                  placeholder={isNew ? undefined : t('users.passwordKeep')}
                  onChange={(e) => setForm({ ...form, password: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('users.role')}</span>
                <select
                  data-testid="user-role"
                  value={form.role}
                  onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`roles.${r}`, r)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field field-check">
                <input
                  type="checkbox"
                  data-testid="user-active"
                  checked={form.active}
                  onChange={(e) => setForm({ ...form, active: e.target.checked })}
                />
                <span>{t('users.active')}</span>
              </label>
            </div>

            <fieldset className="area-picker">
              <legend>{t('users.areas')}</legend>
              {selectableAreas.length === 0 ? (
                <p className="muted">{t('users.noAreas')}</p>
              ) : (
                <table className="area-picker-table">
                  <thead>
                    <tr>
                      <th>{t('users.area')}</th>
                      <th>{t('users.member')}</th>
                      <th>{t('users.defaultArea')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {selectableAreas.map((a) => {
                      const checked = form.areaIds.includes(a.id)
                      return (
                        <tr key={a.id}>
                          <td>
                            {a.name}
                            {!a.active && <span className="muted"> ({t('users.inactiveArea')})</span>}
                          </td>
                          <td>
                            <input
                              type="checkbox"
                              data-testid="user-area-checkbox"
                              data-area-id={a.id}
                              aria-label={t('users.memberOf', { area: a.name })}
                              checked={checked}
                              onChange={(e) => toggleArea(a.id, e.target.checked)}
                            />
                          </td>
                          <td>
                            <input
                              type="radio"
                              name="default-area"
                              data-testid="user-default-area"
                              data-area-id={a.id}
                              aria-label={t('users.defaultAreaOf', { area: a.name })}
                              disabled={!checked}
                              checked={checked && form.defaultAreaId === a.id}
                              onChange={() => setForm({ ...form, defaultAreaId: a.id })}
                            />
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              )}
            </fieldset>

            {formError != null && (
              <p className="form-error" role="alert" data-testid="user-form-error">
                {formErrorMessage(formError, t)}
              </p>
            )}
            <div className="modal-actions">
              <button type="button" className="btn btn-ghost" onClick={closeForm}>
                {t('common.cancel')}
              </button>
              <button type="submit" className="btn btn-primary" data-testid="user-save" disabled={saving}>
                {saving ? t('common.saving') : t('common.save')}
              </button>
            </div>
          </form>
        </Modal>
      )}

      {toDeactivate && (
        <ConfirmDialog
          title={t('users.deactivateTitle')}
          message={t('users.deactivateConfirm', { name: toDeactivate.name || toDeactivate.username })}
          confirmLabel={t('users.deactivate')}
          confirmTestId="user-deactivate-confirm"
          busy={deactivating}
          error={deactivateError != null ? errorMessage(deactivateError, t) : null}
          onConfirm={() => void confirmDeactivate()}
          onCancel={cancelDeactivate}
        />
      )}
    </div>
  )
}
