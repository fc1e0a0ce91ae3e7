import { useLayoutEffect, useId } from 'react'
import type { ReactNode } from 'react'

interface Props {
  title: string
  testId?: string
  /** wider variant for forms */
  wide?: boolean
  onClose: () => void
  children: ReactNode
}

/** In-page modal dialog (backdrop click and Escape close it). */
export default function Modal({ title, testId, wide, onClose, children }: Props) {
  const titleId = useId()

  // A layout effect, so the key listener is there as soon as this shows (Preact runs plain
  // effects a frame later, and an Escape pressed in between would be lost).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div
        className={`modal ${wide ? 'modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        onMouseDown={(e) => e.stopPropagation()}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
      </div>
    </div>
  )
}
