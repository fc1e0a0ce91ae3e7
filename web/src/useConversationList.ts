import { useCallback, useEffect, useState } from 'react'
import { api } from './api'
import { useDebounced } from './hooks'
import { useSocket, useSocketEvent } from './socket'
import type { Conversation, ListFilter } from './types'
import { matchesFilter, timeOf } from './util'

export const CONVERSATION_PAGE_SIZE = 30

interface ListState {
  /** filter + query the items were loaded for */
  filter: ListFilter
  q: string
  token: string
  items: Conversation[]
  total: number
  page: number
  error: unknown
}

export interface ConversationList {
  filter: ListFilter
  setFilter: (f: ListFilter) => void
  search: string
  setSearch: (s: string) => void
  items: Conversation[]
  total: number
  /** true while the first page for the current filter/search is loading */
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
   */
  upsert: (c: Conversation, insert?: boolean) => void
}

export function useConversationList(): ConversationList {
  const { epoch } = useSocket()
  const [filter, setFilter] = useState<ListFilter>('active')
  const [search, setSearch] = useState('')
  const q = useDebounced(search.trim(), 300)
  const [reloadCount, setReloadCount] = useState(0)
  const [state, setState] = useState<ListState | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)

  const token = `${epoch}:${reloadCount}`

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .conversations(
        { status: filter, q, page: 1, pageSize: CONVERSATION_PAGE_SIZE },
        ctrl.signal,
      )
      .then((res) =>
        setState({
          filter,
          q,
          token,
          items: res.items,
          total: res.total,
          page: 1,
          error: null,
        }),
      )
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return
        setState((s) => ({
          filter,
          q,
          token,
          items: s && s.filter === filter && s.q === q ? s.items : [],
          total: s && s.filter === filter && s.q === q ? s.total : 0,
          page: s && s.filter === filter && s.q === q ? s.page : 0,
          error: err,
        }))
      })
    return () => ctrl.abort()
  }, [filter, q, token])

  const current = state !== null && state.filter === filter && state.q === q ? state : null
  const loading = current === null
  const refreshing = current !== null && current.token !== token

  const loadMore = useCallback(() => {
    if (!state || loadingMore) return
    const { filter: f, q: query, page } = state
    setLoadingMore(true)
    api
      .conversations({ status: f, q: query, page: page + 1, pageSize: CONVERSATION_PAGE_SIZE })
      .then((res) =>
        setState((s) => {
          if (!s || s.filter !== f || s.q !== query) return s
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

  const upsert = useCallback((conv: Conversation, insert = true) => {
    setState((s) => {
      if (!s) return s
      const idx = s.items.findIndex((c) => c.id === conv.id)
      const matches = matchesFilter(conv, s.filter, s.q)
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
        return { ...s, items: [conv, ...s.items], total: s.total + 1 }
      }
      const prev = s.items[idx]
      const newer = prev !== undefined && timeOf(conv.lastMessageAt) > timeOf(prev.lastMessageAt)
      const items = [...s.items]
      if (newer) {
        items.splice(idx, 1)
        items.unshift(conv)
      } else {
        items[idx] = conv
      }
      return { ...s, items }
    })
  }, [])

  const onConversationEvent = (payload: { conversation?: Conversation }) => {
    if (payload?.conversation) upsert(payload.conversation)
  }
  useSocketEvent('conversation:incoming', onConversationEvent)
  useSocketEvent('conversation:update', onConversationEvent)
  useSocketEvent('conversation:closed', onConversationEvent)
  useSocketEvent('message:new', onConversationEvent)

  const changeFilter = useCallback((f: ListFilter) => setFilter(f), [])
  const reload = useCallback(() => setReloadCount((n) => n + 1), [])

  return {
    filter,
    setFilter: changeFilter,
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
