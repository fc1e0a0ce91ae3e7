import type { TFunction } from 'i18next'
import { ApiError } from './api/client'
import type { Schedule, ScheduleInput, TimeInterval } from './api/types'
import { errorMessage, parseDate } from './util'

/** Minutes in a day: "24:00" as an end. */
export const DAY_MINUTES = 24 * 60

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/

/** "09:30" → 570; null when it is not a time the server accepts. */
export function toMinutes(value: string): number | null {
  if (!HHMM.test(value)) return null
  const [hours, minutes] = value.split(':')
  return Number(hours) * 60 + Number(minutes)
}

export function toHHMM(minutes: number): string {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
}

/** An interval being edited; `key` only identifies it in React lists. */
export interface DraftInterval {
  key: number
  start: string
  end: string
}

export interface DraftException {
  key: number
  /** "YYYY-MM-DD", or "" until picked */
  date: string
  note: string
  /** none: closed all day */
  intervals: DraftInterval[]
}

/** The form's state: what a PUT would send, in a shape that is easy to edit. */
export interface Draft {
  timezone: string
  courtesyMessage: string
  /** seven lists, Monday first */
  week: DraftInterval[][]
  exceptions: DraftException[]
}

let lastKey = 0
export function newKey(): number {
  lastKey += 1
  return lastKey
}

export function draftInterval(i: TimeInterval): DraftInterval {
  return { key: newKey(), start: i.start, end: i.end }
}

export function draftOf(s: Schedule): Draft {
  const week: DraftInterval[][] = Array.from({ length: 7 }, () => [])
  for (const i of s.intervals) week[i.weekday]?.push(draftInterval(i))
  return {
    timezone: s.timezone,
    courtesyMessage: s.courtesyMessage ?? '',
    week,
    exceptions: s.exceptions.map((e) => ({
      key: newKey(),
      date: e.date,
      note: e.note ?? '',
      intervals: e.intervals.map(draftInterval),
    })),
  }
}

/** The body of PUT /api/working-hours/{areaId}. */
export function payloadOf(d: Draft): ScheduleInput {
  return {
    timezone: d.timezone.trim(),
    courtesyMessage: d.courtesyMessage.trim() || null,
    intervals: d.week.flatMap((day, weekday) =>
      day.map((i) => ({ weekday, start: i.start, end: i.end })),
    ),
    exceptions: d.exceptions.map((e) => ({
      date: e.date,
      note: e.note.trim() || null,
      intervals: e.intervals.map((i) => ({ start: i.start, end: i.end })),
    })),
  }
}

/** A sensible next interval for a day: 09:00–13:00, or an hour after the last one ends. */
export function nextInterval(day: DraftInterval[]): DraftInterval {
  const ends = day.map((i) => toMinutes(i.end)).filter((m): m is number => m !== null)
  if (ends.length === 0) return draftInterval({ start: '09:00', end: '13:00' })
  const start = Math.min(Math.max(...ends) + 60, DAY_MINUTES - 60)
  return draftInterval({ start: toHHMM(start), end: toHHMM(Math.min(start + 240, DAY_MINUTES)) })
}

export type Problem = 'time' | 'order' | 'overlap'

/** What the server will refuse in one day's intervals, by interval key. */
export function problemsOf(day: DraftInterval[]): Map<number, Problem> {
  const out = new Map<number, Problem>()
  const spans: { key: number; start: number; end: number }[] = []
  for (const i of day) {
    const start = toMinutes(i.start)
    const end = toMinutes(i.end)
    if (start === null || end === null) out.set(i.key, 'time')
    else if (end <= start) out.set(i.key, 'order')
    else spans.push({ key: i.key, start, end })
  }
  spans.sort((a, b) => a.start - b.start)
  spans.forEach((a, n) => {
    for (const b of spans.slice(n + 1)) {
      if (b.start >= a.end) break
      out.set(a.key, 'overlap')
      out.set(b.key, 'overlap')
    }
  })
  return out
}

/** Dates listed more than once among the exceptions. */
export function repeatedDates(exceptions: DraftException[]): Set<string> {
  const seen = new Set<string>()
  const twice = new Set<string>()
  for (const e of exceptions) {
    if (!e.date) continue
    if (seen.has(e.date)) twice.add(e.date)
    seen.add(e.date)
  }
  return twice
}

/** IANA time zone names the browser knows (plus UTC, which some browsers leave out). */
export function timeZones(): string[] {
  let zones: string[]
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    zones = []
  }
  return zones.includes('UTC') ? zones : ['UTC', ...zones]
}

export function isKnownZone(zone: string): boolean {
  if (!zone.trim()) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** Localized day names, Monday first. */
export function weekdayNames(lang: string, style: 'long' | 'short' = 'long'): string[] {
  const fmt = new Intl.DateTimeFormat(lang, { weekday: style, timeZone: 'UTC' })
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, n) => fmt.format(new Date(Date.UTC(2024, 0, 1 + n))))
}

/** Day name of a "YYYY-MM-DD" date, or "" when it is not one. */
export function weekdayOfDate(date: string, lang: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  if (Number.isNaN(d.getTime())) return ''
  return new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(d)
}

const SHORT_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/** Weekday (0 = Monday) and minute of the day at `now` in `zone`; null for an unknown zone. */
export function localMoment(now: number, zone: string): { weekday: number; minute: number } | null {
  if (!isKnownZone(zone)) return null
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const weekday = SHORT_DAYS.indexOf(part('weekday'))
  if (weekday < 0) return null
  return { weekday, minute: Number(part('hour')) * 60 + Number(part('minute')) }
}

/** A date and time shown in the area's zone (the browser's when the zone is unknown to it). */
export function formatInZone(
  at: string | number | null,
  zone: string,
  lang: string,
  withDate = true,
): string {
  const d = typeof at === 'number' ? new Date(at) : parseDate(at)
  if (!d) return ''
  const opts: Intl.DateTimeFormatOptions = withDate
    ? { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }
    : { weekday: 'long', hour: '2-digit', minute: '2-digit' }
  if (isKnownZone(zone)) opts.timeZone = zone
  return new Intl.DateTimeFormat(lang, opts).format(d)
}

interface PydanticError {
  loc?: unknown
  msg?: unknown
}

/** The server's wording, translated when it is one of the schedule checks we know. */
function translateMessage(raw: string, t: TFunction, dayName: (weekday: number) => string): string {
  const msg = raw.replace(/^Value error, /, '')
  let m = /^overlapping intervals on weekday (\d)$/.exec(msg)
  if (m) return t('workingHours.errors.overlapDay', { day: dayName(Number(m[1])) })
  m = /^overlapping intervals on (\d{4}-\d{2}-\d{2})$/.exec(msg)
  if (m) return t('workingHours.errors.overlapDate', { date: m[1] })
  m = /^ends \((.*)\) before it starts \((.*)\)/.exec(msg)
  if (m) return t('workingHours.errors.order', { end: m[1], start: m[2] })
  m = /^unknown time zone '(.*)'/.exec(msg)
  if (m) return t('workingHours.errors.timezone', { zone: m[1] })
  if (msg.startsWith('a date is listed twice')) return t('workingHours.errors.dateTwice')
  m = /^'(.*)' is not a time like/.exec(msg)
  if (m) return t('workingHours.errors.time', { value: m[1] })
  return msg
}

/** Where in the form a pydantic error location points ("Monday 09:00–13:00", "Time zone"…). */
function placeOf(
  loc: unknown[],
  body: ScheduleInput,
  t: TFunction,
  dayName: (weekday: number) => string,
): string {
  const [section, index] = loc[0] === 'body' ? loc.slice(1) : loc
  if (section === 'timezone') return t('workingHours.timezone')
  if (section === 'courtesyMessage') return t('workingHours.courtesy')
  if (section === 'intervals' && typeof index === 'number') {
    const i = body.intervals?.[index]
    return i ? `${dayName(i.weekday)} ${i.start || '?'}–${i.end || '?'}` : t('workingHours.weekly')
  }
  if (section === 'exceptions' && typeof index === 'number') {
    const e = body.exceptions?.[index]
    return t('workingHours.exceptionOn', { date: e?.date || '?' })
  }
  return ''
}

/** One line per problem of a failed save: validation errors name the day or date they are about. */
export function saveErrors(
  err: unknown,
  body: ScheduleInput,
  t: TFunction,
  dayName: (weekday: number) => string,
): string[] {
  if (err instanceof ApiError && Array.isArray(err.detail)) {
    const lines = (err.detail as PydanticError[])
      .filter((d) => d && typeof d.msg === 'string')
      .map((d) => {
        const msg = translateMessage(String(d.msg), t, dayName)
        const place = placeOf(Array.isArray(d.loc) ? d.loc : [], body, t, dayName)
        return place ? `${place}: ${msg}` : msg
      })
    if (lines.length > 0) return [...new Set(lines)]
  }
  return [errorMessage(err, t)]
}
