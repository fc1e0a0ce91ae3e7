import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { api } from './api'
import { useSocket } from './socket'
import type { Area } from './types'

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

function byName(a: Area, b: Area): number {
  return a.name.localeCompare(b.name) || a.id - b.id
}

/** GET /api/areas, fetched once per session (and after a reconnect), shared by every view. */
export function AreasProvider({ children }: { children: ReactNode }) {
  const { epoch } = useSocket()
  const [areas, setAreas] = useState<Area[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [reloadCount, setReloadCount] = useState(0)

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .areas(ctrl.signal)
      .then((list) => {
        setAreas([...list].sort(byName))
        setError(null)
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err)
      })
    return () => ctrl.abort()
  }, [epoch, reloadCount])

  const reload = useCallback(() => setReloadCount((n) => n + 1), [])
  const upsert = useCallback((area: Area) => {
    setAreas((list) => [...(list ?? []).filter((a) => a.id !== area.id), area].sort(byName))
  }, [])
  const remove = useCallback((id: number) => {
    setAreas((list) => (list ? list.filter((a) => a.id !== id) : list))
  }, [])
  const nameOf = useCallback(
    (id: number | null | undefined) =>
      id == null ? null : (areas?.find((a) => a.id === id)?.name ?? null),
    [areas],
  )

  const value = useMemo(
    () => ({ areas, error, reload, upsert, remove, nameOf }),
    [areas, error, reload, upsert, remove, nameOf],
  )
  return <AreasContext.Provider value={value}>{children}</AreasContext.Provider>
}

export function useAreas(): AreasState {
  const ctx = useContext(AreasContext)
  if (!ctx) throw new Error('useAreas must be used inside <AreasProvider>')
  return ctx
}
