export type Role = 'ADMIN' | 'SUPERVISOR' | 'OPERATOR' | 'SUPPORT' | 'SALES'

export interface User {
  id: number
  username: string
  email: string | null
  name: string
  role: Role
  active: boolean
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
}

export type MessageStatus =
  | 'received'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'

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

export type ListFilter = 'active' | 'closed' | 'all'
