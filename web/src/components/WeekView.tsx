import { useTranslation } from 'react-i18next'
import IntervalFields, { startInputId } from './IntervalFields'
import { DAY_MINUTES, nextInterval, problemsOf, toMinutes } from '../workingHours'
import type { DraftInterval } from '../workingHours'

interface Props {
  /** seven lists of intervals, Monday first */
  week: DraftInterval[][]
  /** localized, Monday first */
  dayNames: string[]
  /** where to draw the "now" line (area time), or null */
  now: { weekday: number; minute: number } | null
  onDayChange: (weekday: number, day: DraftInterval[]) => void
}

const AXIS_HOURS = [0, 3, 6, 9, 12, 15, 18, 21, 24]

function pct(minutes: number): string {
  return `${(minutes / DAY_MINUTES) * 100}%`
}

/** Opening hours of Monday–Sunday on a 24-hour axis, each day editable below its column. */
export default function WeekView({ week, dayNames, now, onDayChange }: Props) {
  const { t } = useTranslation()

  return (
    <div className="wh-week-scroll">
      <div className="wh-week" data-testid="wh-week">
        <div className="wh-day wh-axis-col" aria-hidden="true">
          <div className="wh-day-head" />
          <div className="wh-axis">
            {AXIS_HOURS.map((h) => (
              <span key={h} className="wh-axis-label" style={{ top: pct(h * 60) }}>
                {String(h).padStart(2, '0')}:00
              </span>
            ))}
          </div>
        </div>
        {week.map((day, weekday) => {
          const name = dayNames[weekday] ?? String(weekday)
          const problems = problemsOf(day)
          const open = day.reduce((sum, i) => {
            const start = toMinutes(i.start)
            const end = toMinutes(i.end)
            return start !== null && end !== null && end > start ? sum + end - start : sum
          }, 0)
          const labelOf = (n: number) => t('workingHours.intervalOf', { day: name, n: n + 1 })
          return (
            <div
              key={weekday}
              className="wh-day"
              data-testid="wh-day"
              data-weekday={weekday}
              role="group"
              aria-label={name}
            >
              <div className="wh-day-head">
                <span className="wh-day-name">{name}</span>
                <span className="muted small" data-testid="wh-day-total">
                  {day.length === 0
                    ? t('workingHours.closed')
                    : t('workingHours.totalHours', { n: Math.round((open / 60) * 10) / 10 })}
                </span>
              </div>
              <div className="wh-track">
                {day.map((i, n) => {
                  const start = toMinutes(i.start)
                  const end = toMinutes(i.end)
                  if (start === null || end === null || end <= start) return null
                  const problem = problems.get(i.key)
                  return (
                    <button
                      type="button"
                      key={i.key}
                      className={`wh-block ${problem ? 'wh-block-bad' : ''}`}
                      data-testid="wh-block"
                      data-start={i.start}
                      data-end={i.end}
                      style={{ top: pct(start), height: pct(end - start) }}
                      title={`${labelOf(n)}: ${i.start}–${i.end}`}
                      aria-label={`${labelOf(n)}: ${i.start}–${i.end}`}
                      onClick={() => document.getElementById(startInputId(i.key))?.focus()}
                    >
                      <span className="wh-block-text">
                        {i.start}–{i.end}
                      </span>
                    </button>
                  )
                })}
                {now && now.weekday === weekday && (
                  <div
                    className="wh-now"
                    style={{ top: pct(now.minute) }}
                    title={t('workingHours.nowLine')}
                    aria-hidden="true"
                  />
                )}
              </div>
              <div className="wh-day-edit">
                {day.map((i, n) => (
                  <IntervalFields
                    key={i.key}
                    interval={i}
                    label={labelOf(n)}
                    problem={problems.get(i.key)}
                    testId="wh-interval"
                    onChange={(next) => onDayChange(weekday, day.map((x) => (x.key === i.key ? next : x)))}
                    onRemove={() => onDayChange(weekday, day.filter((x) => x.key !== i.key))}
                  />
                ))}
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  data-testid="wh-add-interval"
                  aria-label={t('workingHours.addIntervalTo', { day: name })}
                  onClick={() => onDayChange(weekday, [...day, nextInterval(day)])}
                >
                  + {t('workingHours.addInterval')}
                </button>
              </div>
            </div>
          )
        })}
      </div>
    </div>
  )
}
