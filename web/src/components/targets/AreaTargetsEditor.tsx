import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { client, unwrap } from '../../api/client'
import { areaTargetsQuery, keys } from '../../api/queries'
import type { AreaTargets, AreaTargetsInput } from '../../api/types'
import InlineError from '../InlineError'
import { formatDuration } from '../reports/format'
import { errorMessage, fieldErrors } from '../../util'
import './targets.css'

/** The server's limit: thirty days (helpline/targets/schemas.py). */
export const MAX_MINUTES = 60 * 24 * 30

type Field = 'firstResponseMinutes' | 'resolutionMinutes'
const FIELDS: readonly Field[] = ['firstResponseMinutes', 'resolutionMinutes']
/** pydantic names a refused field by its alias or by its Python name */
const FIELD_OF: Record<string, Field> = {
  firstResponseMinutes: 'firstResponseMinutes',
  first_response_minutes: 'firstResponseMinutes',
  resolutionMinutes: 'resolutionMinutes',
  resolution_minutes: 'resolutionMinutes',
}

type Draft = Record<Field, string>

function draftOf(s: AreaTargets): Draft {
  return {
    firstResponseMinutes: s.firstResponseMinutes === null ? '' : String(s.firstResponseMinutes),
    resolutionMinutes: s.resolutionMinutes === null ? '' : String(s.resolutionMinutes),
  }
}

/** The minutes typed (null: empty, no target), or undefined when they are not valid. */
function parseMinutes(raw: string): number | null | undefined {
  const text = raw.trim()
  if (text === '') return null
  if (!/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return n >= 1 && n <= MAX_MINUTES ? n : undefined
}

/** A part of a 422's `loc` that is one of the form's fields. */
function fieldOf(part: unknown): Field | undefined {
  return typeof part === 'string' ? FIELD_OF[part] : undefined
}

/**
 * An area's service targets (GET/PUT /api/areas/{id}/targets): how many minutes the desk
 * has for a conversation's first response and for its resolution (empty: no target),
 * counted in the area's working hours when it has them, else in clock time. Admins change
 * any area's, supervisors their own areas' (the server answers 403 otherwise, shown here as
 * it comes).
 */
export default function AreaTargetsEditor({
  areaId,
  onSaved,
  onCancel,
}: {
  areaId: number
  /** after a successful save (the dialog closes) */
  onSaved?: (targets: AreaTargets) => void
  onCancel?: () => void
}) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const targetsQ = useQuery(areaTargetsQuery(areaId))
  const saved = targetsQ.data ?? null

  // The form edits a draft of what the server has; new server data starts a new draft.
  const [draft, setDraft] = useState<Draft | null>(null)
  const [draftBase, setDraftBase] = useState<AreaTargets | null>(null)
  if (saved !== null && saved !== draftBase) {
    setDraftBase(saved)
    setDraft(draftOf(saved))
  }

  const saveTargets = useMutation({
    mutationFn: (body: AreaTargetsInput) =>
      unwrap(client.PUT('/api/areas/{area_id}/targets', { params: { path: { area_id: areaId } }, body })),
    onSuccess: (targets) => {
      qc.setQueryData(keys.areaTargets(areaId), targets)
      onSaved?.(targets)
    },
  })

  if (draft === null || saved === null) {
    return targetsQ.error != null ? (
      <InlineError error={targetsQ.error} onRetry={() => void targetsQ.refetch()} testId="targets-load-error" />
    ) : (
      <div className="muted">{t('common.loading')}</div>
    )
  }

  const edit = (field: Field, value: string) => {
    setDraft({ ...draft, [field]: value })
    saveTargets.reset()
  }
  const parsed: Record<Field, number | null | undefined> = {
    firstResponseMinutes: parseMinutes(draft.firstResponseMinutes),
    resolutionMinutes: parseMinutes(draft.resolutionMinutes),
  }
  const invalid = FIELDS.some((f) => parsed[f] === undefined)
  const dirty = FIELDS.some((f) => parsed[f] !== saved[f])
  const error = saveTargets.error
  const byField = fieldErrors(error, fieldOf)
  const saving = saveTargets.isPending
  const justSaved = saveTargets.isSuccess && !dirty

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (saving || invalid || !dirty) return
    saveTargets.mutate({
      firstResponseMinutes: parsed.firstResponseMinutes ?? null,
      resolutionMinutes: parsed.resolutionMinutes ?? null,
    })
  }

  const minutesField = (field: Field, label: string, hint: string) => {
    const value = parsed[field]
    const testId = field === 'firstResponseMinutes' ? 'targets-first-response' : 'targets-resolution'
    return (
      <label className="field">
        <span>{label}</span>
        <span className="targets-input">
          <input
            type="number"
            inputMode="numeric"
            className="input-narrow"
            data-testid={testId}
            min={1}
            max={MAX_MINUTES}
            step={1}
            placeholder={t('targets.none')}
            value={draft[field]}
            aria-invalid={value === undefined || byField[field] !== undefined}
            onChange={(e) => edit(field, e.target.value)}
          />
          <span className="muted">{t('targets.minutes')}</span>
          {typeof value === 'number' && value >= 60 && (
            <span className="muted small" data-testid={`${testId}-length`}>
              = {formatDuration(value * 60, t)}
            </span>
          )}
        </span>
        {value === undefined ? (
          <span className="cell-error" data-testid={`${testId}-error`}>
            {t('targets.invalid', { max: MAX_MINUTES })}
          </span>
        ) : byField[field] !== undefined ? (
          <span className="cell-error" data-testid={`${testId}-error`}>
            {byField[field]}
          </span>
        ) : (
          <span className="muted small">{hint}</span>
        )}
      </label>
    )
  }

  return (
    <form className="targets-editor" data-testid="targets-editor" data-basis={saved.basis} onSubmit={submit}>
      <p className={`targets-basis targets-basis-${saved.basis}`} data-testid="targets-basis" data-basis={saved.basis}>
        <strong>{t(`targets.basis.${saved.basis}`)}</strong> {t(`targets.basisHelp.${saved.basis}`)}
      </p>
      <div className="form-grid">
        {minutesField('firstResponseMinutes', t('targets.firstResponse'), t('targets.firstResponseHint'))}
        {minutesField('resolutionMinutes', t('targets.resolution'), t('targets.resolutionHint'))}
      </div>
      <p className="muted small">{t('targets.help')}</p>
      {error != null && (
        <div className="form-error" role="alert" data-testid="targets-error">
          <strong>{t('targets.notSaved')}</strong>{' '}
          {Object.keys(byField).length > 0 ? t('targets.checkFields') : errorMessage(error, t)}
        </div>
      )}
      <div className="modal-actions">
        {justSaved && !onSaved && (
          <span className="muted targets-saved" role="status" data-testid="targets-saved">
            {t('targets.saved')}
          </span>
        )}
        {onCancel && (
          <button type="button" className="btn btn-ghost" data-testid="targets-cancel" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="targets-save"
          disabled={!dirty || saving || invalid}
        >
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  )
}
