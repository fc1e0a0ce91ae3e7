import { useTranslation } from 'react-i18next'
import type { MessageStatus } from '../api/types'

function Check({ double }: { double: boolean }) {
  return (
    <svg viewBox="0 0 18 12" width="18" height="12" aria-hidden="true">
      <path
        d={double ? 'M1 6.5l3 3L10.5 2' : 'M4 6.5l3 3L13.5 2'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      {double && (
        <path
          d="M6.2 8.7l0.8 0.8L13.5 2"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      )}
    </svg>
  )
}

function Clock() {
  return (
    <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">
      <circle cx="6" cy="6" r="5" fill="none" stroke="currentColor" strokeWidth="1.2" />
      <path d="M6 3.2V6l2 1.3" fill="none" stroke="currentColor" strokeWidth="1.2" strokeLinecap="round" />
    </svg>
  )
}

/**
 * WhatsApp-like delivery ticks for an outbound message. A failed one says why on hover
 * (the bubble also shows the reason in full).
 */
export default function DeliveryState({
  status,
  error,
}: {
  status: MessageStatus | (string & {})
  error: string | null
}) {
  const { t } = useTranslation()
  const label = t(`delivery.${status}`, status)
  if (status === 'received') return null
  if (status === 'failed') {
    const title = error ? `${label}: ${error}` : label
    return (
      <span
        className="ticks ticks-failed"
        title={title}
        aria-label={title}
        data-testid="delivery-state"
        data-status={status}
      >
        !
      </span>
    )
  }
  if (status === 'queued' || status === 'sending') {
    return (
      <span
        className="ticks ticks-queued"
        title={label}
        aria-label={label}
        data-testid="delivery-state"
        data-status={status}
      >
        <Clock />
      </span>
    )
  }
  return (
    <span
      className={`ticks ticks-${status}`}
      title={label}
      aria-label={label}
      data-testid="delivery-state"
      data-status={status}
    >
      <Check double={status !== 'sent'} />
    </span>
  )
}
