/**
 * Orders' server state: types from the generated spec, query keys and reads, and the cache
 * refresh their Socket.IO events make (useOrdersSync).
 */
import { keepPreviousData, queryOptions, useQueryClient } from '@tanstack/react-query'
import type { components, operations } from './openapi'
import { client, unwrap } from './client'
import type { Role } from './types'
import { useSocketEvent } from '../socket'

type Schemas = components['schemas']

export type Order = Schemas['OrderOut']
export type OrderDetail = Schemas['OrderDetail']
export type OrderCreate = Schemas['OrderIn']
export type OrderStatus = Schemas['OrderStatus']
export type OrderStatusChange = Schemas['StatusChangeOut']
export type StatusMessage = Schemas['StatusMessageOut']
export type StatusMessageInput = Schemas['StatusMessageIn']
export type OrderFilter = NonNullable<operations['listOrders']['parameters']['query']>

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'pending',
  'confirmed',
  'preparing',
  'shipped',
  'delivered',
  'cancelled',
]

/** Who may create orders (the server says so too): overseers and sales agents. */
export function mayCreateOrders(role: Role | undefined): boolean {
  return role === 'ADMIN' || role === 'SUPERVISOR' || role === 'SALES'
}

export const orderKeys = {
  all: ['orders'] as const,
  lists: ['orders', 'list'] as const,
  list: (f: OrderFilter) => ['orders', 'list', f] as const,
  detail: (id: number) => ['orders', 'detail', id] as const,
  statusMessages: ['orders', 'statusMessages'] as const,
}

export const ordersQuery = (filter: OrderFilter) =>
  queryOptions({
    queryKey: orderKeys.list(filter),
    queryFn: ({ signal }) => unwrap(client.GET('/api/orders', { params: { query: filter }, signal })),
    placeholderData: keepPreviousData,
  })

export const orderQuery = (id: number) =>
  queryOptions({
    queryKey: orderKeys.detail(id),
    queryFn: ({ signal }) =>
      unwrap(client.GET('/api/orders/{order_id}', { params: { path: { order_id: id } }, signal })),
  })

export const statusMessagesQuery = queryOptions({
  queryKey: orderKeys.statusMessages,
  queryFn: ({ signal }) => unwrap(client.GET('/api/orders/status-messages', { signal })),
})

export function moveOrder(id: number, status: OrderStatus): Promise<OrderDetail> {
  return unwrap(
    client.PATCH('/api/orders/{order_id}', { params: { path: { order_id: id } }, body: { status } }),
  )
}

export function createOrder(body: OrderCreate): Promise<OrderDetail> {
  return unwrap(client.POST('/api/orders', { body }))
}

/** `order:updated` and `order:deleted` refetch the lists and the order shown. */
export function useOrdersSync(): void {
  const qc = useQueryClient()
  const refresh = () => void qc.invalidateQueries({ queryKey: orderKeys.all })
  useSocketEvent('order:updated', refresh)
  useSocketEvent('order:deleted', refresh)
}
