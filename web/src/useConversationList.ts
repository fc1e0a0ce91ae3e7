import { useCallback, useEffect, useState } from 'react'
import { api } from './api'
import { useAuth } from './auth'
import { useDebounced } from './hooks'
import { useSocket, useSocketEvent } from './socket'
import type { Conversation, ListFilter, ListSort, ListView } from './types'
import { matchesFilter, sortConversations } from './util'
import type { ListQuery } from './util'

export const CONVERSATION_PAGE_SIZE = 30

interface ListState {
  /** the query the items were loaded for */
  query: ListQuery
  key: string
  token: string
  items: Conversation[]
  total: number
  page: number
  error: unknown
}

export interface ConversationList {
  filter: ListFilter
  setFilter: (f: ListFilter) => void
  view: ListView
  setView: (v: ListView) => void
  areaId: number | null
  setAreaId: (id: number | null) => void
  sort: ListSort
  setSort: (s: ListSort) => void
  search: string
  setSearch: (s: string) => void
  items: Conversation[]
  total: number
  /** true while the first page for the current filters/search is loading */
  loading: boolean
  /** true while refreshing (e.g. after a reconnect) with items still shown */
  refreshing: boolean
  loadingMore: boolean
  hasMore: boolean
  /** last load error (render with errorMessage()) */
  error: unknown
  loadMore: () => void
  reload: () => void
  /**
   * Insert or update one conversation (from an event or an API answer).
   * With insert=false a conversation that is not loaded is left out.
   * One that no longer matches the filters (or that we may no longer see) leaves the list.
   */
  upsert: (c: Conversation, insert?: boolean) => void
}

function keyOf(q: ListQuery): string {
  return `${q.status}|${q.view}|${q.areaId ?? ''}|${q.sort}|${q.q}`
}

function params(q: ListQuery, page: number) {
  return {
    status: q.status,
    view: q.view,
    areaId: q.areaId ?? undefined,
    sort: q.sort,
    q: q.q,
    page,
    pageSize: CONVERSATION_PAGE_SIZE,
  }
}

export function useConversationList(): ConversationList {
  const { epoch } = useSocket()
  const { user: me } = useAuth()
  const [filter, setFilter] = useState<ListFilter>('active')
  const [view, setView] = useState<ListView>('all')
  const [areaId, setAreaId] = useState<number | null>(null)
  const [sort, setSort] = useState<ListSort>('activity')
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim(), 300)
  const [reloadCount, setReloadCount] = useState(0)
  const [state, setState] = useState<ListState | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)

  const token = `${epoch}:${reloadCount}`
  const key = keyOf({ status: filter, view, areaId, sort, q })

  useEffect(() => {
    const query: ListQuery = { status: filter, view, areaId, sort, q }
    const k = keyOf(query)
    const ctrl = new AbortController()
    api
      .conversations(params(query, 1), ctrl.signal)
      .then((res) =>
        setState({
          query,
          key: k,
          token,
          items: res.items,
          total: res.total,
          page: 1,
          error: null,
        }),
      )
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return
        setState((s) => {
          const same = s !== null && s.key === k
          return {
            query,
            key: k,
            token,
            items: same ? s.items : [],
            total: same ? s.total : 0,
            page: same ? s.page : 0,
            error: err,
          }
        })
      })
    return () => ctrl.abort()
  }, [filter, view, areaId, sort, q, token])

  const current = state !== null && state.key === key ? state : null
  const loading = current === null
  const refreshing = current !== null && current.token !== token

  const loadMore = useCallback(() => {
    if (!state || loadingMore) return
    const { query, key: k, page } = state
    setLoadingMore(true)
    api
      .conversations(params(query, page + 1))
      .then((res) =>
        setState((s) => {
          if (!s || s.key !== k) return s
          const seen = new Set(s.items.map((c) => c.id))
          return {
            ...s,
            items: [...s.items, ...res.items.filter((c) => !seen.has(c.id))],
            total: res.total,
            page: page + 1,
            error: null,
          }
        }),
      )
      .catch((err: unknown) => setState((s) => (s ? { ...s, error: err } : s)))
      .finally(() => setLoadingMore(false))
  }, [state, loadingMore])

  const upsert = useCallback(
    (conv: Conversation, insert = true) => {
      setState((s) => {
        if (!s) return s
        const idx = s.items.findIndex((c) => c.id === conv.id)
        const matches = matchesFilter(conv, s.query, me, idx !== -1)
        if (!matches) {
          if (idx === -1) return s
          return {
            ...s,
            items: s.items.filter((c) => c.id !== conv.id),
            total: Math.max(0, s.total - 1),
          }
        }
        if (idx === -1) {
          if (!insert) return s
          return {
            ...s,
            items: sortConversations([conv, ...s.items], s.query.sort),
            total: s.total + 1,
          }
        }
        const items = [...s.items]
        items[idx] = conv
        return { ...s, items: sortConversations(items, s.query.sort) }
      })
    },
    [me],
  )

  const onConversationEvent = (payload: { conversation?: Conversation }) => {
    if (payload?.conversation) upsert(payload.conversation)
  }
  useSocketEvent('conversation:incoming', onConversationEvent)
  useSocketEvent('conversation:update', onConversationEvent)
  useSocketEvent('conversation:closed', onConversationEvent)
  useSocketEvent('message:new', onConversationEvent)

  const reload = useCallback(() => setReloadCount((n) => n + 1), [])

  return {
    filter,
    setFilter,
    view,
    setView,
    areaId,
    setAreaId,
    sort,
    setSort,
    search,
    setSearch,
    items: current?.items ?? [],
    total: current?.total ?? 0,
    loading,
    refreshing,
    loadingMore,
    hasMore: current !== null && current.items.length < current.total,
    error: current?.error ?? null,
    loadMore,
    reload,
    upsert,
  }
}
