import { NavLink, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useAuth } from '../auth'
import { isOverseer } from '../api/types'
import type { User } from '../api/types'
import LanguageSelect from './LanguageSelect'
import SocketIndicator from './SocketIndicator'
import Logo from './Logo'

export default function Header({ user }: { user: User }) {
  const { t } = useTranslation()
  const { logout } = useAuth()
  const navigate = useNavigate()

  const onLogout = async () => {
    await logout()
    navigate('/login', { replace: true })
  }

  return (
    <header className="app-header">
      <div className="brand">
        <Logo />
        <span>{t('app.name')}</span>
      </div>
      <nav className="main-nav" aria-label={t('header.navigation')}>
        <NavLink to="/chat" data-testid="nav-chat">
          {t('nav.chat')}
        </NavLink>
        <NavLink to="/contacts" data-testid="nav-contacts">
          {t('nav.contacts')}
        </NavLink>
        <NavLink to="/simulator" data-testid="nav-simulator">
          {t('nav.simulator')}
        </NavLink>
        <NavLink to="/quick-replies" data-testid="nav-quick-replies">
          {t('nav.quickReplies')}
        </NavLink>
        {user.role === 'ADMIN' && (
          <NavLink to="/areas" data-testid="nav-areas">
            {t('nav.areas')}
          </NavLink>
        )}
        {isOverseer(user.role) && (
          <NavLink to="/channels" data-testid="nav-channels">
            {t('nav.channels')}
          </NavLink>
        )}
        {isOverseer(user.role) && (
          <NavLink to="/users" data-testid="nav-users">
            {t('nav.users')}
          </NavLink>
        )}
        {isOverseer(user.role) && (
          <NavLink to="/working-hours" data-testid="nav-working-hours">
            {t('nav.workingHours')}
          </NavLink>
        )}
        {isOverseer(user.role) && (
          <NavLink to="/flows" data-testid="nav-flows">
            {t('nav.flows')}
          </NavLink>
        )}
      </nav>
      <div className="header-right">
        <SocketIndicator />
        <LanguageSelect />
        <div className="current-user" data-testid="current-user">
          <span className="current-user-name">{user.name || user.username}</span>
          <span className="current-user-role">{t(`roles.${user.role}`, user.role)}</span>
        </div>
        <button type="button" className="btn btn-ghost" data-testid="logout" onClick={onLogout}>
          {t('header.logout')}
        </button>
      </div>
    </header>
  )
}
