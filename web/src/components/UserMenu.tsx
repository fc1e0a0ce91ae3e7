import { useLayoutEffect, useRef, useState } from 'react'
import { NavLink, useLocation, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { ChevronsUpDown, LogOut, MonitorSmartphone } from 'lucide-react'
import { useAuth } from '../auth'
import type { User } from '../api/types'
import Avatar from './Avatar'
import LanguageSelect from './LanguageSelect'

/** Who is signed in, with language, sessions and log out in a small menu that opens upwards. */
export default function UserMenu({ user, collapsed }: { user: User; collapsed: boolean }) {
  const { t } = useTranslation()
  const { logout } = useAuth()
  const navigate = useNavigate()
  const location = useLocation()
  // Open at one address only: following a link (Sessions) closes it without an effect.
  const [openAt, setOpenAt] = useState<string | null>(null)
  const open = openAt === location.pathname
  const box = useRef<HTMLDivElement>(null)
  const name = user.name || user.username

  // A layout effect, so the key listener is there as soon as this shows (Preact runs plain
  // effects a frame later, and an Escape pressed in between would be lost).
  useLayoutEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpenAt(null)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpenAt(null)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])

  const onLogout = async () => {
    await logout()
    navigate('/login', { replace: true })
  }

  return (
    <div className="user-menu" ref={box}>
      {open && (
        <div className="user-menu-panel" data-testid="user-menu-panel" role="menu">
          <div className="user-menu-who">
            <strong>{name}</strong>
            <span className="muted">{t(`roles.${user.role}`, user.role)}</span>
          </div>
          <LanguageSelect className="user-menu-lang" />
          <NavLink to="/sessions" className="user-menu-item" data-testid="nav-sessions" role="menuitem">
            <MonitorSmartphone size={18} aria-hidden />
            {t('nav.sessions')}
          </NavLink>
          <button
            type="button"
            className="user-menu-item"
            data-testid="logout"
            role="menuitem"
            onClick={() => void onLogout()}
          >
            <LogOut size={18} aria-hidden />
            {t('header.logout')}
          </button>
        </div>
      )}
      <button
        type="button"
        className="nav-item user-menu-button"
        data-testid="user-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('header.userMenu')}
        title={collapsed ? name : undefined}
        onClick={() => setOpenAt(open ? null : location.pathname)}
      >
        <Avatar name={name} />
        <span className="sidebar-text current-user" data-testid="current-user">
          <span className="current-user-name">{name}</span>
          <span className="current-user-role">{t(`roles.${user.role}`, user.role)}</span>
        </span>
        <ChevronsUpDown size={16} aria-hidden className="sidebar-text" />
      </button>
    </div>
  )
}
