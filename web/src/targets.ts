/**
 * Service targets on a conversation (the server sets `firstResponseDueAt` and
 * `resolutionDueAt` from its area's targets; helpline/targets/service.py): whether the
 * desk is close to a deadline or past it, worked out in the browser from the clock, so a
 * list colours its rows as time passes without asking the server again.
 *
 * A target is past when now is after its deadline and it is not met (first response: no
 * person answered, or answered after the deadline; resolution: still open); close to it in
 * the last fifth of the time between the conversation's opening and the deadline.
 */
import { useEffect, useState } from 'react'
import type { Conversation } from './api/types'
import { parseDate } from './util'

export type TargetKind = 'first_response' | 'resolution'
export type TargetLevel = 'ok' | 'near' | 'past'

export interface TargetState {
  kind: TargetKind
  level: TargetLevel
  /** the deadline, ms since the epoch */
  due: number
  /** when the "close to" stretch starts, ms since the epoch */
  nearFrom: number
}

/** The share of the time to a deadline that counts as "close to" it (its last fifth). */
const NEAR_SHARE = 0.2

/** The targets still to watch on `c` (unmet, or missed), each with its level at `now`. */
function watched(c: Conversation, now: number): TargetState[] {
  // A closed conversation asks nothing more of the desk.
  if (c.status === 'closed') return []
  const opened = parseDate(c.createdAt)?.getTime() ?? null
  const out: TargetState[] = []
  const add = (kind: TargetKind, dueIso: string | null, metAt: number | null) => {
    const due = parseDate(dueIso)?.getTime()
    if (due === undefined) return
    if (metAt !== null && metAt <= due) return // met in time
    const start = opened !== null && opened < due ? opened : due
    const nearFrom = due - (due - start) * NEAR_SHARE
    // Answered late: missed for good, whatever the clock says now.
    const level: TargetLevel =
      metAt !== null || now > due ? 'past' : now >= nearFrom ? 'near' : 'ok'
    out.push({ kind, level, due, nearFrom })
  }
  add('first_response', c.firstResponseDueAt ?? null, parseDate(c.firstResponseAt)?.getTime() ?? null)
  add('resolution', c.resolutionDueAt ?? null, null)
  return out
}

const RANK: Record<TargetLevel, number> = { ok: 0, near: 1, past: 2 }

/**
 * The target a row shows: the worst one (past before near before ok), the earliest
 * deadline among equals; null when the conversation has none left to watch.
 */
export function targetState(c: Conversation, now: number): TargetState | null {
  let best: TargetState | null = null
  for (const s of watched(c, now)) {
    if (best === null || RANK[s.level] > RANK[best.level] || (s.level === best.level && s.due < best.due)) {
      best = s
    }
  }
  return best
}

/** The next moment one of `items` changes level (ms since the epoch), or null. */
export function nextTargetChange(items: Conversation[], now: number): number | null {
  let next: number | null = null
  for (const c of items) {
    for (const s of watched(c, now)) {
      for (const at of [s.nearFrom, s.due + 1]) {
        if (at > now && (next === null || at < next)) next = at
      }
    }
  }
  return next
}

/**
 * The clock the rows' target states are read at: it ticks every `everyMs` and also right
 * when one of `items` reaches "close to" or "past", so a row changes colour on time.
 */
export function useTargetClock(items: Conversation[], everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const next = nextTargetChange(items, Date.now())
    const wait = next === null ? everyMs : Math.min(everyMs, Math.max(250, next - Date.now()))
    const id = window.setTimeout(() => setNow(Date.now()), wait)
    return () => window.clearTimeout(id)
  }, [items, now, everyMs])
  return now
}
