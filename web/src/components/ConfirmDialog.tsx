import { useLayoutEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'

interface Props {
  title: string
  message: string
  confirmLabel: string
  confirmTestId?: string
  busy?: boolean
  error?: string | null
  onConfirm: () => void
  onCancel: () => void
  /** optional extra action shown next to Cancel (e.g. "Deactivate instead") */
  secondary?: { label: string; testId?: string; onClick: () => void }
}

/** In-page modal confirmation (no window.confirm, so it can be tested). */
export default function ConfirmDialog(props: Props) {
  const { t } = useTranslation()
  const { onCancel } = props
  const confirmRef = useRef<HTMLButtonElement>(null)

  // A layout effect, so the key listener is there as soon as this shows (Preact runs plain
  // effects a frame later, and an Escape pressed in between would be lost).
  useLayoutEffect(() => {
    confirmRef.current?.focus()
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onCancel()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onCancel])

  return (
    <div className="modal-backdrop" onMouseDown={onCancel}>
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="confirm-dialog"
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2 id="confirm-title">{props.title}</h2>
        <p>{props.message}</p>
        {props.error && (
          <p className="form-error" role="alert">
            {props.error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          {props.secondary && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid={props.secondary.testId}
              disabled={props.busy}
              onClick={props.secondary.onClick}
            >
              {props.secondary.label}
            </button>
          )}
          <button
            type="button"
            ref={confirmRef}
            className="btn btn-danger"
            data-testid={props.confirmTestId}
            disabled={props.busy}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  )
}
