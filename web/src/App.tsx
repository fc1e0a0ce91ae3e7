import { lazy, Suspense } from 'react'
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useAuth } from './auth'
import { AreasProvider } from './areas'
import Header from './components/Header'
import Toasts from './components/Toasts'
import LoginPage from './pages/LoginPage'
import ChatPage from './pages/ChatPage'
import SimulatorPage from './pages/SimulatorPage'
import AreasPage from './pages/AreasPage'
import UsersPage from './pages/UsersPage'
import QuickRepliesPage from './pages/QuickRepliesPage'
import WorkingHoursPage from './pages/WorkingHoursPage'
import SessionsPage from './pages/SessionsPage'
import ContactsPage from './pages/ContactsPage'
import ContactDetailPage from './pages/ContactDetailPage'
import ContactSettingsPage from './pages/ContactSettingsPage'
import type { Role } from './api/types'

// The flow builder is big and only for admins and supervisors: loaded when opened.
const FlowsPage = lazy(() => import('./pages/FlowsPage'))
// Channels too (admins and supervisors only, with its own styles).
const ChannelsPage = lazy(() => import('./pages/ChannelsPage'))

function Splash() {
  const { t } = useTranslation()
  return (
    <div className="splash" role="status">
      {t('common.loading')}
    </div>
  )
}

/** Layout for every page that needs a session: header + page. */
function RequireAuth() {
  const { user } = useAuth()
  const location = useLocation()
  if (user === undefined) return <Splash />
  if (user === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />
  return (
    <AreasProvider key={user.id}>
      <div className="app-shell">
        <Header user={user} />
        <main className="app-main">
          <Outlet />
        </main>
        <Toasts />
      </div>
    </AreasProvider>
  )
}

/** Nested inside RequireAuth: other roles are sent back to the chat. */
function RequireRole({ roles }: { roles: readonly Role[] }) {
  const { user } = useAuth()
  if (!user || !roles.includes(user.role)) return <Navigate to="/chat" replace />
  return <Outlet />
}

function LazyFlows() {
  return (
    <Suspense fallback={<Splash />}>
      <FlowsPage />
    </Suspense>
  )
}

function LazyChannels() {
  return (
    <Suspense fallback={<Splash />}>
      <ChannelsPage />
    </Suspense>
  )
}

const AREA_ROLES: readonly Role[] = ['ADMIN']
const USER_ROLES: readonly Role[] = ['ADMIN', 'SUPERVISOR']

function LoginRoute() {
  const { user } = useAuth()
  const location = useLocation()
  if (user === undefined) return <Splash />
  if (user) {
    const from: unknown = (location.state as { from?: unknown } | null)?.from
    const target = typeof from === 'string' && from.startsWith('/') && from !== '/login' ? from : '/chat'
    return <Navigate to={target} replace />
  }
  return <LoginPage />
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
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/:contactId" element={<ContactDetailPage />} />
        <Route element={<RequireRole roles={AREA_ROLES} />}>
          <Route path="/areas" element={<AreasPage />} />
          <Route path="/contacts/settings" element={<ContactSettingsPage />} />
        </Route>
        <Route element={<RequireRole roles={USER_ROLES} />}>
          <Route path="/users" element={<UsersPage />} />
          <Route path="/working-hours" element={<WorkingHoursPage />} />
          {/* Supervisors see the numbers and their state, read-only. */}
          <Route path="/channels" element={<LazyChannels />} />
          <Route path="/flows" element={<LazyFlows />} />
          <Route path="/flows/:flowId" element={<LazyFlows />} />
        </Route>
      </Route>
      <Route path="*" element={<Navigate to="/chat" replace />} />
    </Routes>
  )
}
