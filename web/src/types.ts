export type Role = 'ADMIN' | 'SUPERVISOR' | 'OPERATOR' | 'SUPPORT' | 'SALES'

export const ROLES: readonly Role[] = ['ADMIN', 'SUPERVISOR', 'OPERATOR', 'SUPPORT', 'SALES']

/** ADMIN and SUPERVISOR see every conversation and may assign them. */
export function isOverseer(role: Role | undefined): boolean {
  return role === 'ADMIN' || role === 'SUPERVISOR'
}

export interface UserAreaRef {
  id: number
  name: string
  isDefault: boolean
}

export interface User {
  id: number
  username: string
  email: string | null
  name: string
  role: Role
  active: boolean
  /** may be missing from older servers: read it with `?? []` */
  areas: UserAreaRef[]
}

export interface UserInput {
  username?: string
  email?: string | null
  name?: string
  password?: string
  role?: Role
  active?: boolean
  areaIds?: number[]
  defaultAreaId?: number | null
}

export interface Area {
  id: number
  name: string
  description: string | null
  active: boolean
  /** may be missing from older servers */
  autoAssign?: boolean
  capacity?: number
}

export interface AreaInput {
  name?: string
  description?: string | null
  active?: boolean
  autoAssign?: boolean
  capacity?: number
}

export interface AreaMember {
  id: number
  name: string
  role: Role
  isDefault: boolean
}

export interface AuthResponse {
  user: User
  csrfToken: string
}

export interface Channel {
  id: number
  name: string
  provider: string
  phone: string | null
  status: string
  isDefault: boolean
}

export type ConversationStatus = 'bot' | 'pending' | 'active' | 'closed'

export interface Contact {
  id: number
  phone: string
  name: string | null
}

export interface UserRef {
  id: number
  name: string
}

export interface Conversation {
  id: number
  channelId: number
  contact: Contact
  status: ConversationStatus
  assignedTo: UserRef | null
  areaId: number | null
  unreadCount: number
  lastMessageAt: string | null
  lastMessagePreview: string | null
  createdAt: string
  closedAt: string | null
  /** since when the customer waits for an answer (may be missing from older servers) */
  waitingSince?: string | null
}

export type MessageStatus =
  | 'received'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  /** private notes: never sent to the customer */
  | 'internal'

export interface Message {
  id: number
  conversationId: number
  direction: 'in' | 'out'
  sender: 'contact' | 'operator' | 'bot' | 'system'
  senderUser: UserRef | null
  type: string
  body: string
  status: MessageStatus
  error: string | null
  createdAt: string
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface OutboundMessage {
  id: number | string
  to: string
  body: string
  status: MessageStatus
  error: string | null
  createdAt: string
}

export interface InboundResponse {
  message: Message
  conversation: Conversation
}

export interface MessageStatusEvent {
  id: number
  conversationId: number
  status: MessageStatus
  error: string | null
}

export type ConversationEventType =
  | 'opened'
  | 'assigned'
  | 'status'
  | 'transferred'
  | 'closed'
  | (string & {})

export interface ConversationEvent {
  id: number
  type: ConversationEventType
  actorUserId: number | null
  /** user id, `area:<id>` or a status, depending on `type` */
  oldValue: string | null
  newValue: string | null
  note: string | null
  createdAt: string
}

export type TransferTarget = { userId: number; note?: string } | { areaId: number; note?: string }

export type ListFilter = 'active' | 'closed' | 'all'

export type ListView = 'all' | 'mine' | 'unassigned'

export type ListSort = 'activity' | 'waiting'

export type QuickReplyScope = 'global' | 'area' | 'personal'

export interface QuickReply {
  id: number
  shortcut: string
  title: string
  body: string
  scope: QuickReplyScope
  areaId: number | null
  ownerUserId: number | null
  position: number
  updatedAt: string
}

export interface QuickReplyInput {
  shortcut: string
  title: string
  body: string
  scope: QuickReplyScope
  areaId?: number | null
}

export interface NoteMentionEvent {
  message: Message
  conversation: Conversation
  by: UserRef
}

export interface PendingAssignmentEvent {
  conversationId: number
  areaId: number | null
}

/** "HH:MM" local time; "24:00" is allowed as an end (midnight at the end of the day). */
export interface TimeInterval {
  start: string
  end: string
}

export interface WeeklyInterval extends TimeInterval {
  /** 0 = Monday … 6 = Sunday */
  weekday: number
}

/** A date with its own hours (none = closed all day). */
export interface ScheduleException {
  /** "YYYY-MM-DD" */
  date: string
  intervals: TimeInterval[]
  note: string | null
}

export interface ScheduleInput {
  /** IANA name, e.g. America/Argentina/Buenos_Aires */
  timezone: string
  /** sent to customers who write while the area is closed */
  courtesyMessage: string | null
  intervals: WeeklyInterval[]
  exceptions: ScheduleException[]
}

export interface Schedule extends ScheduleInput {
  areaId: number
}

export interface OpenStatus {
  areaId: number
  open: boolean
  /** false: no hours set, the area is always open */
  configured: boolean
  nextOpening: string | null
}
