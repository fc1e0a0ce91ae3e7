import { useTranslation } from 'react-i18next'
import type { TargetState } from '../../targets'

/** "14:05" today, "12 Mar, 14:05" another day, in the viewer's language. */
export function dueTime(due: number, now: number, lang: string): string {
  const at = new Date(due)
  const sameDay = at.toDateString() === new Date(now).toDateString()
  return at.toLocaleString(
    lang,
    sameDay
      ? { hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
  )
}

/**
 * A conversation row's next service-target deadline: a short chip ("Reply by 14:05",
 * "Reply overdue"), coloured when close to it or past it, whose title and hidden text say
 * it in full ("First response due 14:05", "First response overdue (due 14:05)").
 */
export default function TargetDue({ state, now }: { state: TargetState; now: number }) {
  const { t, i18n } = useTranslation()
  const time = dueTime(state.due, now, i18n.resolvedLanguage ?? 'en')
  const full = t(`targets.row.${state.kind}.${state.level}`, { time })
  return (
    <span
      className={`target-due target-due-${state.level}`}
      data-testid="target-due"
      data-kind={state.kind}
      data-level={state.level}
      data-due-at={new Date(state.due).toISOString()}
      title={full}
    >
      <span aria-hidden="true">{t(`targets.chip.${state.kind}.${state.level === 'past' ? 'past' : 'due'}`, { time })}</span>
      <span className="visually-hidden">{full}</span>
    </span>
  )
}
