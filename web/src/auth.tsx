import { useQueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { ApiError, client, setCsrfToken, setUnauthorizedHandler, unwrap } from './api/client'
import type { User } from './api/types'

interface AuthState {
  /** undefined while the session probe (/api/auth/me) is running. */
  user: User | null | undefined
  login: (username: string, password: string) => Promise<void>
  logout: () => Promise<void>
  /** Re-checks the session; clears the user when it is gone. */
  refresh: () => Promise<void>
}

const AuthContext = createContext<AuthState | null>(null)

const fetchSession = () => unwrap(client.GET('/api/auth/me'))

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const queryClient = useQueryClient()

  const clear = useCallback(() => {
    setCsrfToken(null)
    setUser(null)
    // Nothing of this session's data may show to the next one.
    queryClient.clear()
  }, [queryClient])

  const refresh = useCallback(
    () =>
      fetchSession().then(
        (res) => {
          setCsrfToken(res.csrfToken)
          setUser(res.user)
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) clear()
          // Server unreachable: show the login page rather than a spinner forever.
          else setUser((u) => (u === undefined ? null : u))
        },
      ),
    [clear],
  )

  useEffect(() => {
    setUnauthorizedHandler(clear)
    return () => setUnauthorizedHandler(null)
  }, [clear])

  // Session probe on start-up.
  useEffect(() => {
    let cancelled = false
    fetchSession().then(
      (res) => {
        if (cancelled) return
        setCsrfToken(res.csrfToken)
        setUser(res.user)
      },
      () => {
        if (!cancelled) setUser((u) => (u === undefined ? null : u))
      },
    )
    return () => {
      cancelled = true
    }
  }, [])

  const login = useCallback(async (username: string, password: string) => {
    const res = await unwrap(client.POST('/api/auth/login', { body: { username, password } }))
    setCsrfToken(res.csrfToken)
    setUser(res.user)
  }, [])

  const logout = useCallback(async () => {
    try {
      await unwrap(client.POST('/api/auth/logout'))
    } catch {
      // The session is dropped locally anyway.
    }
    clear()
  }, [clear])

  const value = useMemo(() => ({ user, login, logout, refresh }), [user, login, logout, refresh])
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext)
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>')
  return ctx
}
