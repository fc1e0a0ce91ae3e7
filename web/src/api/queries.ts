/**
 * Every server read of the console: its TanStack Query key and how it is fetched.
 * Keys live only here, so a socket event or a mutation can update or invalidate exactly
 * what a screen shows (see ./cacheSync.ts).
 */
import { queryOptions } from '@tanstack/react-query'
import type { ListQuery } from '../util'
import type { BoardQuery } from './types'
import { ApiError, client, unwrap } from './client'
import type {
  ContactListQuery,
  ReportAgents,
  ReportAreas,
  ReportDays,
  ReportQuery,
  ReportSummary,
} from './types'

export const keys = {
  areas: ['areas'] as const,
  /** the user's own login sessions */
  mySessions: ['auth', 'sessions'] as const,
  areaMembers: (areaId: number) => ['areas', areaId, 'members'] as const,
  /** an area's satisfaction survey settings */
  areaSurvey: (areaId: number) => ['areas', areaId, 'survey'] as const,
  /** an area's service targets (first response, resolution) */
  areaTargets: (areaId: number) => ['areas', areaId, 'targets'] as const,
  users: ['users'] as const,
  channels: ['channels'] as const,
  channel: (id: number) => ['channels', id] as const,
  channelProviders: ['channels', 'providers'] as const,
  channelHistory: (id: number) => ['channels', id, 'history'] as const,
  channelLog: (id: number) => ['channels', id, 'log'] as const,
  channelQr: (id: number) => ['channels', id, 'qr'] as const,
  channelTemplates: (id: number) => ['channels', id, 'templates'] as const,
  /** every conversation list, whatever its filters */
  conversationLists: ['conversations', 'list'] as const,
  conversationList: (q: ListQuery) => ['conversations', 'list', q] as const,
  conversation: (id: number) => ['conversations', id] as const,
  messageRaw: (messageId: number) => ['messages', messageId, 'raw'] as const,
  messages: (conversationId: number) => ['conversations', conversationId, 'messages'] as const,
  conversationEvents: (id: number) => ['conversations', id, 'events'] as const,
  /** every contact list, whatever its filters */
  contactLists: ['contacts', 'list'] as const,
  contactList: (q: ContactListQuery) => ['contacts', 'list', q] as const,
  contact: (id: number) => ['contacts', id] as const,
  contactEvents: (id: number) => ['contacts', id, 'events'] as const,
  contactConversations: (id: number) => ['contacts', id, 'conversations'] as const,
  contactStatuses: ['contactStatuses'] as const,
  contactAttributes: ['contactAttributes'] as const,
  labels: ['labels'] as const,
  quickReplies: ['quickReplies'] as const,
  workingHours: (areaId: number) => ['workingHours', areaId] as const,
  workingHoursStatus: (areaId: number) => ['workingHours', areaId, 'status'] as const,
  /** the live dashboard (the server cuts it to what the user may see) */
  dashboard: ['dashboard'] as const,
  /** every report table, whatever its range and filters */
  reports: ['reports'] as const,
  flows: ['flows'] as const,
  flow: (id: number) => ['flows', id] as const,
  flowVersions: (id: number) => ['flows', id, 'versions'] as const,
  /** every board, whatever its filters (deal and pipeline events invalidate them all) */
  pipeline: ['pipeline'] as const,
  pipelineBoard: (q: BoardQuery) => ['pipeline', 'board', q] as const,
  dealHistory: (id: number) => ['pipeline', 'deals', id, 'history'] as const,
  contactDeals: (contactId: number) => ['contacts', contactId, 'deals'] as const,
  /** the deal dialog's customer picker (through the conversations the user sees) */
  dealContactSearch: (q: string) => ['pipeline', 'contactSearch', q] as const,
  /** the bot's state in one conversation */
  flowRun: (conversationId: number) => ['flows', 'runs', conversationId] as const,
  /** one simulated phone's view of a sandbox channel */
  sandbox: (channelId: number, to: string) => ['sandbox', channelId, to] as const,
  sandboxOutbound: (channelId: number, to: string) =>
    ['sandbox', channelId, to, 'outbound'] as const,
  sandboxThread: (channelId: number, to: string) => ['sandbox', channelId, to, 'thread'] as const,
}

export const mySessionsQuery = queryOptions({
  queryKey: keys.mySessions,
  queryFn: ({ signal }) => unwrap(client.GET('/api/auth/sessions', { signal })),
})

export const areasQuery = queryOptions({
  queryKey: keys.areas,
  queryFn: ({ signal }) => unwrap(client.GET('/api/areas', { signal })),
})

export const areaMembersQuery = (areaId: number) =>
  queryOptions({
    queryKey: keys.areaMembers(areaId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/areas/{area_id}/members', { params: { path: { area_id: areaId } }, signal }),
      ),
  })

export const areaSurveyQuery = (areaId: number) =>
  queryOptions({
    queryKey: keys.areaSurvey(areaId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/areas/{area_id}/survey', { params: { path: { area_id: areaId } }, signal }),
      ),
  })

export const areaTargetsQuery = (areaId: number) =>
  queryOptions({
    queryKey: keys.areaTargets(areaId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/areas/{area_id}/targets', { params: { path: { area_id: areaId } }, signal }),
      ),
  })

export const usersQuery = queryOptions({
  queryKey: keys.users,
  queryFn: ({ signal }) => unwrap(client.GET('/api/users', { signal })),
})

export const channelsQuery = queryOptions({
  queryKey: keys.channels,
  queryFn: ({ signal }) => unwrap(client.GET('/api/channels', { signal })),
})

export const channelQuery = (id: number) =>
  queryOptions({
    queryKey: keys.channel(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/channels/{channel_id}', { params: { path: { channel_id: id } }, signal }),
      ),
  })

export const channelProvidersQuery = queryOptions({
  queryKey: keys.channelProviders,
  queryFn: ({ signal }) => unwrap(client.GET('/api/channels/providers', { signal })),
  // what the server supports does not change while it runs
  staleTime: Infinity,
})

export const CHANNEL_HISTORY_LIMIT = 50
export const CHANNEL_LOG_LIMIT = 100

export const channelHistoryQuery = (id: number, limit = CHANNEL_HISTORY_LIMIT) =>
  queryOptions({
    queryKey: keys.channelHistory(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/channels/{channel_id}/history', {
          params: { path: { channel_id: id }, query: { limit } },
          signal,
        }),
      ),
  })

export const channelLogQuery = (id: number, limit = CHANNEL_LOG_LIMIT) =>
  queryOptions({
    queryKey: keys.channelLog(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/channels/{channel_id}/log', {
          params: { path: { channel_id: id }, query: { limit } },
          signal,
        }),
      ),
  })

export const channelQrQuery = (id: number) =>
  queryOptions({
    queryKey: keys.channelQr(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/channels/{channel_id}/qr', { params: { path: { channel_id: id } }, signal }),
      ),
  })

export const channelTemplatesQuery = (id: number) =>
  queryOptions({
    queryKey: keys.channelTemplates(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/channels/{channel_id}/templates', { params: { path: { channel_id: id } }, signal }),
      ),
  })

export const conversationQuery = (id: number) =>
  queryOptions({
    queryKey: keys.conversation(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/conversations/{conv_id}', { params: { path: { conv_id: id } }, signal }),
      ),
  })

/** One page of a conversation list (newest activity first, or longest waiting). */
export function fetchConversationPage(
  q: ListQuery,
  page: number,
  pageSize: number,
  signal?: AbortSignal,
) {
  return unwrap(
    client.GET('/api/conversations', {
      params: {
        query: {
          status: q.status,
          view: q.view,
          areaId: q.areaId ?? undefined,
          sort: q.sort,
          q: q.q || undefined,
          page,
          pageSize,
        },
      },
      signal,
    }),
  )
}

/** One page of a conversation's messages (page 1: the newest). */
export function fetchMessagePage(
  conversationId: number,
  page: number,
  pageSize: number,
  signal?: AbortSignal,
) {
  return unwrap(
    client.GET('/api/conversations/{conv_id}/messages', {
      params: { path: { conv_id: conversationId }, query: { page, pageSize } },
      signal,
    }),
  )
}

export const conversationEventsQuery = (id: number) =>
  queryOptions({
    queryKey: keys.conversationEvents(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/conversations/{conv_id}/events', { params: { path: { conv_id: id } }, signal }),
      ),
  })

export const quickRepliesQuery = queryOptions({
  queryKey: keys.quickReplies,
  queryFn: ({ signal }) => unwrap(client.GET('/api/quick-replies', { signal })),
})

export const workingHoursQuery = (areaId: number) =>
  queryOptions({
    queryKey: keys.workingHours(areaId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/working-hours/{area_id}', { params: { path: { area_id: areaId } }, signal }),
      ),
  })

export const workingHoursStatusQuery = (areaId: number) =>
  queryOptions({
    queryKey: keys.workingHoursStatus(areaId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/working-hours/{area_id}/status', { params: { path: { area_id: areaId } }, signal }),
      ),
  })

export const flowsQuery = queryOptions({
  queryKey: keys.flows,
  queryFn: ({ signal }) => unwrap(client.GET('/api/flows', { signal })),
})

export const flowQuery = (id: number) =>
  queryOptions({
    queryKey: keys.flow(id),
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/flows/{flow_id}', { params: { path: { flow_id: id } }, signal })),
  })

export const flowVersionsQuery = (id: number) =>
  queryOptions({
    queryKey: keys.flowVersions(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/flows/{flow_id}/versions', { params: { path: { flow_id: id } }, signal }),
      ),
  })

export const sandboxOutboundQuery = (channelId: number, to: string) =>
  queryOptions({
    queryKey: keys.sandboxOutbound(channelId, to),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/sandbox/{channel_id}/outbound', {
          params: { path: { channel_id: channelId }, query: { to } },
          signal,
        }),
      ),
  })

export const sandboxThreadQuery = (channelId: number, to: string) =>
  queryOptions({
    queryKey: keys.sandboxThread(channelId, to),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/sandbox/{channel_id}/thread', {
          params: { path: { channel_id: channelId }, query: { to } },
          signal,
        }),
      ),
  })

/** What the provider sent for one message, as received (admins only). */
export const messageRawQuery = (messageId: number) =>
  queryOptions({
    queryKey: keys.messageRaw(messageId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/messages/{message_id}/raw', {
          params: { path: { message_id: messageId } },
          signal,
        }),
      ),
    staleTime: Infinity,
  })

/** The API tokens other systems use (admins only). */
export const apiTokensQuery = queryOptions({
  queryKey: ['apiTokens'] as const,
  queryFn: ({ signal }) => unwrap(client.GET('/api/tokens', { signal })),
})

export interface AuditFilter {
  kind?: string
  actorId?: number
  since?: string
  until?: string
  page: number
}

/** One page of the activity log (admins only). */
export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: ['audit', filter] as const,
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/audit', { params: { query: { ...filter, pageSize: 50 } }, signal })),
    placeholderData: (previous) => previous,
  })

/**
 * The report tables (overseers): each table is its own request, over the same filters. The
 * spec also lists the CSV these routes give with `format=csv`, which widens the answer's
 * type; JSON is what these calls ask for, hence the casts.
 */
export const reportSummaryQuery = (q: ReportQuery) =>
  queryOptions({
    queryKey: [...keys.reports, 'summary', q] as const,
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/reports/summary', { params: { query: q }, signal })) as Promise<ReportSummary>,
    placeholderData: (previous) => previous,
  })

export const reportDaysQuery = (q: ReportQuery) =>
  queryOptions({
    queryKey: [...keys.reports, 'days', q] as const,
    queryFn: ({ signal }) => unwrap(client.GET('/api/reports/days', { params: { query: q }, signal })) as Promise<ReportDays>,
    placeholderData: (previous) => previous,
  })

export const reportAgentsQuery = (q: ReportQuery) =>
  queryOptions({
    queryKey: [...keys.reports, 'agents', q] as const,
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/reports/agents', { params: { query: q }, signal })) as Promise<ReportAgents>,
    placeholderData: (previous) => previous,
  })

export const reportAreasQuery = (q: ReportQuery) =>
  queryOptions({
    queryKey: [...keys.reports, 'areas', q] as const,
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/reports/areas', { params: { query: q }, signal })) as Promise<ReportAreas>,
    placeholderData: (previous) => previous,
  })

export const pipelineBoardQuery = (q: BoardQuery) =>
  queryOptions({
    queryKey: keys.pipelineBoard(q),
    queryFn: ({ signal }) => unwrap(client.GET('/api/pipeline', { params: { query: q }, signal })),
  })

export const dealHistoryQuery = (id: number) =>
  queryOptions({
    queryKey: keys.dealHistory(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/pipeline/deals/{deal_id}/history', {
          params: { path: { deal_id: id } },
          signal,
        }),
      ),
  })

export const contactDealsQuery = (contactId: number) =>
  queryOptions({
    queryKey: keys.contactDeals(contactId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/contacts/{contact_id}/deals', {
          params: { path: { contact_id: contactId } },
          signal,
        }),
      ),
  })

/** Customers to attach a deal to: those of the conversations the user sees, matching `q`. */
export const dealContactSearchQuery = (q: string) =>
  queryOptions({
    queryKey: keys.dealContactSearch(q),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/conversations', {
          params: { query: { status: 'all', q: q || null, pageSize: 20 } },
          signal,
        }),
      ),
  })
export const dashboardQuery = queryOptions({
  queryKey: keys.dashboard,
  queryFn: ({ signal }) => unwrap(client.GET('/api/dashboard', { signal })),
  // `dashboard:updated` keeps it fresh while the page is open (see cacheSync.tsx)
  staleTime: 30_000,
})

export const contactListQuery = (q: ContactListQuery) =>
  queryOptions({
    queryKey: keys.contactList(q),
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/contacts', { params: { query: contactListParams(q) }, signal })),
  })

/** The list's filters as query parameters (empty ones left out), for the list and the export. */
export function contactListParams(q: ContactListQuery) {
  return {
    q: q.q || undefined,
    tag: q.tag || undefined,
    statusId: q.statusId ?? undefined,
    ownerId: q.ownerId ?? undefined,
    attr: q.attr ? [q.attr] : undefined,
    sort: q.sort,
    page: q.page,
    pageSize: q.pageSize,
  }
}

export const contactQuery = (id: number) =>
  queryOptions({
    queryKey: keys.contact(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/contacts/{contact_id}', { params: { path: { contact_id: id } }, signal }),
      ),
  })

export const contactEventsQuery = (id: number) =>
  queryOptions({
    queryKey: keys.contactEvents(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/contacts/{contact_id}/events', {
          params: { path: { contact_id: id } },
          signal,
        }),
      ),
  })

export const contactConversationsQuery = (id: number) =>
  queryOptions({
    queryKey: keys.contactConversations(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/contacts/{contact_id}/conversations', {
          params: { path: { contact_id: id } },
          signal,
        }),
      ),
  })

export const contactStatusesQuery = queryOptions({
  queryKey: keys.contactStatuses,
  queryFn: ({ signal }) => unwrap(client.GET('/api/contact-statuses', { signal })),
})

export const contactAttributesQuery = queryOptions({
  queryKey: keys.contactAttributes,
  queryFn: ({ signal }) => unwrap(client.GET('/api/contact-attributes', { signal })),
})

export const labelsQuery = queryOptions({
  queryKey: keys.labels,
  queryFn: ({ signal }) => unwrap(client.GET('/api/labels', { signal })),
})

/** The bot's state in a conversation (404 when it never ran there: not retried). */
export const flowRunQuery = (conversationId: number) =>
  queryOptions({
    queryKey: keys.flowRun(conversationId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/flows/runs/{conversation_id}', {
          params: { path: { conversation_id: conversationId } },
          signal,
        }),
      ),
    retry: (count, err) => !(err instanceof ApiError && err.status === 404) && count < 2,
  })

export const webhooksQuery = queryOptions({
  queryKey: ['webhooks'] as const,
  queryFn: ({ signal }) => unwrap(client.GET('/api/integrations/webhooks', { signal })),
})

export const webhookEventsQuery = queryOptions({
  queryKey: ['webhookEvents'] as const,
  queryFn: ({ signal }) => unwrap(client.GET('/api/integrations/webhooks/events', { signal })),
  staleTime: Infinity,
})

export const webhookDeliveriesQuery = (webhookId: number) =>
  queryOptions({
    queryKey: ['webhooks', webhookId, 'deliveries'] as const,
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/integrations/webhooks/{webhook_id}/deliveries', {
          params: { path: { webhook_id: webhookId } },
          signal,
        }),
      ),
    // Deliveries change in the background (the worker): the list follows them.
    refetchInterval: 3000,
  })
