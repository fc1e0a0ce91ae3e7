import type {
  Area,
  AreaInput,
  AreaMember,
  AuthResponse,
  Channel,
  ChannelAction,
  ChannelHistoryEntry,
  ChannelInput,
  ChannelLogEntry,
  ChannelProvider,
  ChannelQr,
  Conversation,
  Flow,
  FlowDefinition,
  FlowExport,
  FlowInput,
  FlowTree,
  FlowValidation,
  FlowVersion,
  ConversationEvent,
  InboundResponse,
  ListFilter,
  ListSort,
  ListView,
  LoginSession,
  Message,
  MessageTemplate,
  OutboundMessage,
  OpenStatus,
  Page,
  QuickReply,
  QuickReplyInput,
  SandboxInboundInput,
  Schedule,
  ScheduleInput,
  SimulateInput,
  SimulateResult,
  TemplateSend,
  TransferTarget,
  User,
  UserInput,
} from './types'

/** Error raised for any non-2xx answer (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number
  /** the raw `detail` of the answer, when there was one (string or pydantic errors) */
  readonly detail: unknown
  /** the whole parsed answer (e.g. a refused publish lists its `problems` beside `detail`) */
  readonly body: unknown

  constructor(status: number, message: string, detail: unknown = null, body: unknown = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.body = body
  }
}

let csrfToken: string | null = null
let unauthorizedHandler: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called whenever an API call (other than login / the session probe) answers 401. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

interface PydanticError {
  loc?: unknown
  msg?: unknown
  type?: unknown
}

/** Turns a FastAPI `detail` (string or list of pydantic errors) into one line. */
export function detailToMessage(detail: unknown): string | null {
  if (typeof detail === 'string') return detail
  if (Array.isArray(detail)) {
    const msgs = detail
      .map((d: PydanticError) => (d && typeof d.msg === 'string' ? d.msg : null))
      .filter((m): m is string => m !== null && m !== '')
    return msgs.length > 0 ? msgs.join('; ') : null
  }
  if (detail && typeof detail === 'object' && 'msg' in detail) {
    const msg = (detail as PydanticError).msg
    if (typeof msg === 'string') return msg
  }
  return null
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  /** Do not trigger the global "go to /login" handler on 401. */
  skipAuthRedirect?: boolean
  /** Do not send the CSRF header (login). */
  skipCsrf?: boolean
  signal?: AbortSignal
}

async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json' }
  // A FormData body (an upload) sets its own multipart Content-Type with the boundary.
  const form = opts.body instanceof FormData ? opts.body : null
  if (opts.body !== undefined && !form) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && !opts.skipCsrf && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: form ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
      signal: opts.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, err instanceof Error ? err.message : String(err))
  }

  if (res.status === 204) return undefined as T

  const text = await res.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }

  if (!res.ok) {
    if (res.status === 401 && !opts.skipAuthRedirect) unauthorizedHandler?.()
    const raw =
      data && typeof data === 'object' && 'detail' in data
        ? (data as { detail: unknown }).detail
        : null
    const detail = raw !== null ? detailToMessage(raw) : null
    throw new ApiError(res.status, detail ?? (res.statusText || `HTTP ${res.status}`), raw, data)
  }
  return data as T
}

function qs(params: Record<string, string | number | undefined>): string {
  const sp = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') sp.set(k, String(v))
  }
  const s = sp.toString()
  return s ? `?${s}` : ''
}

export const api = {
  login: (username: string, password: string) =>
    request<AuthResponse>('/api/auth/login', {
      method: 'POST',
      body: { username, password },
      skipAuthRedirect: true,
      skipCsrf: true,
    }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', skipAuthRedirect: true }),
  me: () => request<AuthResponse>('/api/auth/me', { skipAuthRedirect: true }),
  // The user's own login sessions (the Sessions screen).
  mySessions: (signal?: AbortSignal) => request<LoginSession[]>('/api/auth/sessions', { signal }),
  logoutOtherSessions: () =>
    request<{ revoked: number }>('/api/auth/sessions/others', { method: 'DELETE' }),
  revokeMySession: (id: string) =>
    request<void>(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),

  channels: () => request<Channel[]>('/api/channels'),
  channel: (id: number, signal?: AbortSignal) =>
    request<Channel>(`/api/channels/${id}`, { signal }),
  channelTemplates: (id: number, signal?: AbortSignal) =>
    request<MessageTemplate[]>(`/api/channels/${id}/templates`, { signal }),
  // The Channels screen (admins write; everything else only reads).
  channelProviders: (signal?: AbortSignal) =>
    request<ChannelProvider[]>('/api/channels/providers', { signal }),
  createChannel: (body: ChannelInput) => request<Channel>('/api/channels', { method: 'POST', body }),
  /** a masked or missing secret in `config` keeps the stored one */
  updateChannel: (id: number, body: ChannelInput) =>
    request<Channel>(`/api/channels/${id}`, { method: 'PATCH', body }),
  /** 409 while it has conversations: stop or pause it instead */
  deleteChannel: (id: number) => request<void>(`/api/channels/${id}`, { method: 'DELETE' }),
  channelAction: (id: number, action: ChannelAction) =>
    request<Channel>(`/api/channels/${id}/${action}`, { method: 'POST' }),
  channelQr: (id: number, signal?: AbortSignal) =>
    request<ChannelQr>(`/api/channels/${id}/qr`, { signal }),
  channelHistory: (id: number, limit = 50, signal?: AbortSignal) =>
    request<ChannelHistoryEntry[]>(`/api/channels/${id}/history${qs({ limit })}`, { signal }),
  channelLog: (id: number, limit = 100, signal?: AbortSignal) =>
    request<ChannelLogEntry[]>(`/api/channels/${id}/log${qs({ limit })}`, { signal }),

  conversations: (
    p: {
      status: ListFilter
      q: string
      page: number
      pageSize: number
      view?: ListView
      areaId?: number
      sort?: ListSort
    },
    signal?: AbortSignal,
  ) => request<Page<Conversation>>(`/api/conversations${qs(p)}`, { signal }),
  conversation: (id: number, signal?: AbortSignal) =>
    request<Conversation>(`/api/conversations/${id}`, { signal }),
  messages: (id: number, page: number, pageSize: number, signal?: AbortSignal) =>
    request<Page<Message>>(`/api/conversations/${id}/messages${qs({ page, pageSize })}`, {
      signal,
    }),
  /** `quotedId`: the message this one replies to */
  sendMessage: (id: number, body: string, quotedId?: number | null) =>
    request<Message>(`/api/conversations/${id}/messages`, {
      method: 'POST',
      body: quotedId != null ? { body, quotedId } : { body },
    }),
  /** multipart upload; 413 too big, 415 type not allowed, 409 reply window closed */
  sendMedia: (id: number, file: File, caption?: string, quotedId?: number | null) => {
    const form = new FormData()
    form.append('file', file, file.name)
    if (caption) form.append('caption', caption)
    if (quotedId != null) form.append('quotedId', String(quotedId))
    return request<Message>(`/api/conversations/${id}/media`, { method: 'POST', body: form })
  },
  sendTemplate: (id: number, body: TemplateSend) =>
    request<Message>(`/api/conversations/${id}/template`, { method: 'POST', body }),
  /** re-queues a failed media download */
  retryMedia: (mediaId: number) =>
    request<Message>(`/api/media/${mediaId}/retry`, { method: 'POST' }),
  sendNote: (id: number, body: string) =>
    request<Message>(`/api/conversations/${id}/notes`, { method: 'POST', body: { body } }),
  closeConversation: (id: number) =>
    request<Conversation>(`/api/conversations/${id}/close`, { method: 'POST' }),
  markRead: (id: number) =>
    request<Conversation>(`/api/conversations/${id}/read`, { method: 'POST' }),
  takeConversation: (id: number) =>
    request<Conversation>(`/api/conversations/${id}/take`, { method: 'POST' }),
  assignConversation: (id: number, userId: number) =>
    request<Conversation>(`/api/conversations/${id}/assign`, { method: 'POST', body: { userId } }),
  transferConversation: (id: number, target: TransferTarget) =>
    request<Conversation>(`/api/conversations/${id}/transfer`, { method: 'POST', body: target }),
  conversationEvents: (id: number, signal?: AbortSignal) =>
    request<ConversationEvent[]>(`/api/conversations/${id}/events`, { signal }),

  areas: (signal?: AbortSignal) => request<Area[]>('/api/areas', { signal }),
  createArea: (body: AreaInput) => request<Area>('/api/areas', { method: 'POST', body }),
  updateArea: (id: number, body: AreaInput) =>
    request<Area>(`/api/areas/${id}`, { method: 'PATCH', body }),
  deleteArea: (id: number) => request<void>(`/api/areas/${id}`, { method: 'DELETE' }),
  areaMembers: (id: number, signal?: AbortSignal) =>
    request<AreaMember[]>(`/api/areas/${id}/members`, { signal }),

  quickReplies: (q?: string, signal?: AbortSignal) =>
    request<QuickReply[]>(`/api/quick-replies${qs({ q })}`, { signal }),
  createQuickReply: (body: QuickReplyInput) =>
    request<QuickReply>('/api/quick-replies', { method: 'POST', body }),
  updateQuickReply: (id: number, body: QuickReplyInput) =>
    request<QuickReply>(`/api/quick-replies/${id}`, { method: 'PUT', body }),
  deleteQuickReply: (id: number) =>
    request<void>(`/api/quick-replies/${id}`, { method: 'DELETE' }),
  reorderQuickReplies: (ids: number[]) =>
    request<QuickReply[]>('/api/quick-replies/reorder', { method: 'POST', body: { ids } }),

  workingHours: (areaId: number, signal?: AbortSignal) =>
    request<Schedule>(`/api/working-hours/${areaId}`, { signal }),
  setWorkingHours: (areaId: number, body: ScheduleInput) =>
    request<Schedule>(`/api/working-hours/${areaId}`, { method: 'PUT', body }),
  workingHoursStatus: (areaId: number, signal?: AbortSignal) =>
    request<OpenStatus>(`/api/working-hours/${areaId}/status`, { signal }),

  users: (signal?: AbortSignal) => request<User[]>('/api/users', { signal }),
  createUser: (body: UserInput) => request<User>('/api/users', { method: 'POST', body }),
  updateUser: (id: number, body: UserInput) =>
    request<User>(`/api/users/${id}`, { method: 'PATCH', body }),
  deactivateUser: (id: number) => request<User>(`/api/users/${id}`, { method: 'DELETE' }),

  /** anything a simulated customer sends: media, a location, contacts, a reaction, a reply */
  sandboxSend: (channelId: number, body: SandboxInboundInput) =>
    request<InboundResponse>(`/api/sandbox/${channelId}/inbound`, { method: 'POST', body }),
  sandboxOutbound: (channelId: number, to: string, signal?: AbortSignal) =>
    request<OutboundMessage[]>(`/api/sandbox/${channelId}/outbound${qs({ to })}`, { signal }),
  sandboxThread: (channelId: number, to: string, signal?: AbortSignal) =>
    request<Message[]>(`/api/sandbox/${channelId}/thread${qs({ to })}`, { signal }),
  sandboxRead: (channelId: number, to: string) =>
    request<{ updated: number }>(`/api/sandbox/${channelId}/read`, {
      method: 'POST',
      body: { to },
    }),

  flows: (signal?: AbortSignal) => request<Flow[]>('/api/flows', { signal }),
  flow: (id: number, signal?: AbortSignal) => request<Flow>(`/api/flows/${id}`, { signal }),
  createFlow: (body: FlowInput & { name: string }) =>
    request<Flow>('/api/flows', { method: 'POST', body }),
  updateFlow: (id: number, body: FlowInput) =>
    request<Flow>(`/api/flows/${id}`, { method: 'PATCH', body }),
  deleteFlow: (id: number) => request<void>(`/api/flows/${id}`, { method: 'DELETE' }),
  /** the draft by default; `version`: "published" or a number */
  flowTree: (id: number, version?: number | 'published', signal?: AbortSignal) =>
    request<FlowTree>(`/api/flows/${id}/tree${qs({ version })}`, { signal }),
  saveFlowTree: (id: number, body: FlowDefinition) =>
    request<FlowTree>(`/api/flows/${id}/tree`, { method: 'PUT', body }),
  /** the problems of `body` (unsaved), else of the saved draft */
  validateFlow: (id: number, body?: FlowDefinition) =>
    request<FlowValidation>(`/api/flows/${id}/validate`, { method: 'POST', body }),
  /** 422 lists every problem: ApiError.body.problems */
  publishFlow: (id: number) => request<Flow>(`/api/flows/${id}/publish`, { method: 'POST' }),
  flowVersions: (id: number, signal?: AbortSignal) =>
    request<FlowVersion[]>(`/api/flows/${id}/versions`, { signal }),
  exportFlow: (id: number, version?: number | 'published') =>
    request<FlowExport>(`/api/flows/${id}/export${qs({ version })}`),
  importFlow: (body: FlowExport) => request<Flow>('/api/flows/import', { method: 'POST', body }),
  /** runs the saved draft through the engine: no conversation, nothing sent */
  simulateFlow: (id: number, body: SimulateInput) =>
    request<SimulateResult>(`/api/flows/${id}/simulate`, { method: 'POST', body }),
}
