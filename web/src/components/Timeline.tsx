import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { conversationEventsQuery, usersQuery } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import { isOverseer } from '../api/types'
import type { Conversation, ConversationEvent } from '../api/types'
import { clockTime, errorMessage, fullDateTime, parseDate } from '../util'

const MAX_RATING = 5
/** Events the customer caused (answering the satisfaction survey), not a person or the bot. */
const CUSTOMER_EVENTS: ReadonlySet<string> = new Set(['survey_rated', 'survey_commented'])
/** Events whose note the text already shows. */
const NOTE_SHOWN: ReadonlySet<string> = new Set(['survey_commented'])

/** A survey's rating from an event's `newValue` ("4"), or null when it is not one (1–5). */
function ratingOf(value: string | null): number | null {
  const n = Number(value)
  return Number.isInteger(n) && n >= 1 && n <= MAX_RATING ? n : null
}

/**
 * The conversation's history (GET /events), oldest first. Conversation events refetch it
 * (cacheSync.tsx); `version` is bumped by the pane after its own actions, for the same.
 */
export default function Timeline({
  conversation,
  version,
}: {
  conversation: Conversation
  version: number
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const { user: me } = useAuth()
  const { nameOf: areaName } = useAreas()
  const conversationId = conversation.id
  const canListUsers = isOverseer(me?.role)

  const eventsQ = useQuery({ ...conversationEventsQuery(conversationId), staleTime: 0 })
  const { refetch } = eventsQ
  useEffect(() => {
    if (version > 0) void refetch()
  }, [version, refetch])
  const events = eventsQ.data ?? null
  const error = eventsQ.error

  // Actor names: the users list where allowed (ADMIN/SUPERVISOR), else what the pane knows
  // (names fall back to "#id" when it fails).
  const users = useQuery({ ...usersQuery, enabled: canListUsers }).data
  const userNames = useMemo(
    () => new Map((users ?? []).map((u) => [u.id, u.name || u.username])),
    [users],
  )

  const userName = (id: number | string | null | undefined): string => {
    if (id === null || id === undefined || id === '') return '—'
    const n = typeof id === 'number' ? id : Number(id)
    if (!Number.isInteger(n)) return String(id)
    const known =
      userNames.get(n) ??
      (me && me.id === n ? me.name || me.username : undefined) ??
      (conversation.assignedTo?.id === n ? conversation.assignedTo.name : undefined)
    return known ?? `#${n}`
  }

  /** `area:<id>` → area name, anything else → a user's name. */
  const targetName = (value: string | null): string => {
    if (value?.startsWith('area:')) {
      const id = Number(value.slice(5))
      return areaName(id) ?? `#${id}`
    }
    return userName(value)
  }

  const describe = (ev: ConversationEvent): ReactNode => {
    switch (ev.type) {
      case 'opened':
        return t('timeline.opened')
      case 'assigned':
        return t('timeline.assigned', { name: userName(ev.newValue) })
      case 'transferred':
        return ev.newValue?.startsWith('area:')
          ? t('timeline.transferredArea', { name: targetName(ev.newValue) })
          : t('timeline.transferredUser', { name: targetName(ev.newValue) })
      case 'status':
        return t('timeline.status', {
          from: ev.oldValue ? t(`status.${ev.oldValue}`, { defaultValue: ev.oldValue }) : '—',
          to: ev.newValue ? t(`status.${ev.newValue}`, { defaultValue: ev.newValue }) : '—',
        })
      case 'closed':
        return t('timeline.closed')
      case 'survey_sent':
        return t('timeline.surveySent')
      case 'survey_rated': {
        const rating = ratingOf(ev.newValue)
        if (rating === null) break
        return (
          <>
            {t('timeline.surveyRated', { rating, max: MAX_RATING })}{' '}
            <span
              className="timeline-stars"
              data-testid="timeline-stars"
              data-rating={rating}
              aria-hidden="true"
            >
              {'★'.repeat(rating)}
              <span className="timeline-stars-off">{'★'.repeat(MAX_RATING - rating)}</span>
            </span>
          </>
        )
      }
      case 'survey_commented':
        return t('timeline.surveyCommented', { comment: ev.note ?? '' })
    }
    return t('timeline.other', { type: ev.type })
  }

  /** Who did it: a person, the customer (their survey answers) or the system. */
  const actorOf = (ev: ConversationEvent): string => {
    if (ev.actorUserId !== null) return t('timeline.by', { name: userName(ev.actorUserId) })
    return CUSTOMER_EVENTS.has(ev.type) ? t('timeline.byCustomer') : t('timeline.bySystem')
  }

  const dayOf = (iso: string) =>
    parseDate(iso)?.toLocaleDateString(lang, { day: 'numeric', month: 'short' }) ?? ''

  return (
    <div className="timeline" data-testid="timeline" aria-label={t('timeline.title')}>
      {error != null && (
        <div className="inline-error" role="alert">
          {errorMessage(error, t)}
        </div>
      )}
      {events === null ? (
        error == null && <div className="muted pad-sm">{t('common.loading')}</div>
      ) : events.length === 0 ? (
        <div className="muted pad-sm">{t('timeline.empty')}</div>
      ) : (
        <ol className="timeline-list">
          {events.map((ev) => (
            <li
              key={ev.id}
              className={`timeline-event timeline-${ev.type}`}
              data-testid="timeline-event"
              data-type={ev.type}
            >
              <time dateTime={ev.createdAt} title={fullDateTime(ev.createdAt, lang)}>
                {dayOf(ev.createdAt)} {clockTime(ev.createdAt, lang)}
              </time>
              <span className="timeline-text">
                {describe(ev)}
                <span className="muted">
                  {' · '}
                  {actorOf(ev)}
                </span>
                {ev.note && !NOTE_SHOWN.has(ev.type) && (
                  <span className="timeline-note" data-testid="timeline-note">
                    “{ev.note}”
                  </span>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
