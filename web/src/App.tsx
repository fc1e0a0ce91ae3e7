import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useAuth } from './auth'
import Header from './components/Header'
import LoginPage from './pages/LoginPage'
import ChatPage from './pages/ChatPage'
import SimulatorPage from './pages/SimulatorPage'

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
    <div className="app-shell">
      <Header user={user} />
      <main className="app-main">
        <Outlet />
      </main>
    </div>
  )
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
      </Route>
      <Route path="*" element={<Navigate to="/chat" replace />} />
    </Routes>
  )
}
