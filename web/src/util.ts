import { ApiError } from './api/client'
import { isOverseer } from './api/types'
import type { Conversation, ListFilter, ListSort, ListView, MessageStatus, User } from './api/types'

/**
 * Parses an ISO timestamp from the API. Timestamps without a zone designator
 * (naive datetimes, e.g. from SQLite) are taken as UTC.
 */
export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null
  const hasZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso)
  const d = new Date(hasZone ? iso : `${iso}Z`)
  return Number.isNaN(d.getTime()) ? null : d
}

export function timeOf(iso: string | null | undefined): number {
  return parseDate(iso)?.getTime() ?? 0
}

/** "now", "5 min ago", "yesterday", or a short date for older ones. */
export function relativeTime(iso: string | null | undefined, now: number, lang: string): string {
  const d = parseDate(iso)
  if (!d) return ''
  const diffSec = Math.round((d.getTime() - now) / 1000)
  const abs = Math.abs(diffSec)
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' })
  if (abs < 45) return rtf.format(0, 'second')
  if (abs < 3600) return rtf.format(Math.round(diffSec / 60), 'minute')
  if (abs < 86400) return rtf.format(Math.round(diffSec / 3600), 'hour')
  if (abs < 7 * 86400) return rtf.format(Math.round(diffSec / 86400), 'day')
  return d.toLocaleDateString(lang, { day: 'numeric', month: 'short' })
}

export function clockTime(iso: string | null | undefined, lang: string): string {
  const d = parseDate(iso)
  if (!d) return ''
  return d.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
}

export function fullDateTime(iso: string | null | undefined, lang: string): string {
  const d = parseDate(iso)
  if (!d) return ''
  return d.toLocaleString(lang)
}

const STATUS_RANK: Partial<Record<string, number>> & Record<MessageStatus, number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  internal: 0,
}

/**
 * Picks the most advanced of two delivery states, so that a late HTTP answer
 * ("queued") never overwrites a newer socket update ("delivered").
 */
export function laterStatus(a: string, b: string): string {
  return (STATUS_RANK[b] ?? 0) >= (STATUS_RANK[a] ?? 0) ? b : a
}

/** Everything the conversation list is filtered by (as sent to GET /api/conversations). */
export interface ListQuery {
  status: ListFilter
  view: ListView
  areaId: number | null
  sort: ListSort
  q: string
  /** only conversations with this label */
  label?: number | null
}

/**
 * Whether the current user may see `c` at all, as the server decides (`visible_filter`):
 * overseers see everything, the others what is theirs or still queued in one of their areas.
 */
export function canSee(c: Conversation, me: User | null | undefined): boolean {
  if (!me) return false
  if (isOverseer(me.role)) return true
  if (c.assignedTo) return c.assignedTo.id === me.id
  if (c.status !== 'pending') return false
  return c.areaId === null || (me.areas ?? []).some((a) => a.id === c.areaId)
}

/**
 * Whether `c` belongs in a list loaded for `f`. With `listed` (already shown) the search
 * text is not re-checked: the server also matches older message text we do not have.
 */
export function matchesFilter(
  c: Conversation,
  f: ListQuery,
  me: User | null | undefined,
  listed = false,
): boolean {
  if (!canSee(c, me)) return false
  if (f.status === 'active' && c.status === 'closed') return false
  if (f.status === 'closed' && c.status !== 'closed') return false
  if (f.view === 'mine' && c.assignedTo?.id !== me?.id) return false
  if (f.view === 'unassigned' && c.assignedTo !== null) return false
  if (f.areaId !== null && c.areaId !== f.areaId) return false
  if (f.label != null && !(c.labels ?? []).some((l) => l.id === f.label)) return false
  const needle = f.q.trim().toLowerCase()
  if (!needle || listed) return true
  const hay = [c.contact.name ?? '', contactAddress(c), c.lastMessagePreview ?? '']
    .join(' ')
    .toLowerCase()
  return hay.includes(needle)
}

/**
 * A conversation's next service-target deadline, as the server sorts by it (sort=due): its
 * first response's until a person answered, then its resolution's; null without one.
 */
export function nextDue(c: Conversation): number | null {
  const due =
    c.firstResponseAt == null && c.firstResponseDueAt ? c.firstResponseDueAt : c.resolutionDueAt
  return due ? timeOf(due) : null
}

/**
 * Server order: newest activity first, (sort=waiting) longest waiting first, or (sort=due)
 * nearest deadline first.
 */
export function sortConversations(list: Conversation[], sort: ListSort = 'activity'): Conversation[] {
  if (sort === 'due') {
    return [...list].sort((a, b) => {
      const da = nextDue(a)
      const db = nextDue(b)
      if (da === null && db === null) return a.id - b.id
      if (da === null) return 1
      if (db === null) return -1
      return da - db || a.id - b.id
    })
  }
  if (sort === 'waiting') {
    return [...list].sort((a, b) => {
      const wa = a.waitingSince ? timeOf(a.waitingSince) : null
      const wb = b.waitingSince ? timeOf(b.waitingSince) : null
      if (wa === null && wb === null) return a.id - b.id
      if (wa === null) return 1
      if (wb === null) return -1
      return wa - wb || a.id - b.id
    })
  }
  return [...list].sort(
    (a, b) =>
      timeOf(b.lastMessageAt ?? b.createdAt) - timeOf(a.lastMessageAt ?? a.createdAt) ||
      b.id - a.id,
  )
}

/** Whole minutes since `iso` (0 or more), or null without a date. */
export function minutesSince(iso: string | null | undefined, now: number): number | null {
  const d = parseDate(iso)
  if (!d) return null
  return Math.max(0, Math.floor((now - d.getTime()) / 60_000))
}

export function contactLabel(c: Conversation): string {
  return c.contact.name?.trim() || contactAddress(c)
}

/** How the customer is reached: their phone, else the WhatsApp user id (a username). */
export function contactAddress(c: Conversation): string {
  return c.contact.phone ?? c.contact.externalId ?? ''
}

export function initials(label: string): string {
  const parts = label.replace(/[^\p{L}\p{N} ]/gu, '').trim().split(/\s+/)
  const first = parts[0]?.[0] ?? '#'
  const second = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : ''
  return (first + second).toUpperCase()
}

/** Human-readable text for an error thrown by the API layer. */
export function errorMessage(err: unknown, t: (key: string) => string): string {
  if (err === null || err === undefined) return ''
  if (err instanceof ApiError) return err.status === 0 ? t('errors.network') : err.message
  if (err instanceof Error && err.message) return err.message
  return t('errors.generic')
}

/**
 * A 422's messages by the form field each refuses (pydantic's `loc` names it); `pick` maps
 * a part of `loc` to one of the form's fields, or undefined.
 */
export function fieldErrors<F extends string>(
  err: unknown,
  pick: (part: unknown) => F | undefined,
): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {}
  if (!(err instanceof ApiError) || !Array.isArray(err.detail)) return out
  for (const d of err.detail as { loc?: unknown; msg?: unknown }[]) {
    const loc: unknown[] = Array.isArray(d?.loc) ? d.loc : []
    const field = loc.map(pick).find((f): f is F => f !== undefined)
    if (field && typeof d.msg === 'string') out[field] = out[field] ? `${out[field]}; ${d.msg}` : d.msg
  }
  return out
}
