import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import {
  addMessages,
  applyMessageStatus,
  patchChannel,
  patchConversationContact,
  replaceMessage,
  upsertChannel,
  upsertConversation,
} from './api/cache'
import { useCatalogSync } from './api/catalog'
import { useOrdersSync } from './api/orders'
import { CHANNEL_LOG_LIMIT, keys } from './api/queries'
import type {
  ChannelLogEntry,
  Conversation,
  Deal,
  DealGoneEvent,
  Dashboard,
  CustomerContact,
  Message,
  MessageStatusEvent,
} from './api/types'
import { useAuth } from './auth'
import type { SessionQrEvent, SessionStatusEvent } from './channels'
import { useSocket, useSocketEvent } from './socket'

interface ConversationPayload {
  conversation?: Conversation
}

/**
 * The one place where Socket.IO events reach server state: each event updates the query
 * cache (or invalidates what it cannot patch), and every screen showing that data follows.
 * After a reconnect everything is refetched: events may have been missed meanwhile.
 */
export function CacheSync() {
  const qc = useQueryClient()
  const { user: me } = useAuth()
  const { epoch } = useSocket()

  const lastEpoch = useRef(epoch)
  useEffect(() => {
    if (epoch === lastEpoch.current) return
    lastEpoch.current = epoch
    if (epoch > 0) void qc.invalidateQueries()
  }, [epoch, qc])

  const onConversation = (payload: ConversationPayload) => {
    const c = payload?.conversation
    if (!c) return
    upsertConversation(qc, c, me)
    void qc.invalidateQueries({ queryKey: keys.conversationEvents(c.id) })
  }
  useSocketEvent('conversation:incoming', onConversation)
  useSocketEvent('conversation:update', onConversation)
  useSocketEvent('conversation:closed', onConversation)

  useSocketEvent<{ message?: Message; conversation?: Conversation }>('message:new', (payload) => {
    if (payload?.conversation) upsertConversation(qc, payload.conversation, me)
    if (payload?.message) addMessages(qc, payload.message.conversationId, [payload.message])
    // The bot answered: what it collected (the customer panel) may have grown.
    if (payload?.message?.sender === 'bot') {
      void qc.invalidateQueries({ queryKey: keys.flowRun(payload.message.conversationId) })
    }
  })
  // Media became ready or failed, or a reaction changed a message: replace it.
  useSocketEvent<{ message?: Message; conversation?: Conversation }>('message:update', (payload) => {
    if (payload?.message) replaceMessage(qc, payload.message)
    if (payload?.conversation) upsertConversation(qc, payload.conversation, me, false)
  })
  useSocketEvent<MessageStatusEvent>('message:status', (ev) => {
    if (ev) applyMessageStatus(qc, ev)
  })

  // Contacts: the open detail or panel takes the new state; lists and timelines refetch.
  const onContact = (payload: { contact?: CustomerContact }) => {
    const c = payload?.contact
    if (!c) return
    qc.setQueryData(keys.contact(c.id), c)
    patchConversationContact(qc, c)
    void qc.invalidateQueries({ queryKey: keys.contactLists })
    void qc.invalidateQueries({ queryKey: keys.contactEvents(c.id) })
  }
  useSocketEvent('contact:new', onContact)
  useSocketEvent('contact:update', onContact)
  useSocketEvent<{ contactId?: number }>('contact:delete', (payload) => {
    if (payload?.contactId == null) return
    qc.removeQueries({ queryKey: keys.contact(payload.contactId) })
    void qc.invalidateQueries({ queryKey: keys.contactLists })
  })

  // An admin renamed, recoloured or deleted a label: chips everywhere follow.
  useSocketEvent('labels:update', () => {
    void qc.invalidateQueries({ queryKey: keys.labels })
    void qc.invalidateQueries({ queryKey: keys.conversationLists })
    void qc.invalidateQueries({
      queryKey: ['conversations'],
      predicate: (q) => q.queryKey.length === 2 && typeof q.queryKey[1] === 'number',
    })
  })

  // The Channels screen (admins and supervisors get these).
  useSocketEvent<SessionStatusEvent>('session:status', (e) => {
    if (e.channel) upsertChannel(qc, e.channel)
    else patchChannel(qc, e.channelId, { status: e.status, statusDetail: e.detail })
    void qc.invalidateQueries({ queryKey: keys.channelHistory(e.channelId) })
  })
  useSocketEvent<SessionQrEvent>('session:qr', (e) => {
    patchChannel(qc, e.channelId, { status: 'qr', qr: e.qr })
  })
  useSocketEvent<{ channelId: number; entry: ChannelLogEntry }>('channel:log', (e) => {
    if (!e?.entry) return
    qc.setQueryData<ChannelLogEntry[]>(keys.channelLog(e.channelId), (cur) =>
      !cur || cur.some((x) => x.id === e.entry.id) ? cur : [e.entry, ...cur].slice(0, CHANNEL_LOG_LIMIT),
    )
  })

  // The Catalog screen (every logged-in console gets these).
  useCatalogSync()
  // Orders: lists and the open order refetch on `order:updated` / `order:deleted`.
  useOrdersSync()
  // The sales pipeline: a board's columns, counts and exact totals come from the server,
  // so any deal or pipeline change refetches the boards (and the customer's deals) shown.
  const onPipeline = (payload?: { contact?: { id: number } }) => {
    void qc.invalidateQueries({ queryKey: keys.pipeline })
    if (payload?.contact) void qc.invalidateQueries({ queryKey: keys.contactDeals(payload.contact.id) })
  }
  useSocketEvent<Deal>('deal:created', onPipeline)
  useSocketEvent<Deal>('deal:updated', onPipeline)
  useSocketEvent<DealGoneEvent>('deal:deleted', () => {
    void qc.invalidateQueries({ queryKey: keys.pipeline })
    void qc.invalidateQueries({ queryKey: ['contacts'] })
  })
  useSocketEvent('pipeline:updated', () => onPipeline())
  // The dashboard's figures, pushed at most once a second while the page subscribes.
  useSocketEvent<Dashboard>('dashboard:updated', (d) => {
    if (d?.scope) qc.setQueryData(keys.dashboard, d)
  })
  return null
}
