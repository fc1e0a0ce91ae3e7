import { useTranslation } from 'react-i18next'
import type { DraftInterval, Problem } from '../workingHours'

interface Props {
  interval: DraftInterval
  /** what the interval is, for screen readers: "Monday, interval 1" */
  label: string
  problem?: Problem
  /** stacked (narrow week columns) or on one line (exceptions) */
  inline?: boolean
  testId: string
  onChange: (next: DraftInterval) => void
  onRemove: () => void
}

/** The id of an interval's start input (the week view's blocks focus it). */
export function startInputId(key: number): string {
  return `wh-interval-${key}-start`
}

/**
 * Start and end of one interval. A time input cannot hold "24:00": an end of 00:00 is read
 * as midnight at the end of the day, which is what the server calls "24:00".
 */
export default function IntervalFields(props: Props) {
  const { t } = useTranslation()
  const { interval, problem } = props
  const end = interval.end === '24:00' ? '00:00' : interval.end
  return (
    <div
      className={`wh-interval ${props.inline ? 'wh-interval-inline' : ''} ${problem ? 'wh-interval-bad' : ''}`}
      data-testid={props.testId}
      data-start={interval.start}
      data-end={interval.end}
      data-problem={problem ?? ''}
    >
      <input
        type="time"
        id={startInputId(interval.key)}
        data-testid={`${props.testId}-start`}
        aria-label={t('workingHours.fromOf', { what: props.label })}
        value={interval.start}
        required
        onChange={(e) => props.onChange({ ...interval, start: e.target.value })}
      />
      {props.inline && <span aria-hidden="true">–</span>}
      <input
        type="time"
        data-testid={`${props.testId}-end`}
        aria-label={t('workingHours.toOf', { what: props.label })}
        title={t('workingHours.midnightHint')}
        value={end}
        required
        onChange={(e) =>
          props.onChange({ ...interval, end: e.target.value === '00:00' ? '24:00' : e.target.value })
        }
      />
      <button
        type="button"
        className="btn btn-ghost btn-xs btn-danger-text wh-interval-delete"
        data-testid={`${props.testId}-delete`}
        aria-label={t('workingHours.deleteInterval', { what: props.label })}
        title={t('workingHours.deleteInterval', { what: props.label })}
        onClick={props.onRemove}
      >
        ×
      </button>
      {problem && (
        <div className="cell-error wh-interval-problem" data-testid={`${props.testId}-problem`}>
          {t(`workingHours.problem.${problem}`)}
        </div>
      )}
    </div>
  )
}
