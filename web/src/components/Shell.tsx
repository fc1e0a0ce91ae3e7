import { useCallback, useLayoutEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { useLocation } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { Menu } from 'lucide-react'
import type { User } from '../api/types'
import Logo from './Logo'
import Sidebar from './Sidebar'

const COLLAPSED_KEY = 'helpline.sidebar.collapsed'

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(COLLAPSED_KEY) === '1'
  } catch {
    return false // localStorage may be unavailable (privacy mode)
  }
}

function saveCollapsed(value: boolean): void {
  try {
    window.localStorage.setItem(COLLAPSED_KEY, value ? '1' : '0')
  } catch {
    // ignore: the choice just is not remembered
  }
}

/** The signed-in layout: sidebar (a drawer on phones, opened from the top bar) + page. */
export default function Shell({ user, children }: { user: User; children: ReactNode }) {
  const { t } = useTranslation()
  const [collapsed, setCollapsed] = useState(readCollapsed)
  const location = useLocation()
  // The phone drawer is open at one address only: following a link closes it.
  const [drawerAt, setDrawerAt] = useState<string | null>(null)
  const drawerOpen = drawerAt === location.pathname
  const setDrawerOpen = (value: boolean) => setDrawerAt(value ? location.pathname : null)

  // A layout effect, so the key listener is there as soon as this shows (Preact runs plain
  // effects a frame later, and an Escape pressed in between would be lost).
  useLayoutEffect(() => {
    if (!drawerOpen) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrawerAt(null)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [drawerOpen])

  const toggleCollapsed = useCallback(() => {
    setCollapsed((c) => {
      saveCollapsed(!c)
      return !c
    })
  }, [])

  return (
    <div className={`app-shell ${drawerOpen ? 'drawer-open' : ''}`}>
      <Sidebar
        user={user}
        collapsed={collapsed}
        onToggleCollapsed={toggleCollapsed}
        onClose={() => setDrawerOpen(false)}
      />
      {drawerOpen && (
        <div className="drawer-backdrop" data-testid="drawer-backdrop" onClick={() => setDrawerOpen(false)} />
      )}
      <div className="app-body">
        <header className="topbar">
          <button
            type="button"
            className="icon-btn"
            data-testid="menu-button"
            aria-label={t('header.openMenu')}
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen(true)}
          >
            <Menu size={22} aria-hidden />
          </button>
          <div className="brand">
            <Logo />
            <span>{t('app.name')}</span>
          </div>
        </header>
        <main className="app-main">{children}</main>
      </div>
    </div>
  )
}
