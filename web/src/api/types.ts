/**
 * Named views of the generated API types (./openapi.d.ts, from the server's OpenAPI spec),
 * plus the few shapes the spec does not describe: Socket.IO event payloads and the
 * `payload` objects messages carry.
 */
import type { components, operations } from './openapi'

type Schemas = components['schemas']
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>

// ---------- people ----------
export type Role = Schemas['Role']
export const ROLES: readonly Role[] = ['ADMIN', 'SUPERVISOR', 'OPERATOR', 'SUPPORT', 'SALES']

/** ADMIN and SUPERVISOR see every conversation and may assign them. */
export function isOverseer(role: Role | undefined): boolean {
  return role === 'ADMIN' || role === 'SUPERVISOR'
}

export type User = Schemas['UserOut']
export type UserCreate = Schemas['UserCreate']
export type UserUpdate = Schemas['UserUpdate']
/** what the user form sends (create or update) */
export type UserInput = UserUpdate & Partial<UserCreate>
export type UserRef = Schemas['UserRef']
export type AuthResponse = Schemas['SessionOut']
export type LoginSession = Schemas['LoginSessionOut']
export type ApiToken = Schemas['TokenOut']
export type ApiTokenCreated = Schemas['TokenCreatedOut']
export type ApiTokenScope = Schemas['TokenScope']
export type AuditEntry = Schemas['AuditEntryOut']
export type Area = Schemas['AreaOut']
export type AreaCreate = Schemas['AreaCreate']
export type AreaUpdate = Schemas['AreaUpdate']
export type AreaMember = Schemas['AreaMemberOut']
export type AreaSurvey = Schemas['AreaSurveyOut']
export type AreaSurveyInput = Schemas['AreaSurveyIn']
export type AreaTargets = Schemas['AreaTargetsOut']
export type AreaTargetsInput = Schemas['AreaTargetsIn']

// ---------- channels ----------
export type Channel = Schemas['ChannelOut']
export type ChannelCreate = Schemas['ChannelCreate']
export type ChannelUpdate = Schemas['ChannelUpdate']
/** what the channel form sends (create or update) */
export type ChannelInput = ChannelCreate & ChannelUpdate
export type ChannelProvider = Schemas['ProviderOut']
export type ChannelConfigField = Schemas['ConfigFieldOut']
export type ChannelQr = Schemas['ChannelQrOut']
export type ChannelHistoryEntry = Schemas['ChannelEventOut']
export type ChannelLogEntry = Schemas['ChannelLogOut']
export type ChannelAction = operations['channelAction']['parameters']['path']['action']
/** GET /api/channels/{id}/... and socket events of the Channels screen. */
export type ChannelState = 'disconnected' | 'qr' | 'connecting' | 'connected' | 'paused' | 'error'
export type MessageTemplate = Schemas['TemplateOut']
export type TemplateSend = Schemas['TemplateSend']

// ---------- conversations and messages ----------
export type Conversation = Schemas['ConversationOut']
export type ConversationStatus = 'bot' | 'pending' | 'active' | 'closed'
export type Contact = Schemas['ContactRef']
export type ConversationPage = Schemas['Page_ConversationOut_']
export type ConversationEvent = Schemas['ConversationEventOut']
export type TransferTarget = Schemas['TransferIn']
export type ListFilter = NonNullable<QueryOf<'listConversations'>['status']>
export type ListView = NonNullable<QueryOf<'listConversations'>['view']>
export type ListSort = NonNullable<QueryOf<'listConversations'>['sort']>

export type Message = Schemas['MessageOut']
export type MessagePage = Schemas['Page_MessageOut_']
export type MessageStatus = Schemas['MessageStatus']
export type MessageMedia = Schemas['MediaOut']
/** POST /api/conversations/{id}/media (multipart: sent as FormData) */
export type MediaUpload = Schemas['Body_sendMedia']
export type MediaKind = Schemas['SandboxMedia']['kind']
export type QuotedMessage = Schemas['QuotedOut']
export type MessageReaction = Schemas['ReactionOut']

/** `payload.location` of a location message */
export type LocationPayload = Schemas['SandboxLocation']
/** one entry of `payload.contacts` of a contacts message */
export type ContactCard = Required<Schemas['SandboxContact']>
/** A menu as the bot sends it (message payloads, simulation replies). */
export type MenuChoice = Schemas['SimulatedOption']
/** `payload` of a bot menu message ({ kind: 'menu' }); other kinds may come ('media'). */
export interface MenuPayload {
  kind: 'menu'
  nodeKey?: string
  style: 'buttons' | 'list' | null
  text: string
  options: MenuChoice[]
}

// ---------- Socket.IO events (not part of the HTTP spec) ----------
export interface MessageStatusEvent {
  id: number
  conversationId: number
  status: MessageStatus
  error: string | null
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

/** A service target missed (sent once per conversation and kind, to admins and the area's supervisors). */
export interface TargetBreachedEvent {
  conversationId: number
  kind: 'first_response' | 'resolution'
  dueAt: string
  areaId: number | null
  contactName: string
  assignedUserId: number | null
}

// ---------- sandbox (simulated phones) ----------
export type SandboxInboundInput = Schemas['SandboxInbound']
export type InboundResponse = Schemas['SandboxInboundOut']
export type OutboundMessage = Schemas['SandboxOutbound']
export type SandboxMessage = Schemas['SandboxMessageOut']

// ---------- customers: contacts and labels ----------
export type CustomerContact = Schemas['ContactOut']
export type ContactPatch = Schemas['ContactPatch']
export type ContactPage = Schemas['Page_ContactOut_']
export type ContactEvent = Schemas['ContactEventOut']
export type ContactStatus = Schemas['ContactStatusOut']
export type ContactAttribute = Schemas['ContactAttributeOut']
export type ContactSort = NonNullable<QueryOf<'listContacts'>['sort']>
export type ImportReport = Schemas['ContactImportReport']
/** POST /api/contacts/import[/preview] (multipart: sent as FormData) */
export type ContactImportUpload = Schemas['Body_importContacts']
export type Label = Schemas['LabelOut']
/** The contact list's filters (the Contacts screen). */
export interface ContactListQuery {
  q: string
  tag: string
  statusId: number | null
  ownerId: number | null
  /** one custom attribute filter, `key=value` */
  attr: string
  sort: ContactSort
  page: number
  pageSize: number
}

// ---------- quick replies ----------
export type QuickReply = Schemas['QuickReplyOut']
export type QuickReplyInput = Schemas['QuickReplyIn']
export type QuickReplyScope = Schemas['Scope']

// ---------- working hours ----------
export type TimeInterval = Schemas['Interval']
export type WeeklyInterval = Schemas['WeeklyIn']
export type ScheduleException = Schemas['ExceptionIn-Output']
export type ScheduleInput = Schemas['ScheduleIn']
export type Schedule = Schemas['ScheduleOut']
export type OpenStatus = Schemas['OpenStatus']

// ---------- bot flows ----------
export type MessageNode = Schemas['MessageNode-Output']
export type MenuNode = Schemas['MenuNode-Output']
export type ActionNode = Schemas['ActionNode-Output']
export type RedirectNode = Schemas['RedirectNode-Output']
export type EndNode = Schemas['EndNode-Output']
export type FlowNode = MessageNode | MenuNode | ActionNode | RedirectNode | EndNode
export type FlowNodeType = FlowNode['type']
export const FLOW_NODE_TYPES: readonly FlowNodeType[] = ['message', 'menu', 'action', 'redirect', 'end']
export type MenuOption = Schemas['MenuOption-Output']
export type CatalogEntry = Schemas['CatalogEntry']
export type ActionKind = ActionNode['action']
export type AskField = NonNullable<ActionNode['field']>
export type AnswerCheck = NonNullable<ActionNode['check']>
export type CatalogCommand = NonNullable<ActionNode['command']>
export type FlowSettings = Schemas['FlowSettings-Output']
export type FlowDefinition = Schemas['FlowDefinition-Output']
export type FlowProblem = Schemas['Problem']
export type Flow = Schemas['FlowOut']
export type FlowCreate = Schemas['FlowCreate']
export type FlowUpdate = Schemas['FlowUpdate']
export type FlowVersion = Schemas['VersionOut']
export type FlowTree = Schemas['FlowTreeOut']
export type FlowValidation = Schemas['ValidationOut']
/** GET /api/flows/{id}/export */
export type FlowExport = Schemas['FlowExport']
/** POST /api/flows/import */
export type FlowImport = Schemas['FlowImport']
export type SimulateInput = Schemas['SimulationIn']
export type SimulateReply = Schemas['SimulatedReply']
export type SimulateResult = Schemas['SimulationOut']

// ---------- sales pipeline ----------
export type PipelineBoard = Schemas['Board']
export type BoardPipeline = Schemas['BoardPipeline']
export type BoardStage = Schemas['BoardStage']
export type StageTotal = Schemas['StageTotal']
export type Deal = Schemas['DealOut']
export type DealCreate = Schemas['DealIn']
export type DealUpdate = Schemas['DealPatch']
export type DealStageChange = Schemas['StageChangeOut']
export type BoardQuery = QueryOf<'getPipelineBoard'>
/** Socket.IO `deal:deleted` (the others carry a whole Deal; `pipeline:updated` a pipeline). */
export interface DealGoneEvent {
  id: number
  pipelineId: number
}
// ---------- dashboard ----------
export type Dashboard = Schemas['DashboardOut']
export type DashboardArea = Schemas['AreaFigures']
export type DashboardAgent = Schemas['AgentFigures']
export type DashboardChannel = Schemas['ChannelFigures']
// ---------- reports ----------
export type ReportQuery = Omit<NonNullable<QueryOf<'getReportSummary'>>, 'format'>
export type ReportSummary = Schemas['ReportSummary']
export type ReportDays = Schemas['ReportDays']
export type ReportAgents = Schemas['ReportAgents']
export type ReportAreas = Schemas['ReportAreas']
export type ReportCounts = Schemas['ReportCounts']
export type ReportDurations = Schemas['ReportDurations']
export type ReportDay = Schemas['ReportDayRow']
export type ReportAgent = Schemas['ReportAgentRow']
export type ReportArea = Schemas['ReportAreaRow']
// ---------- integrations ----------
export type Webhook = Schemas['WebhookOut']
export type WebhookCreated = Schemas['WebhookSecretOut']
export type WebhookDelivery = Schemas['DeliveryOut']
// ---------- bot rules ----------
export type BotSettings = Schemas['BotOut']
export type BotInput = Schemas['BotIn']
export type BotRule = Schemas['RuleIn']
export type BotRuleOut = Schemas['RuleOut']
export type BotTry = Schemas['TryOut']
