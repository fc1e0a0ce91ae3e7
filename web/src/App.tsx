import { lazy, Suspense } from 'react'
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useAuth } from './auth'
import { AreasProvider } from './areas'
import Shell from './components/Shell'
import Toasts from './components/Toasts'
import { rolesOf } from './nav'
import type { Role } from './api/types'

// Every screen is its own chunk, fetched when first opened: the first load carries only the
// shell (router, auth, sidebar) and the screen asked for (scripts/bundle-size.mjs checks it).
const screens = {
  login: () => import('./pages/LoginPage'),
  chat: () => import('./pages/ChatPage'),
  simulator: () => import('./pages/SimulatorPage'),
  areas: () => import('./pages/AreasPage'),
  users: () => import('./pages/UsersPage'),
  'quick-replies': () => import('./pages/QuickRepliesPage'),
  'working-hours': () => import('./pages/WorkingHoursPage'),
  sessions: () => import('./pages/SessionsPage'),
  tokens: () => import('./pages/TokensPage'),
  integrations: () => import('./pages/IntegrationsPage'),
  audit: () => import('./pages/AuditPage'),
  catalog: () => import('./pages/CatalogPage'),
  pipeline: () => import('./pages/PipelinePage'),
  orders: () => import('./pages/OrdersPage'),
  dashboard: () => import('./pages/DashboardPage'),
  reports: () => import('./pages/ReportsPage'),
  contacts: () => import('./pages/ContactsPage'),
  contact: () => import('./pages/ContactDetailPage'),
  contactSettings: () => import('./pages/ContactSettingsPage'),
  flows: () => import('./pages/FlowsPage'),
  channels: () => import('./pages/ChannelsPage'),
  bot: () => import('./pages/BotPage'),
}
const LoginPage = lazy(screens.login)
const ChatPage = lazy(screens.chat)
const SimulatorPage = lazy(screens.simulator)
const AreasPage = lazy(screens.areas)
const UsersPage = lazy(screens.users)
const QuickRepliesPage = lazy(screens['quick-replies'])
const WorkingHoursPage = lazy(screens['working-hours'])
const SessionsPage = lazy(screens.sessions)
const TokensPage = lazy(screens.tokens)
const IntegrationsPage = lazy(screens.integrations)
const AuditPage = lazy(screens.audit)
const CatalogPage = lazy(screens.catalog)
const PipelinePage = lazy(screens.pipeline)
const OrdersPage = lazy(screens.orders)
const DashboardPage = lazy(screens.dashboard)
const ReportsPage = lazy(screens.reports)
const ContactsPage = lazy(screens.contacts)
const ContactDetailPage = lazy(screens.contact)
const ContactSettingsPage = lazy(screens.contactSettings)
const FlowsPage = lazy(screens.flows)
const ChannelsPage = lazy(screens.channels)
const BotPage = lazy(screens.bot)

// The screen of the address being opened is fetched at once, alongside the locale and the
// session check, rather than after them (unknown addresses end in the inbox).
const firstScreen = window.location.pathname.split('/')[1] ?? ''
const preload = firstScreen in screens ? screens[firstScreen as keyof typeof screens] : screens.chat
void preload().catch(() => undefined)

function Splash() {
  const { t } = useTranslation()
  return (
    <div className="splash" role="status">
      {t('common.loading')}
    </div>
  )
}

/** Layout for every page that needs a session: sidebar + page. */
function RequireAuth() {
  const { user } = useAuth()
  const location = useLocation()
  if (user === undefined) return <Splash />
  if (user === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />
  return (
    <AreasProvider key={user.id}>
      <Shell user={user}>
        <Suspense fallback={<Splash />}>
          <Outlet />
        </Suspense>
      </Shell>
      <Toasts />
    </AreasProvider>
  )
}

/** Nested inside RequireAuth: other roles are sent back to the chat. */
function RequireRole({ roles }: { roles: readonly Role[] | undefined }) {
  const { user } = useAuth()
  if (!user || (roles && !roles.includes(user.role))) return <Navigate to="/chat" replace />
  return <Outlet />
}

function LoginRoute() {
  const { user } = useAuth()
  const location = useLocation()
  if (user === undefined) return <Splash />
  if (user) {
    const from: unknown = (location.state as { from?: unknown } | null)?.from
    const target = typeof from === 'string' && from.startsWith('/') && from !== '/login' ? from : '/chat'
    return <Navigate to={target} replace />
  }
  return (
    <Suspense fallback={<Splash />}>
      <LoginPage />
    </Suspense>
  )
}

export default function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginRoute />} />
      <Route element={<RequireAuth />}>
        <Route path="/chat" element={<ChatPage />} />
        <Route path="/chat/:conversationId" element={<ChatPage />} />
        <Route path="/simulator" element={<SimulatorPage />} />
        <Route path="/quick-replies" element={<QuickRepliesPage />} />
        <Route path="/sessions" element={<SessionsPage />} />
        {/* Every role reads the catalog; the page offers edits to admins and supervisors. */}
        <Route path="/catalog" element={<CatalogPage />} />
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/:contactId" element={<ContactDetailPage />} />
        <Route path="/dashboard" element={<DashboardPage />} />
        <Route path="/pipeline" element={<PipelinePage />} />
        {/* Everyone sees the orders of the customers they may see (the server filters). */}
        <Route path="/orders" element={<OrdersPage />} />
        {/* Who may open each screen is written once, in nav.ts. */}
        <Route element={<RequireRole roles={rolesOf('areas')} />}>
          <Route path="/areas" element={<AreasPage />} />
          <Route path="/contacts/settings" element={<ContactSettingsPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('tokens')} />}>
          <Route path="/tokens" element={<TokensPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('integrations')} />}>
          <Route path="/integrations" element={<IntegrationsPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('audit')} />}>
          <Route path="/audit" element={<AuditPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('users')} />}>
          <Route path="/users" element={<UsersPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('working-hours')} />}>
          <Route path="/working-hours" element={<WorkingHoursPage />} />
        </Route>
        {/* Supervisors see the numbers and their state, read-only. */}
        <Route element={<RequireRole roles={rolesOf('channels')} />}>
          <Route path="/channels" element={<ChannelsPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('reports')} />}>
          <Route path="/reports" element={<ReportsPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('bot')} />}>
          <Route path="/bot" element={<BotPage />} />
        </Route>
        <Route element={<RequireRole roles={rolesOf('flows')} />}>
          <Route path="/flows" element={<FlowsPage />} />
          <Route path="/flows/:flowId" element={<FlowsPage />} />
        </Route>
      </Route>
      <Route path="*" element={<Navigate to="/chat" replace />} />
    </Routes>
  )
}
