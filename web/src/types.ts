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
  /** WhatsApp's 24-hour customer-service window applies (Cloud API); may be missing */
  replyWindow?: boolean
  /** why it is in that state (an error, "scan the QR"...) */
  statusDetail?: string | null
  /** the QR text, only while status is "qr" */
  qr?: string | null
  defaultAreaId?: number | null
  /** provider settings; secrets come masked ("••••abcd") */
  config?: Record<string, unknown>
  createdAt?: string
  statusChangedAt?: string | null
}

/** GET /api/channels/{id}/... and socket events of the Channels screen. */
export type ChannelState = 'disconnected' | 'qr' | 'connecting' | 'connected' | 'paused' | 'error'

export interface ChannelConfigField {
  key: string
  required: boolean
  /** stored encrypted, returned masked; left unchanged unless retyped */
  secret: boolean
  default: string | null
}

export interface ChannelProvider {
  name: string
  label: string
  configFields: ChannelConfigField[]
  /** has a session of its own: QR, start / stop, logout (WhatsApp Web, WPPConnect) */
  session: boolean
  replyWindow: boolean
}

export interface ChannelInput {
  name?: string
  provider?: string
  phone?: string | null
  config?: Record<string, unknown>
  isDefault?: boolean
  defaultAreaId?: number | null
}

export interface ChannelQr {
  channelId: number
  status: string
  qr: string | null
  svg: string | null
}

export interface ChannelHistoryEntry {
  id: number
  status: string
  detail: string | null
  createdAt: string
}

export interface ChannelLogEntry {
  id: number
  level: string
  message: string
  createdAt: string
}

export type ChannelAction = 'start' | 'stop' | 'pause' | 'resume' | 'logout'

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
  /** the customer's last message: opens the 24-hour reply window (may be missing) */
  lastInboundAt?: string | null
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
  /** structured content beside the text (a bot menu, a media link); may be missing */
  payload?: Record<string, unknown> | null
  status: MessageStatus
  error: string | null
  createdAt: string
  /** an image, audio, video, document or sticker (may be missing from older servers) */
  media?: MessageMedia | null
  /** the message this one replies to */
  quoted?: QuotedMessage | null
  /** the latest reaction of each side on this message */
  reactions?: MessageReaction[]
  /** the provider's id (sandbox pages: what a simulated reaction or reply points to) */
  providerMessageId?: string | null
}

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker'

export interface MessageMedia {
  id: number
  kind: MediaKind
  mimeType: string | null
  size: number | null
  filename: string | null
  /** a voice note (recorded in the chat) rather than an audio file */
  voice: boolean
  /** inbound media is downloaded from the provider after the message arrives */
  status: 'pending' | 'ready' | 'failed'
  error: string | null
  /** same-origin, cookie-authenticated: `/api/media/{id}` */
  url: string
}

export interface QuotedMessage {
  id: number
  body: string
  type: string
  direction: 'in' | 'out'
}

export interface MessageReaction {
  emoji: string
  direction: 'in' | 'out'
}

/** `payload.location` of a location message */
export interface LocationPayload {
  latitude: number
  longitude: number
  name?: string | null
  address?: string | null
}

/** one entry of `payload.contacts` of a contacts message */
export interface ContactCard {
  name: string
  phones: string[]
}

/** an approved WhatsApp template of a channel (GET /api/channels/{id}/templates) */
export interface MessageTemplate {
  id: number
  name: string
  language: string
  category: string | null
  status: string
  body: string
  paramCount: number
  syncedAt: string | null
}

export interface TemplateSend {
  name: string
  language: string
  params: string[]
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
  /** "text", "interactive", … (may be missing from older servers) */
  type?: string
  payload?: Record<string, unknown> | null
  status: MessageStatus
  error: string | null
  createdAt: string
  /** what the business sent as a file (same shape as Message.media) */
  media?: MessageMedia | null
  /** the provider's id: what a simulated reaction or reply points to */
  providerMessageId?: string | null
}

/** what a simulated customer sends (POST /api/sandbox/{channelId}/inbound) */
export interface SandboxInboundInput {
  from: string
  name?: string
  text?: string
  type?: string
  replyId?: string
  media?: {
    kind: MediaKind
    filename?: string
    mimeType?: string
    /** a voice note recorded in the chat */
    voice?: boolean
    dataBase64: string
  }
  location?: LocationPayload
  contacts?: ContactCard[]
  reaction?: { emoji: string; messageId: string }
  /** the provider id of the message this one replies to */
  quotedId?: string
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

// ---------- bot flows (helpline/flows: definition.py, schemas.py) ----------

export type FlowNodeType = 'message' | 'menu' | 'action' | 'redirect' | 'end'

export const FLOW_NODE_TYPES: readonly FlowNodeType[] = ['message', 'menu', 'action', 'redirect', 'end']

export interface MenuOption {
  /** 0–99, what the customer types */
  number: number
  label: string
  keywords: string[]
  /** the node this option leads to */
  target: string | null
  /** hand over to a person (the default area) instead */
  human: boolean
}

export interface CatalogEntry {
  key: string
  text: string
}

interface FlowNodeBase {
  /** stable id: letters, digits, - and _ (up to 64) */
  key: string
  /** a label for the builder */
  title: string
  /** free builder metadata (kept as it is) */
  ui?: Record<string, unknown> | null
  children: FlowNode[]
}

export interface MessageNode extends FlowNodeBase {
  type: 'message'
  text: string
  mediaUrl: string | null
  next: string | null
}

export interface MenuNode extends FlowNodeBase {
  type: 'menu'
  text: string
  options: MenuOption[]
  invalidText: string | null
  maxInvalid: number
}

export type ActionKind = 'ask' | 'tag' | 'webhook' | 'catalog'
export type AskField = 'name' | 'email' | 'dni' | 'custom'
export type AnswerCheck = 'text' | 'name' | 'email' | 'dni' | 'number'
export type CatalogCommand = 'lookup' | 'list'

export interface ActionNode extends FlowNodeBase {
  type: 'action'
  action: ActionKind
  /** the question, prompt or list header */
  text: string
  field: AskField | null
  customKey: string | null
  check: AnswerCheck | null
  retryText: string | null
  maxInvalid: number
  tag: string | null
  url: string | null
  command: CatalogCommand | null
  entries: CatalogEntry[]
  storeAs: string | null
  next: string | null
}

export interface RedirectNode extends FlowNodeBase {
  type: 'redirect'
  areaId: number | null
  text: string
}

export interface EndNode extends FlowNodeBase {
  type: 'end'
  text: string
}

export type FlowNode = MessageNode | MenuNode | ActionNode | RedirectNode | EndNode

export interface FlowSettings {
  /** bring the main menu back */
  menuKeywords: string[]
  /** ask for a person */
  humanKeywords: string[]
  /** where a person takes over */
  defaultAreaId: number | null
  /** the main menu; null: the first menu */
  menuKey: string | null
  invalidText: string
  humanText: string
}

export interface FlowDefinition {
  settings: FlowSettings
  nodes: FlowNode[]
}

export interface FlowProblem {
  /** the node at fault; null for the whole flow */
  nodeKey: string | null
  message: string
}

export interface Flow {
  id: number
  name: string
  /** null: the default flow for every channel */
  channelId: number | null
  active: boolean
  publishedVersion: number | null
  publishedAt: string | null
  draftUpdatedAt: string
  hasUnpublishedChanges: boolean
  createdAt: string
  updatedAt: string
}

export interface FlowInput {
  name?: string
  channelId?: number | null
  active?: boolean
}

export interface FlowVersion {
  /** 0 is the draft */
  number: number
  state: 'draft' | 'published' | 'archived'
  publishedAt: string | null
  publishedBy: number | null
  updatedAt: string
}

export interface FlowTree extends FlowDefinition {
  flowId: number
  version: FlowVersion
  problems: FlowProblem[]
}

export interface FlowValidation {
  valid: boolean
  problems: FlowProblem[]
}

/** GET /api/flows/{id}/export, POST /api/flows/import */
export interface FlowExport {
  format: 'helpline.flow'
  formatVersion: 1
  name: string
  exportedAt?: string | null
  version?: number | null
  /** area id -> name, to map areas on import */
  areas?: Record<string, string>
  definition: FlowDefinition
  channelId?: number | null
}

/** A menu as the bot sends it (message payloads, simulation replies). */
export interface MenuChoice {
  id: string
  number: number
  label: string
}

export interface SimulateInput {
  /** null: start a run */
  state: unknown
  message: { text: string; type: string; replyId: string | null }
}

export interface SimulateReply {
  text: string
  options: MenuChoice[] | null
}

export interface SimulateResult {
  /** opaque: sent back with the next message */
  state: unknown
  replies: SimulateReply[]
  handover: { areaId: number | null; areaName: string | null } | null
  closed: boolean
  finished: boolean
  nodeKey: string | null
  events: string[]
}

/** `payload` of a bot menu message ({ kind: 'menu' }); other kinds may come ('media'). */
export interface MenuPayload {
  kind: 'menu'
  nodeKey?: string
  style: 'buttons' | 'list' | null
  text: string
  options: MenuChoice[]
}

/** One of the user's own login sessions (GET /api/auth/sessions). */
export interface LoginSession {
  /** opaque id for revoking it */
  id: string
  /** e.g. "Firefox on Windows" */
  device: string
  userAgent: string | null
  ip: string | null
  createdAt: string
  lastSeenAt: string | null
  expiresAt: string
  /** the session of this browser */
  current: boolean
}
