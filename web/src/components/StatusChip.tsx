import { useTranslation } from 'react-i18next'
import type { ConversationStatus } from '../api/types'

export default function StatusChip({
  status,
  testId,
}: {
  status: ConversationStatus | (string & {})
  testId?: string
}) {
  const { t } = useTranslation()
  return (
    <span className={`chip chip-${status}`} data-testid={testId} data-status={status}>
      {t(`status.${status}`, status)}
    </span>
  )
}
