import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { client, unwrap } from '../../api/client'
import { areaSurveyQuery, keys } from '../../api/queries'
import type { AreaSurvey, AreaSurveyInput } from '../../api/types'
import InlineError from '../InlineError'
import { errorMessage, fieldErrors } from '../../util'

/** The texts' limit on the server (WhatsApp's for an interactive message's body). */
const TEXT_LENGTH = 1024

type Field = 'question' | 'thanks'

function draftOf(s: AreaSurvey): AreaSurveyInput {
  return { enabled: s.enabled, question: s.question, thanks: s.thanks }
}

/** A part of a 422's `loc` that is one of the form's fields. */
function fieldOf(part: unknown): Field | undefined {
  return part === 'question' || part === 'thanks' ? part : undefined
}

/**
 * An area's satisfaction survey (GET/PUT /api/areas/{id}/survey): on or off, the question
 * the customer is asked when a conversation a person served closes, and the thanks sent
 * after the rating. Admins change any area's, supervisors their own areas' (the server
 * answers 403 otherwise, shown here as it comes).
 */
export default function AreaSurveyEditor({
  areaId,
  onSaved,
  onCancel,
}: {
  areaId: number
  /** after a successful save (the dialog closes) */
  onSaved?: (survey: AreaSurvey) => void
  onCancel?: () => void
}) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const surveyQ = useQuery(areaSurveyQuery(areaId))
  const saved = surveyQ.data ?? null

  // The form edits a draft of what the server has; new server data starts a new draft.
  const [draft, setDraft] = useState<AreaSurveyInput | null>(null)
  const [draftBase, setDraftBase] = useState<AreaSurvey | null>(null)
  if (saved !== null && saved !== draftBase) {
    setDraftBase(saved)
    setDraft(draftOf(saved))
  }

  const saveSurvey = useMutation({
    mutationFn: (body: AreaSurveyInput) =>
      unwrap(client.PUT('/api/areas/{area_id}/survey', { params: { path: { area_id: areaId } }, body })),
    onSuccess: (survey) => {
      qc.setQueryData(keys.areaSurvey(areaId), survey)
      onSaved?.(survey)
    },
  })

  if (draft === null || saved === null) {
    return surveyQ.error != null ? (
      <InlineError error={surveyQ.error} onRetry={() => void surveyQ.refetch()} testId="survey-load-error" />
    ) : (
      <div className="muted">{t('common.loading')}</div>
    )
  }

  const edit = (change: Partial<AreaSurveyInput>) => {
    setDraft({ ...draft, ...change })
    saveSurvey.reset()
  }
  const dirty =
    draft.enabled !== saved.enabled || draft.question !== saved.question || draft.thanks !== saved.thanks
  const blank: Record<Field, boolean> = {
    question: draft.question.trim() === '',
    thanks: draft.thanks.trim() === '',
  }
  const error = saveSurvey.error
  const byField = fieldErrors(error, fieldOf)
  const saving = saveSurvey.isPending

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (saving || blank.question || blank.thanks) return
    saveSurvey.mutate({ ...draft, question: draft.question.trim(), thanks: draft.thanks.trim() })
  }

  const textField = (field: Field, label: string, hint: string) => (
    <label className="field">
      <span>{label}</span>
      <textarea
        className="field-textarea"
        data-testid={`survey-${field}`}
        rows={3}
        maxLength={TEXT_LENGTH}
        value={draft[field]}
        aria-invalid={blank[field] || byField[field] !== undefined}
        onChange={(e) => {
          const value = e.target.value
          edit(field === 'question' ? { question: value } : { thanks: value })
        }}
      />
      {blank[field] ? (
        <span className="cell-error" data-testid={`survey-${field}-error`}>
          {t('surveys.required')}
        </span>
      ) : byField[field] !== undefined ? (
        <span className="cell-error" data-testid={`survey-${field}-error`}>
          {byField[field]}
        </span>
      ) : (
        <span className="muted small">{hint}</span>
      )}
    </label>
  )

  return (
    <form
      className="survey-editor"
      data-testid="survey-editor"
      data-enabled={saved.enabled}
      onSubmit={submit}
    >
      <label className="switch survey-switch">
        <input
          type="checkbox"
          role="switch"
          data-testid="survey-enabled"
          checked={draft.enabled}
          onChange={(e) => edit({ enabled: e.target.checked })}
        />
        <span>{draft.enabled ? t('surveys.on') : t('surveys.off')}</span>
      </label>
      <p className="muted small">{t('surveys.help')}</p>
      {textField('question', t('surveys.question'), t('surveys.questionHint'))}
      {textField('thanks', t('surveys.thanks'), t('surveys.thanksHint'))}
      {error != null && (
        <div className="form-error" role="alert" data-testid="survey-error">
          <strong>{t('surveys.notSaved')}</strong>{' '}
          {Object.keys(byField).length > 0 ? t('surveys.checkFields') : errorMessage(error, t)}
        </div>
      )}
      <div className="modal-actions">
        {onCancel && (
          <button type="button" className="btn btn-ghost" data-testid="survey-cancel" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="survey-save"
          disabled={!dirty || saving || blank.question || blank.thanks}
        >
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  )
}
