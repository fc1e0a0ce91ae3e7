import { useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useMemo } from 'react'
import type { ReactNode } from 'react'
import { removeArea, sortAreas, upsertArea } from './api/cache'
import { areasQuery } from './api/queries'
import type { Area } from './api/types'

interface AreasState {
  /** null until the first answer of GET /api/areas */
  areas: Area[] | null
  error: unknown
  reload: () => void
  /** Insert or replace one area (after a create / update answer). */
  upsert: (area: Area) => void
  remove: (id: number) => void
  /** Name of an area id, or null when unknown. */
  nameOf: (id: number | null | undefined) => string | null
}

const AreasContext = createContext<AreasState | null>(null)

/** GET /api/areas, cached for the session (refetched after a reconnect), shared by every view. */
export function AreasProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient()
  const query = useQuery({ ...areasQuery, select: sortAreas })
  const areas = query.data ?? null
  const { refetch } = query

  const reload = useCallback(() => void refetch(), [refetch])
  const upsert = useCallback((area: Area) => upsertArea(qc, area), [qc])
  const remove = useCallback((id: number) => removeArea(qc, id), [qc])
  const nameOf = useCallback(
    (id: number | null | undefined) =>
      id == null ? null : (areas?.find((a) => a.id === id)?.name ?? null),
    [areas],
  )

  const value = useMemo(
    () => ({ areas, error: query.error, reload, upsert, remove, nameOf }),
    [areas, query.error, reload, upsert, remove, nameOf],
  )
  return <AreasContext.Provider value={value}>{children}</AreasContext.Provider>
}

export function useAreas(): AreasState {
  const ctx = useContext(AreasContext)
  if (!ctx) throw new Error('useAreas must be used inside <AreasProvider>')
  return ctx
}
