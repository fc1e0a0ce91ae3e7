import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { conversationEventsQuery, usersQuery } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import { isOverseer } from '../api/types'
import type { Conversation, ConversationEvent } from '../api/types'
import { clockTime, errorMessage, fullDateTime, parseDate } from '../util'

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

  const describe = (ev: ConversationEvent): string => {
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
      default:
        return t('timeline.other', { type: ev.type })
    }
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
                  {ev.actorUserId === null
                    ? t('timeline.bySystem')
                    : t('timeline.by', { name: userName(ev.actorUserId) })}
                </span>
                {ev.note && (
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
