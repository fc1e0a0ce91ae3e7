import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useMemo, useState } from 'react'
import { upsertConversation } from './api/cache'
import type { ConversationListData } from './api/cache'
import { fetchConversationPage, keys } from './api/queries'
import { useAuth } from './auth'
import { useDebounced } from './hooks'
import type { Conversation, ListFilter, ListSort, ListView } from './api/types'
import type { ListQuery } from './util'

export const CONVERSATION_PAGE_SIZE = 30

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
  label: number | null
  setLabel: (id: number | null) => void
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

export function useConversationList(): ConversationList {
  const qc = useQueryClient()
  const { user: me } = useAuth()
  const [filter, setFilter] = useState<ListFilter>('active')
  const [view, setView] = useState<ListView>('all')
  const [areaId, setAreaId] = useState<number | null>(null)
  const [sort, setSort] = useState<ListSort>('activity')
  const [search, setSearch] = useState('')
  const [label, setLabel] = useState<number | null>(null)
  const q = useDebounced(search.trim(), 300)
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreError, setMoreError] = useState<unknown>(null)

  const query: ListQuery = useMemo(
    () => ({ status: filter, view, areaId, sort, q, label }),
    [filter, view, areaId, sort, q, label],
  )
  const key = keys.conversationList(query)
  // The first page; more pages are appended to the same cache entry by loadMore, and
  // socket events (cacheSync.tsx) move conversations in and out of it.
  const list = useQuery({
    queryKey: key,
    queryFn: async ({ signal }): Promise<ConversationListData> => {
      const res = await fetchConversationPage(query, 1, CONVERSATION_PAGE_SIZE, signal)
      return { items: res.items, total: res.total, page: 1 }
    },
  })
  const current = list.data ?? null

  const loadMore = useCallback(() => {
    if (!current || loadingMore) return
    const page = current.page + 1
    setLoadingMore(true)
    setMoreError(null)
    fetchConversationPage(query, page, CONVERSATION_PAGE_SIZE)
      .then((res) =>
        qc.setQueryData<ConversationListData>(keys.conversationList(query), (s) => {
          if (!s) return s
          const seen = new Set(s.items.map((c) => c.id))
          return {
            items: [...s.items, ...res.items.filter((c) => !seen.has(c.id))],
            total: res.total,
            page,
          }
        }),
      )
      .catch((err: unknown) => setMoreError(err))
      .finally(() => setLoadingMore(false))
  }, [current, loadingMore, query, qc])

  const upsert = useCallback(
    (conv: Conversation, insert = true) => upsertConversation(qc, conv, me, insert),
    [qc, me],
  )
  const { refetch } = list
  const reload = useCallback(() => void refetch(), [refetch])

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
    label,
    setLabel,
    items: current?.items ?? [],
    total: current?.total ?? 0,
    loading: current === null,
    refreshing: current !== null && list.isFetching,
    loadingMore,
    hasMore: current !== null && current.items.length < current.total,
    error: list.error ?? moreError,
    loadMore,
    reload,
    upsert,
  }
}
