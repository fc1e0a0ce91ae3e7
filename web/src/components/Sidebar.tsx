import { useMemo } from 'react'
import { NavLink } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { PanelLeftClose, PanelLeftOpen, X } from 'lucide-react'
import type { User } from '../api/types'
import { visibleNav } from '../nav'
import Logo from './Logo'
import SocketIndicator from './SocketIndicator'
import UserMenu from './UserMenu'

type Props = {
  user: User
  collapsed: boolean
  onToggleCollapsed: () => void
  /** Closes the phone drawer. */
  onClose: () => void
}

/** Grouped navigation from nav.ts; collapsed it shows icons only (labels stay for screen readers). */
export default function Sidebar({ user, collapsed, onToggleCollapsed, onClose }: Props) {
  const { t } = useTranslation()
  const groups = useMemo(() => visibleNav(user.role), [user.role])
  const CollapseIcon = collapsed ? PanelLeftOpen : PanelLeftClose

  return (
    <aside
      className={`sidebar ${collapsed ? 'collapsed' : ''}`}
      data-testid="sidebar"
      data-collapsed={collapsed ? 'true' : 'false'}
    >
      <div className="sidebar-top">
        <div className="brand">
          <Logo />
          <span className="sidebar-text">{t('app.name')}</span>
        </div>
        <SocketIndicator />
        <button
          type="button"
          className="icon-btn drawer-close"
          data-testid="drawer-close"
          aria-label={t('header.closeMenu')}
          onClick={onClose}
        >
          <X size={20} aria-hidden />
        </button>
      </div>
      <nav className="sidebar-nav" aria-label={t('header.navigation')}>
        {groups.map((g) => (
          <div className="nav-group" key={g.id} data-testid={`nav-group-${g.id}`}>
            <div className="nav-group-label sidebar-text">{t(g.label)}</div>
            {g.items.map((item) => {
              const Icon = item.icon
              const label = t(item.label)
              return (
                <NavLink
                  key={item.id}
                  to={item.to}
                  className="nav-item"
                  data-testid={`nav-${item.id}`}
                  title={collapsed ? label : undefined}
                >
                  <Icon size={20} aria-hidden className="nav-icon" />
                  <span className="sidebar-text">{label}</span>
                </NavLink>
              )
            })}
          </div>
        ))}
      </nav>
      <div className="sidebar-bottom">
        <UserMenu user={user} collapsed={collapsed} />
        <button
          type="button"
          className="nav-item collapse-toggle"
          data-testid="sidebar-collapse"
          aria-pressed={collapsed}
          title={collapsed ? t('header.expand') : t('header.collapse')}
          onClick={onToggleCollapsed}
        >
          <CollapseIcon size={20} aria-hidden className="nav-icon" />
          <span className="sidebar-text">{collapsed ? t('header.expand') : t('header.collapse')}</span>
        </button>
      </div>
    </aside>
  )
}
