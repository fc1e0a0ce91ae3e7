import { useCallback, useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useMutation } from '@tanstack/react-query'
import { ApiError, client, unwrap } from '../api/client'
import { useAreas } from '../areas'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import Modal from '../components/Modal'
import AreaSurveyEditor from '../components/surveys/AreaSurveyEditor'
import AreaTargetsEditor from '../components/targets/AreaTargetsEditor'
import type { Area, AreaCreate, AreaUpdate } from '../api/types'
import { errorMessage } from '../util'
import { useConfirmedAction } from '../hooks'

interface Draft {
  id: number
  name: string
  description: string
  autoAssign: boolean
  capacity: string
}

const DEFAULT_CAPACITY = 5

/** The capacity typed in the form (1–100), or null when it is not a valid number. */
function parseCapacity(raw: string): number | null {
  const n = Number(raw)
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : null
}

function updateArea(id: number, body: AreaUpdate): Promise<Area> {
  return unwrap(client.PATCH('/api/areas/{area_id}', { params: { path: { area_id: id } }, body }))
}

/** Admin screen: list, create, edit inline, (de)activate and delete areas. */
export default function AreasPage() {
  const { t } = useTranslation()
  const { areas, error: loadError, reload, upsert, remove } = useAreas()

  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [autoAssign, setAutoAssign] = useState(true)
  const [capacity, setCapacity] = useState(String(DEFAULT_CAPACITY))

  const [draft, setDraft] = useState<Draft | null>(null)
  const [saving, setSaving] = useState(false)
  const [rowError, setRowError] = useState<{ id: number; error: unknown } | null>(null)
  // The area whose satisfaction survey is open in a dialog.
  const [surveyOf, setSurveyOf] = useState<Area | null>(null)
  const closeSurvey = useCallback(() => setSurveyOf(null), [])
  // The area whose service targets are open in a dialog.
  const [targetsOf, setTargetsOf] = useState<Area | null>(null)
  const closeTargets = useCallback(() => setTargetsOf(null), [])

  const {
    target: toDelete,
    busy: deleting,
    error: deleteError,
    ask: askDelete,
    cancel: cancelDelete,
    run: runDelete,
  } = useConfirmedAction<Area>()

  const createArea = useMutation({
    mutationFn: (body: AreaCreate) => unwrap(client.POST('/api/areas', { body })),
    onSuccess: (area) => {
      upsert(area)
      setName('')
      setDescription('')
      setAutoAssign(true)
      setCapacity(String(DEFAULT_CAPACITY))
    },
  })
  const creating = createArea.isPending
  const createError = createArea.error

  const create = (e: FormEvent) => {
    e.preventDefault()
    const trimmed = name.trim()
    const cap = parseCapacity(capacity)
    if (!trimmed || creating || cap === null) return
    createArea.mutate({
      name: trimmed,
      description: description.trim() || null,
      active: true,
      autoAssign,
      capacity: cap,
    })
  }

  const saveDraft = async () => {
    if (!draft || saving) return
    const trimmed = draft.name.trim()
    const cap = parseCapacity(draft.capacity)
    if (!trimmed || cap === null) return
    setSaving(true)
    setRowError(null)
    try {
      const area = await updateArea(draft.id, {
        name: trimmed,
        description: draft.description.trim() || null,
        autoAssign: draft.autoAssign,
        capacity: cap,
      })
      upsert(area)
      setDraft(null)
    } catch (err) {
      setRowError({ id: draft.id, error: err })
    } finally {
      setSaving(false)
    }
  }

  const toggleActive = async (area: Area) => {
    setRowError(null)
    try {
      upsert(await updateArea(area.id, { active: !area.active }))
    } catch (err) {
      setRowError({ id: area.id, error: err })
    }
  }

  const confirmDelete = () =>
    runDelete(async (area) => {
      await unwrap(client.DELETE('/api/areas/{area_id}', { params: { path: { area_id: area.id } } }))
      remove(area.id)
    })

  // Offered by the 409 of a delete, which stays on screen meanwhile.
  const deactivateInstead = () =>
    runDelete(async (area) => upsert(await updateArea(area.id, { active: false })), true)

  const deleteConflict = deleteError instanceof ApiError && deleteError.status === 409

  return (
    <div className="admin-page" data-testid="areas-page">
      <div className="admin-head">
        <h1>{t('areas.title')}</h1>
      </div>

      <form className="card admin-create" onSubmit={create}>
        <h2>{t('areas.new')}</h2>
        <div className="form-row">
          <label className="field">
            <span>{t('areas.name')}</span>
            <input
              data-testid="area-name-input"
              value={name}
              required
              maxLength={120}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label className="field field-grow">
            <span>{t('areas.description')}</span>
            <input
              data-testid="area-description-input"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </label>
          <label className="field field-check">
            <input
              type="checkbox"
              role="switch"
              data-testid="area-auto-assign"
              checked={autoAssign}
              onChange={(e) => setAutoAssign(e.target.checked)}
            />
            <span>{t('areas.autoAssign')}</span>
          </label>
          <label className="field">
            <span>{t('areas.capacity')}</span>
            <input
              type="number"
              className="input-narrow"
              data-testid="area-capacity"
              min={1}
              max={100}
              step={1}
              required
              title={t('areas.capacityHint')}
              value={capacity}
              onChange={(e) => setCapacity(e.target.value)}
            />
          </label>
          <button
            type="submit"
            className="btn btn-primary form-row-button"
            data-testid="area-create"
            disabled={creating || !name.trim() || parseCapacity(capacity) === null}
          >
            {creating ? t('common.saving') : t('areas.create')}
          </button>
        </div>
        {createError != null && (
          <p className="form-error" role="alert" data-testid="area-create-error">
            {errorMessage(createError, t)}
          </p>
        )}
      </form>

      <div className="card admin-table-card">
        <InlineError error={loadError} onRetry={reload} />
        {areas === null ? (
          loadError == null && <div className="muted pad">{t('common.loading')}</div>
        ) : areas.length === 0 ? (
          <div className="muted pad">{t('areas.empty')}</div>
        ) : (
          <table className="admin-table" data-testid="areas-table">
            <thead>
              <tr>
                <th>{t('areas.name')}</th>
                <th>{t('areas.description')}</th>
                <th>{t('areas.autoAssign')}</th>
                <th>{t('areas.capacity')}</th>
                <th>{t('areas.active')}</th>
                <th>
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {areas.map((a) => {
                const editing = draft?.id === a.id
                const err = rowError?.id === a.id ? rowError.error : null
                return (
                  <tr
                    key={a.id}
                    data-testid="area-row"
                    data-area-id={a.id}
                    data-active={a.active}
                    className={a.active ? '' : 'row-inactive'}
                  >
                    {editing && draft ? (
                      <>
                        <td>
                          <input
                            className="cell-input"
                            data-testid="area-edit-name"
                            aria-label={t('areas.name')}
                            value={draft.name}
                            required
                            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                            onKeyDown={(e) => {
                              if (e.key === 'Enter') void saveDraft()
                              if (e.key === 'Escape') setDraft(null)
                            }}
                          />
                        </td>
                        <td>
                          <input
                            className="cell-input"
                            data-testid="area-edit-description"
                            aria-label={t('areas.description')}
                            value={draft.description}
                            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
                            onKeyDown={(e) => {
                              if (e.key === 'Enter') void saveDraft()
                              if (e.key === 'Escape') setDraft(null)
                            }}
                          />
                          {err != null && (
                            <div className="cell-error" role="alert">
                              {errorMessage(err, t)}
                            </div>
                          )}
                        </td>
                      </>
                    ) : (
                      <>
                        <td className="cell-strong" data-testid="area-name">
                          {a.name}
                        </td>
                        <td className="muted">
                          {a.description}
                          {err != null && (
                            <div className="cell-error" role="alert">
                              {errorMessage(err, t)}
                            </div>
                          )}
                        </td>
                      </>
                    )}
                    {editing && draft ? (
                      <>
                        <td>
                          <label className="switch">
                            <input
                              type="checkbox"
                              role="switch"
                              data-testid="area-auto-assign"
                              aria-label={t('areas.autoAssign')}
                              checked={draft.autoAssign}
                              onChange={(e) => setDraft({ ...draft, autoAssign: e.target.checked })}
                            />
                            <span>{draft.autoAssign ? t('common.yes') : t('common.no')}</span>
                          </label>
                        </td>
                        <td>
                          <input
                            type="number"
                            className="cell-input input-narrow"
                            data-testid="area-capacity"
                            aria-label={t('areas.capacity')}
                            title={t('areas.capacityHint')}
                            min={1}
                            max={100}
                            step={1}
                            value={draft.capacity}
                            onChange={(e) => setDraft({ ...draft, capacity: e.target.value })}
                            onKeyDown={(e) => {
                              if (e.key === 'Enter') void saveDraft()
                              if (e.key === 'Escape') setDraft(null)
                            }}
                          />
                        </td>
                      </>
                    ) : (
                      <>
                        <td data-testid="area-auto-assign-value" data-value={a.autoAssign ?? false}>
                          {a.autoAssign ? t('common.yes') : t('common.no')}
                        </td>
                        <td data-testid="area-capacity-value">{a.capacity ?? '—'}</td>
                      </>
                    )}
                    <td>
                      <label className="switch">
                        <input
                          type="checkbox"
                          role="switch"
                          data-testid="area-active-toggle"
                          checked={a.active}
                          aria-label={t('areas.active')}
                          onChange={() => void toggleActive(a)}
                        />
                        <span>{a.active ? t('common.yes') : t('common.no')}</span>
                      </label>
                    </td>
                    <td className="cell-actions">
                      {editing ? (
                        <>
                          <button
                            type="button"
                            className="btn btn-primary btn-sm"
                            data-testid="area-save"
                            disabled={
                              saving ||
                              !draft?.name.trim() ||
                              parseCapacity(draft?.capacity ?? '') === null
                            }
                            onClick={() => void saveDraft()}
                          >
                            {t('common.save')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            data-testid="area-edit-cancel"
                            onClick={() => {
                              setDraft(null)
                              setRowError(null)
                            }}
                          >
                            {t('common.cancel')}
                          </button>
                        </>
                      ) : (
                        <>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            data-testid="area-edit"
                            onClick={() => {
                              setRowError(null)
                              setDraft({
                                id: a.id,
                                name: a.name,
                                description: a.description ?? '',
                                autoAssign: a.autoAssign ?? false,
                                capacity: String(a.capacity ?? DEFAULT_CAPACITY),
                              })
                            }}
                          >
                            {t('common.edit')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            data-testid="area-survey"
                            onClick={() => setSurveyOf(a)}
                          >
                            {t('surveys.button')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            data-testid="area-targets"
                            onClick={() => setTargetsOf(a)}
                          >
                            {t('targets.button')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm btn-danger-text"
                            data-testid="area-delete"
                            onClick={() => askDelete(a)}
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

      {surveyOf && (
        <Modal
          title={t('surveys.title', { name: surveyOf.name })}
          testId="area-survey-dialog"
          wide
          onClose={closeSurvey}
        >
          <AreaSurveyEditor areaId={surveyOf.id} onSaved={closeSurvey} onCancel={closeSurvey} />
        </Modal>
      )}

      {targetsOf && (
        <Modal
          title={t('targets.title', { name: targetsOf.name })}
          testId="area-targets-dialog"
          wide
          onClose={closeTargets}
        >
          <AreaTargetsEditor areaId={targetsOf.id} onSaved={closeTargets} onCancel={closeTargets} />
        </Modal>
      )}

      {toDelete && (
        <ConfirmDialog
          title={t('areas.deleteTitle')}
          message={t('areas.deleteConfirm', { name: toDelete.name })}
          confirmLabel={t('common.delete')}
          confirmTestId="area-delete-confirm"
          busy={deleting}
          error={deleteError != null ? errorMessage(deleteError, t) : null}
          secondary={
            deleteConflict && toDelete.active
              ? {
                  label: t('areas.deactivateInstead'),
                  testId: 'area-deactivate-instead',
                  onClick: () => void deactivateInstead(),
                }
              : undefined
          }
          onConfirm={() => void confirmDelete()}
          onCancel={cancelDelete}
        />
      )}
    </div>
  )
}
