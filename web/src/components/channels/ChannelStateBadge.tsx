import { useTranslation } from 'react-i18next'
import { isChannelState } from '../../channels'

/** A channel's state as a coloured chip; the detail (an error, a hint) as its tooltip. */
export default function ChannelStateBadge({
  status,
  detail,
  testId,
}: {
  status: string
  detail?: string | null
  testId?: string
}) {
  const { t } = useTranslation()
  const known = isChannelState(status)
  return (
    <span
      className={`chip ch-chip ch-chip-${known ? status : 'unknown'}`}
      data-testid={testId}
      data-status={status}
      title={detail ?? undefined}
    >
      {known && <span className="ch-chip-dot" aria-hidden="true" />}
      {t(`channels.state.${status}`, status)}
    </span>
  )
}
