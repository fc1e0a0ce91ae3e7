import type { TFunction } from 'i18next'
import type { ReportDurations, ReportQuery } from '../../api/types'

/** "45 s", "3 min", "2 h 5 min"; "—" without a value. */
export function formatDuration(seconds: number | null, t: TFunction): string {
  if (seconds === null) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return t('reports.seconds', { count: s })
  const minutes = Math.floor(s / 60)
  if (minutes < 60) return t('reports.minutes', { count: minutes })
  return t('reports.hours', { h: Math.floor(minutes / 60), m: minutes % 60 })
}

/** Whether a figure counted business hours, clock time or both. */
export function basisLabel(d: ReportDurations, t: TFunction): string {
  if (d.basis === null) return ''
  return t(`reports.basis.${d.basis}`)
}

export function formatShare(share: number | null, lang: string): string {
  if (share === null) return '—'
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(share)
}

/** A mean survey rating (1–5) with one or two decimals ("4.0", "4.25"); "—" without one. */
export function formatRating(mean: number | null, lang: string): string {
  if (mean === null) return '—'
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(mean)
}

/**
 * A report day ("2026-03-09", already the viewer's day) as the viewer's language writes it.
 * Read as UTC and written in UTC so that no time zone moves it to the day before.
 */
export function formatDay(day: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(new Date(`${day}T00:00:00Z`))
}

/** The viewer's time zone (the browser's), sent with every report. */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Today as YYYY-MM-DD in a time zone; `daysBack` days earlier. */
export function isoDay(zone: string, daysBack = 0): string {
  const at = new Date(Date.now() - daysBack * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(at)
}

/** The address of a table as a CSV file (same origin: the session cookie goes along). */
export function csvUrl(table: string, q: ReportQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(q)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  params.set('format', 'csv')
  return `/api/reports/${table}?${params.toString()}`
}
