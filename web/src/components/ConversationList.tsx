import { Link } from 'react-router-dom'
import { useQuery } from '@tanstack/react-query'
import { labelsQuery } from '../api/queries'
import { LabelChip } from './contacts/ConversationLabels'
import { useTranslation } from 'react-i18next'
import type { ConversationList as ListModel } from '../useConversationList'
import type { ListFilter, ListSort, ListView } from '../api/types'
import { useAreas } from '../areas'
import { contactAddress, contactLabel, fullDateTime, minutesSince, relativeTime } from '../util'
import { targetState, useTargetClock } from '../targets'
import Avatar from './Avatar'
import TargetDue from './targets/TargetDue'
import InlineError from './InlineError'
import StatusChip from './StatusChip'

const FILTERS: ListFilter[] = ['active', 'closed', 'all']
const VIEWS: ListView[] = ['mine', 'unassigned', 'all']
const SORTS: ListSort[] = ['activity', 'waiting', 'due']

export default function ConversationList({
  list,
  selectedId,
}: {
  list: ListModel
  selectedId: number | null
}) {
  const { t, i18n } = useTranslation()
  // Ticks every 15 s, and right when a row reaches a target's "close to" or "past".
  const now = useTargetClock(list.items)
  const lang = i18n.resolvedLanguage ?? 'en'
  const { areas } = useAreas()
  const labels = useQuery(labelsQuery).data ?? []

  return (
    <section className="conv-column" aria-label={t('chat.conversations')}>
      <div className="conv-toolbar">
        <div className="tabs" role="tablist" aria-label={t('inbox.views')}>
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={list.view === v}
              className={`tab ${list.view === v ? 'tab-active' : ''}`}
              data-testid={`view-${v}`}
              onClick={() => list.setView(v)}
            >
              {t(`inbox.view.${v}`)}
            </button>
          ))}
        </div>
        <div className="tabs" role="tablist" aria-label={t('inbox.status')}>
          {FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              role="tab"
              aria-selected={list.filter === f}
              className={`tab ${list.filter === f ? 'tab-active' : ''}`}
              data-testid={`filter-${f}`}
              onClick={() => list.setFilter(f)}
            >
              {t(`chat.filter.${f}`)}
            </button>
          ))}
        </div>
        <div className="conv-selects">
          <select
            data-testid="area-filter"
            aria-label={t('inbox.areaFilter')}
            value={list.areaId ?? ''}
            onChange={(e) => list.setAreaId(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">{t('inbox.allAreas')}</option>
            {(areas ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <select
            data-testid="sort-select"
            aria-label={t('inbox.sort')}
            value={list.sort}
            onChange={(e) => list.setSort(SORTS.find((s) => s === e.target.value) ?? 'activity')}
          >
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`inbox.sortBy.${s}`)}
              </option>
            ))}
          </select>
          {(labels.length > 0 || list.label !== null) && (
            <select
              data-testid="label-filter"
              aria-label={t('labels.filter')}
              value={list.label ?? ''}
              onChange={(e) => list.setLabel(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">{t('labels.all')}</option>
              {labels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          )}
        </div>
        <input
          type="search"
          className="search"
          data-testid="conversation-search"
          placeholder={t('chat.searchPlaceholder')}
          aria-label={t('chat.searchPlaceholder')}
          value={list.search}
          onChange={(e) => list.setSearch(e.target.value)}
        />
      </div>

      <div className="conv-scroll" data-testid="conversation-list" aria-busy={list.loading}>
        <InlineError error={list.error} onRetry={list.reload} />
        {list.loading && <div className="muted centered pad">{t('common.loading')}</div>}
        {!list.loading && list.items.length === 0 && list.error == null && (
          <div className="muted centered pad" data-testid="conversation-empty">
            {list.search.trim() ? t('chat.noResults') : t('chat.noConversations')}
          </div>
        )}
        <ul className="conv-list">
          {list.items.map((c) => {
            const label = contactLabel(c)
            const selected = c.id === selectedId
            const unread = selected ? 0 : c.unreadCount
            const when = c.lastMessageAt ?? c.createdAt
            const waited = c.status !== 'closed' ? minutesSince(c.waitingSince, now) : null
            const target = targetState(c, now)
            const targetClass = target && target.level !== 'ok' ? `conv-item-target-${target.level}` : ''
            return (
              <li key={c.id}>
                <Link
                  to={`/chat/${c.id}`}
                  className={`conv-item ${selected ? 'conv-item-selected' : ''} ${unread > 0 ? 'conv-item-unread' : ''} ${targetClass}`}
                  data-testid="conversation-item"
                  data-conversation-id={c.id}
                  data-status={c.status}
                  data-target-state={target?.level}
                  data-target-kind={target?.kind}
                  aria-current={selected ? 'true' : undefined}
                >
                  <Avatar name={c.contact.name} />
                  <span className="conv-body">
                    <span className="conv-row">
                      <span className="conv-name" data-testid="conversation-name">
                        {label}
                      </span>
                      <time className="conv-time" dateTime={when} title={fullDateTime(when, lang)}>
                        {relativeTime(when, now, lang)}
                      </time>
                    </span>
                    {c.contact.name && <span className="conv-phone">{contactAddress(c)}</span>}
                    <span className="conv-row">
                      <span className="conv-preview">
                        {c.lastMessagePreview ?? t('chat.noMessages')}
                      </span>
                      {unread > 0 && (
                        <span
                          className="badge"
                          data-testid="unread-badge"
                          aria-label={t('chat.unread', { n: unread })}
                        >
                          {unread > 99 ? '99+' : unread}
                        </span>
                      )}
                    </span>
                    {(c.labels ?? []).length > 0 && (
                      <span className="conv-row conv-labels">
                        {(c.labels ?? []).map((l) => (
                          <LabelChip key={l.id} label={l} />
                        ))}
                      </span>
                    )}
                    <span className="conv-row conv-meta">
                      <StatusChip status={c.status} />
                      <span className="conv-assignee">
                        {c.assignedTo ? c.assignedTo.name : t('chat.unassigned')}
                      </span>
                      {target && <TargetDue state={target} now={now} />}
                      {waited !== null && (
                        <span
                          className={`conv-waiting ${waited >= 15 ? 'conv-waiting-long' : ''}`}
                          data-testid="waiting-since"
                          title={fullDateTime(c.waitingSince, lang)}
                        >
                          {waited >= 60
                            ? t('inbox.waitingHours', { h: Math.floor(waited / 60), m: waited % 60 })
                            : t('inbox.waitingMinutes', { m: waited })}
                        </span>
                      )}
                    </span>
                  </span>
                </Link>
              </li>
            )
          })}
        </ul>
        {list.hasMore && (
          <div className="centered pad">
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="load-more-conversations"
              disabled={list.loadingMore}
              onClick={list.loadMore}
            >
              {list.loadingMore ? t('common.loading') : t('chat.loadMore')}
            </button>
          </div>
        )}
      </div>
      {list.refreshing && !list.loading && (
        <div className="conv-refreshing muted">{t('chat.refreshing')}</div>
      )}
    </section>
  )
}
