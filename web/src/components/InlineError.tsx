import { useTranslation } from 'react-i18next'
import { errorMessage } from '../util'

interface Props {
  /** nothing is shown while it is null / undefined */
  error: unknown
  /** shows a "Retry" link */
  onRetry?: () => void
  testId?: string
}

/** A failed load (or action) above a list: the message, and a way to try again. */
export default function InlineError({ error, onRetry, testId }: Props) {
  const { t } = useTranslation()
  if (error == null) return null
  return (
    <div className="inline-error" role="alert" data-testid={testId}>
      <span>{errorMessage(error, t)}</span>
      {onRetry && (
        <button type="button" className="btn btn-link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}
