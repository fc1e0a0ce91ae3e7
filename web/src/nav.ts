// The console's navigation, in one list: the sidebar, the route guards and the tests read it.
// A screen that is planned but not built yet stays here with `ready: false`, so adding it is
// flipping the flag and adding its route in App.tsx; groups with nothing to show are hidden.
import type { LucideIcon } from 'lucide-react'
import {
  Bot,
  ChartColumn,
  Clock,
  Contact,
  Gauge,
  KeyRound,
  MessageSquare,
  Network,
  Package,
  Plug,
  RadioTower,
  ScrollText,
  ShoppingCart,
  Smartphone,
  SquareKanban,
  UserCog,
  Workflow,
  Zap,
} from 'lucide-react'
import type { Role } from './api/types'

export type NavItem = {
  /** Stable id: the link's data-testid is `nav-<id>`. */
  id: string
  to: string
  /** i18n key of the label. */
  label: string
  icon: LucideIcon
  /** Roles that may open it; undefined means every signed-in user. */
  roles?: readonly Role[]
  /** False for screens not built yet: listed so they appear once they exist. */
  ready: boolean
}

export type NavGroup = { id: string; label: string; items: readonly NavItem[] }

export const ADMIN_ONLY: readonly Role[] = ['ADMIN']
export const OVERSEERS: readonly Role[] = ['ADMIN', 'SUPERVISOR']

export const NAV: readonly NavGroup[] = [
  {
    id: 'inbox',
    label: 'navGroups.inbox',
    items: [
      { id: 'chat', to: '/chat', label: 'nav.chat', icon: MessageSquare, ready: true },
      { id: 'simulator', to: '/simulator', label: 'nav.simulator', icon: Smartphone, ready: true },
    ],
  },
  {
    id: 'customers',
    label: 'navGroups.customers',
    items: [
      { id: 'contacts', to: '/contacts', label: 'nav.contacts', icon: Contact, ready: true },
      { id: 'pipeline', to: '/pipeline', label: 'nav.pipeline', icon: SquareKanban, ready: true },
    ],
  },
  {
    id: 'sales',
    label: 'navGroups.sales',
    items: [
      { id: 'orders', to: '/orders', label: 'nav.orders', icon: ShoppingCart, ready: true },
      { id: 'catalog', to: '/catalog', label: 'nav.catalog', icon: Package, ready: true },
    ],
  },
  {
    id: 'reports',
    label: 'navGroups.reports',
    items: [
      { id: 'dashboard', to: '/dashboard', label: 'nav.dashboard', icon: Gauge, ready: true },
      {
        id: 'reports',
        to: '/reports',
        label: 'nav.reports',
        icon: ChartColumn,
        roles: OVERSEERS,
        ready: true,
      },
    ],
  },
  {
    id: 'settings',
    label: 'navGroups.settings',
    items: [
      { id: 'users', to: '/users', label: 'nav.users', icon: UserCog, roles: OVERSEERS, ready: true },
      { id: 'areas', to: '/areas', label: 'nav.areas', icon: Network, roles: ADMIN_ONLY, ready: true },
      {
        id: 'working-hours',
        to: '/working-hours',
        label: 'nav.workingHours',
        icon: Clock,
        roles: OVERSEERS,
        ready: true,
      },
      {
        id: 'channels',
        to: '/channels',
        label: 'nav.channels',
        icon: RadioTower,
        roles: OVERSEERS,
        ready: true,
      },
      { id: 'flows', to: '/flows', label: 'nav.flows', icon: Workflow, roles: OVERSEERS, ready: true },
      { id: 'bot', to: '/bot', label: 'nav.bot', icon: Bot, roles: OVERSEERS, ready: true },
      { id: 'quick-replies', to: '/quick-replies', label: 'nav.quickReplies', icon: Zap, ready: true },
      {
        id: 'integrations',
        to: '/integrations',
        label: 'nav.integrations',
        icon: Plug,
        roles: ADMIN_ONLY,
        ready: true,
      },
      { id: 'tokens', to: '/tokens', label: 'nav.tokens', icon: KeyRound, roles: ADMIN_ONLY, ready: true },
      { id: 'audit', to: '/audit', label: 'nav.audit', icon: ScrollText, roles: ADMIN_ONLY, ready: true },
    ],
  },
]

export function canUse(item: NavItem, role: Role): boolean {
  return item.ready && (item.roles === undefined || item.roles.includes(role))
}

/** The groups and items this role sees, empty groups left out. */
export function visibleNav(role: Role): NavGroup[] {
  return NAV.map((g) => ({ ...g, items: g.items.filter((i) => canUse(i, role)) })).filter(
    (g) => g.items.length > 0,
  )
}

/** Roles allowed on a screen, for the route guards in App.tsx (every role when unset). */
export function rolesOf(id: string): readonly Role[] | undefined {
  return NAV.flatMap((g) => g.items).find((i) => i.id === id)?.roles
}
