import { createContext, useContext, useEffect, useEffectEvent, useState } from 'react'
import type { ReactNode } from 'react'
import type { Socket } from 'socket.io-client'
import { useAuth } from './auth'

export type SocketState = 'connecting' | 'connected' | 'reconnecting'

interface SocketContextValue {
  socket: Socket | null
  state: SocketState
  /**
   * Incremented on every (re)connection: data fetched before it may have
   * missed events, so views put it in their fetch dependencies.
   */
  epoch: number
}

const SocketContext = createContext<SocketContextValue>({
  socket: null,
  state: 'connecting',
  epoch: 0,
})

interface Connection {
  socket: Socket
  state: SocketState
  epoch: number
}

/** One socket.io connection per logged-in session; closed on logout. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const { user, refresh } = useAuth()
  const userId = user?.id
  const [conn, setConn] = useState<Connection | null>(null)

  useEffect(() => {
    if (userId === undefined) return
    let closed = false
    let socket: Socket | null = null
    // socket.io-client (~40 kB) is not needed to paint the first screen: fetched after it.
    void import('socket.io-client').then(({ io }) => {
      if (closed) return
      const s = io({ path: '/socket.io', withCredentials: true })
      socket = s
      wire(s)
    })

    function wire(socket: Socket) {
      let connectedOnce = false
      const update = (state: SocketState, bump: boolean) =>
        setConn((c) => ({
          socket,
          state,
          epoch: (c && c.socket === socket ? c.epoch : 0) + (bump ? 1 : 0),
        }))

      update('connecting', false)
      socket.on('connect', () => {
        update('connected', connectedOnce)
        connectedOnce = true
      })
      socket.on('disconnect', (reason) => {
        update('reconnecting', false)
        // The server drops sockets whose rooms no longer fit the user (areas or role
        // changed): pick up the new role, then come back with fresh rooms.
        if (reason === 'io server disconnect') {
          void refresh()
          window.setTimeout(() => {
            if (!closed) socket.connect()
          }, 300)
        }
      })
      socket.on('connect_error', () => {
        update(connectedOnce ? 'reconnecting' : 'connecting', false)
        // A refused handshake (not just a network failure) is not retried by the
        // client: check whether the session is still valid (a 401 logs out).
        if (!socket.active) {
          void refresh()
          window.setTimeout(() => {
            if (!closed && !socket.active) socket.connect()
          }, 3000)
        }
      })
    }

    return () => {
      closed = true
      socket?.removeAllListeners()
      socket?.disconnect()
      setConn(null)
    }
  }, [userId, refresh])

  const value: SocketContextValue = conn
    ? conn
    : { socket: null, state: 'connecting', epoch: 0 }
  return <SocketContext.Provider value={value}>{children}</SocketContext.Provider>
}

export function useSocket(): SocketContextValue {
  return useContext(SocketContext)
}

/** Subscribes `handler` to a socket event for the lifetime of the component. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void): void {
  const { socket } = useSocket()
  const onEvent = useEffectEvent((payload: T) => handler(payload))
  useEffect(() => {
    if (!socket) return
    const fn = (payload: T) => onEvent(payload)
    socket.on(event, fn)
    return () => {
      socket.off(event, fn)
    }
  }, [socket, event])
}
