/**
 * Writes into the query cache: what an API answer or a Socket.IO event changes.
 * Screens read the cache (useQuery); they never keep their own copy of server state.
 */
import type { QueryClient } from '@tanstack/react-query'
import { sortChannels } from '../channels'
import { laterStatus, matchesFilter, sortConversations, timeOf } from '../util'
import type { ListQuery } from '../util'
import { keys } from './queries'
import type {
  Area,
  Channel,
  Conversation,
  CustomerContact,
  Message,
  MessageStatusEvent,
  User,
} from './types'

// ---------- conversations ----------

/** A loaded conversation list: the first `page` pages of its query, kept in order. */
export interface ConversationListData {
  items: Conversation[]
  total: number
  page: number
}

/**
 * Puts a conversation everywhere it shows: its own entry, and every loaded list whose
 * filters it matches (it leaves those it no longer matches, or that we may no longer see).
 * With insert=false a conversation that a list does not hold is not added to it.
 */
export function upsertConversation(
  qc: QueryClient,
  conv: Conversation,
  me: User | null | undefined,
  insert = true,
): void {
  if (qc.getQueryData(keys.conversation(conv.id)) !== undefined) {
    qc.setQueryData(keys.conversation(conv.id), conv)
  }
  for (const [key, data] of qc.getQueriesData<ConversationListData>({
    queryKey: keys.conversationLists,
  })) {
    const query = key[2] as ListQuery | undefined
    if (!data || !query) continue
    qc.setQueryData(key, listWith(data, conv, query, me, insert))
  }
}

function listWith(
  s: ConversationListData,
  conv: Conversation,
  query: ListQuery,
  me: User | null | undefined,
  insert: boolean,
): ConversationListData {
  const idx = s.items.findIndex((c) => c.id === conv.id)
  if (!matchesFilter(conv, query, me, idx !== -1)) {
    if (idx === -1) return s
    return { ...s, items: s.items.filter((c) => c.id !== conv.id), total: Math.max(0, s.total - 1) }
  }
  if (idx === -1) {
    if (!insert) return s
    return { ...s, items: sortConversations([conv, ...s.items], query.sort), total: s.total + 1 }
  }
  const items = [...s.items]
  items[idx] = conv
  return { ...s, items: sortConversations(items, query.sort) }
}

/** A contact changed (name, phone): the conversations that show it follow. */
export function patchConversationContact(qc: QueryClient, contact: CustomerContact): void {
  const ref = (c: Conversation): Conversation =>
    c.contact.id === contact.id
      ? {
          ...c,
          contact: {
            ...c.contact,
            name: contact.name,
            phone: contact.phone,
            externalId: contact.externalId,
          },
        }
      : c
  qc.setQueriesData<ConversationListData>({ queryKey: keys.conversationLists }, (d) =>
    d ? { ...d, items: d.items.map(ref) } : d,
  )
  for (const [key, data] of qc.getQueriesData<Conversation>({ queryKey: ['conversations'] })) {
    if (key.length === 2 && typeof key[1] === 'number' && data) qc.setQueryData(key, ref(data))
  }
}

// ---------- messages of an open conversation ----------

/** The loaded messages of one conversation: the newest `pages` pages, oldest first. */
export interface MessagesData {
  messages: Message[]
  pages: number
  total: number
}

/** Statuses that came (socket) before the message itself (its POST answer). */
const pendingStatus = new Map<number, { status: string; error: string | null }>()

/** Merges `incoming` into `existing` (dedupe by id, never downgrade a status). */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  const byId = new Map<number, Message>()
  for (const m of existing) byId.set(m.id, m)
  for (const m of incoming) {
    const prev = byId.get(m.id)
    let next = m
    if (prev && prev.status !== m.status) {
      const status = laterStatus(prev.status, m.status)
      next = { ...m, status, error: status === m.status ? m.error : prev.error }
    }
    const p = pendingStatus.get(m.id)
    if (p) {
      const status = laterStatus(next.status, p.status)
      if (status !== next.status) next = { ...next, status, error: p.error ?? next.error }
      pendingStatus.delete(m.id)
    }
    byId.set(m.id, next)
  }
  return [...byId.values()].sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt) || a.id - b.id)
}

/** Adds (or updates) messages of a loaded conversation; `total` counts the new ones. */
export function addMessages(qc: QueryClient, conversationId: number, incoming: Message[]): void {
  qc.setQueryData<MessagesData>(keys.messages(conversationId), (d) => {
    if (!d) return d
    const known = new Set(d.messages.map((m) => m.id))
    const added = incoming.filter((m) => !known.has(m.id)).length
    return { ...d, messages: mergeMessages(d.messages, incoming), total: d.total + added }
  })
}

/** Replaces a message the server changed (media ready/failed, a reaction, a retry). */
export function replaceMessage(qc: QueryClient, m: Message): void {
  qc.setQueryData<MessagesData>(keys.messages(m.conversationId), (d) =>
    d && d.messages.some((x) => x.id === m.id)
      ? { ...d, messages: mergeMessages(d.messages, [m]) }
      : d,
  )
}

export function applyMessageStatus(qc: QueryClient, ev: MessageStatusEvent): void {
  qc.setQueryData<MessagesData>(keys.messages(ev.conversationId), (d) => {
    if (!d) return d
    if (!d.messages.some((m) => m.id === ev.id)) {
      // The POST answer for this message has not arrived yet: apply it then.
      pendingStatus.set(ev.id, { status: ev.status, error: ev.error })
      return d
    }
    return {
      ...d,
      messages: d.messages.map((m) =>
        m.id === ev.id
          ? { ...m, status: laterStatus(m.status, ev.status), error: ev.error ?? m.error }
          : m,
      ),
    }
  })
}

// ---------- areas and channels ----------

function byName(a: Area, b: Area): number {
  return a.name.localeCompare(b.name) || a.id - b.id
}

export function sortAreas(list: Area[]): Area[] {
  return [...list].sort(byName)
}

export function upsertArea(qc: QueryClient, area: Area): void {
  qc.setQueryData<Area[]>(keys.areas, (list) =>
    sortAreas([...(list ?? []).filter((a) => a.id !== area.id), area]),
  )
}

export function removeArea(qc: QueryClient, id: number): void {
  qc.setQueryData<Area[]>(keys.areas, (list) => list?.filter((a) => a.id !== id))
}

export function upsertChannel(qc: QueryClient, c: Channel): void {
  qc.setQueryData<Channel[]>(keys.channels, (list) => {
    const others = (list ?? []).filter((x) => x.id !== c.id)
    // Only one default: the server clears the others when one becomes it.
    const rest = c.isDefault ? others.map((x) => (x.isDefault ? { ...x, isDefault: false } : x)) : others
    return sortChannels([...rest, c])
  })
  if (qc.getQueryData(keys.channel(c.id)) !== undefined) qc.setQueryData(keys.channel(c.id), c)
}

export function patchChannel(qc: QueryClient, id: number, patch: Partial<Channel>): void {
  qc.setQueryData<Channel[]>(keys.channels, (list) =>
    list?.map((c) => (c.id === id ? { ...c, ...patch } : c)),
  )
}
