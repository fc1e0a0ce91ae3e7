import { useState } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../../util'

interface Props {
  /** the text the input starts with */
  value: string
  /** what the cell shows when not editing */
  display: ReactNode
  /** false: read-only (agents) */
  editable: boolean
  label: string
  testId: string
  inputMode?: 'decimal' | 'numeric' | 'text'
  /** throws to keep the input open with the error */
  onSave: (text: string) => Promise<void>
}

/** A table cell that becomes an input on click: Enter or leaving saves, Escape cancels. */
export default function EditableCell({ value, display, editable, label, testId, inputMode, onSave }: Props) {
  const { t } = useTranslation()
  const [draft, setDraft] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  if (!editable) return <span data-testid={testId}>{display}</span>
  if (draft === null) {
    return (
      <button
        type="button"
        className="catalog-cell-button"
        data-testid={testId}
        title={t('catalog.clickToEdit')}
        aria-label={`${label}: ${value || '—'}. ${t('catalog.clickToEdit')}`}
        onClick={() => {
          setError(null)
          setDraft(value)
        }}
      >
        {display}
      </button>
    )
  }

  const save = async () => {
    if (busy || draft === null) return
    if (draft === value) {
      setDraft(null)
      return
    }
    setBusy(true)
    try {
      await onSave(draft)
      setDraft(null)
      setError(null)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault()
      void save()
    } else if (e.key === 'Escape') {
      setDraft(null)
      setError(null)
    }
  }

  return (
    <span className="catalog-cell-edit">
      <input
        autoFocus
        data-testid={`${testId}-input`}
        aria-label={label}
        aria-invalid={error != null}
        inputMode={inputMode}
        value={draft}
        disabled={busy}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKey}
        onBlur={() => void save()}
      />
      {error != null && (
        <span className="form-error small" role="alert" data-testid={`${testId}-error`}>
          {errorMessage(error, t)}
        </span>
      )}
    </span>
  )
}
