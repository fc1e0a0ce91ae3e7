import { useEffect, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { api } from '../api'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import type { LoginSession } from '../types'
import { errorMessage, fullDateTime, relativeTime } from '../util'

/** The browsers where the user is logged in: end one, or all but this one. */
export default function SessionsPage() {
  const { t, i18n } = useTranslation()
  const { logout } = useAuth()
  const navigate = useNavigate()
  const [sessions, setSessions] = useState<LoginSession[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [reloadCount, setReloadCount] = useState(0)
  const [actionError, setActionError] = useState<unknown>(null)
  const [confirmOthers, setConfirmOthers] = useState(false)
  const [busy, setBusy] = useState(false)
  const [now, setNow] = useState(() => Date.now())

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .mySessions(ctrl.signal)
      .then((list) => {
        setSessions(list)
        setLoadError(null)
        setNow(Date.now())
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError(err)
      })
    return () => ctrl.abort()
  }, [reloadCount])

  const reload = () => setReloadCount((n) => n + 1)

  const revoke = async (s: LoginSession) => {
    setActionError(null)
    try {
      await api.revokeMySession(s.id)
      if (s.current) {
        await logout()
        navigate('/login', { replace: true })
        return
      }
      reload()
    } catch (err) {
      setActionError(err)
    }
  }

  const logOutOthers = async () => {
    setBusy(true)
    try {
      await api.logoutOtherSessions()
      setConfirmOthers(false)
      reload()
    } catch (err) {
      setActionError(err)
      setConfirmOthers(false)
    } finally {
      setBusy(false)
    }
  }

  const others = (sessions ?? []).filter((s) => !s.current).length

  return (
    <div className="admin-page" data-testid="sessions-page">
      <div className="admin-head">
        <h1>{t('sessions.title')}</h1>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="sessions-logout-others"
          disabled={others === 0}
          onClick={() => setConfirmOthers(true)}
        >
          {t('sessions.logoutOthers')}
        </button>
      </div>
      <p className="muted">{t('sessions.intro')}</p>

      <div className="card admin-table-card">
        <InlineError error={loadError} onRetry={reload} />
        <InlineError error={actionError} testId="sessions-error" />
        {sessions === null ? (
          loadError == null && <div className="muted pad">{t('common.loading')}</div>
        ) : (
          <table className="admin-table" data-testid="sessions-table">
            <thead>
              <tr>
                <th>{t('sessions.device')}</th>
                <th>{t('sessions.address')}</th>
                <th>{t('sessions.started')}</th>
                <th>{t('sessions.lastSeen')}</th>
                <th>
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} data-testid="session-row" data-current={s.current}>
                  <td className="cell-strong" title={s.userAgent ?? undefined}>
                    {s.device}
                    {s.current && (
                      <span className="muted" data-testid="session-current">
                        {' '}
                        ({t('sessions.thisDevice')})
                      </span>
                    )}
                  </td>
                  <td>{s.ip ?? '—'}</td>
                  <td title={fullDateTime(s.createdAt, i18n.language)}>
                    {relativeTime(s.createdAt, now, i18n.language)}
                  </td>
                  <td title={fullDateTime(s.lastSeenAt, i18n.language)}>
                    {relativeTime(s.lastSeenAt ?? s.createdAt, now, i18n.language)}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm btn-danger-text"
                      data-testid="session-revoke"
                      onClick={() => void revoke(s)}
                    >
                      {s.current ? t('header.logout') : t('sessions.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {confirmOthers && (
        <ConfirmDialog
          title={t('sessions.logoutOthers')}
          message={t('sessions.confirmOthers', { count: others })}
          confirmLabel={t('sessions.logoutOthers')}
          confirmTestId="sessions-confirm-others"
          busy={busy}
          error={actionError ? errorMessage(actionError, t) : null}
          onConfirm={() => void logOutOthers()}
          onCancel={() => setConfirmOthers(false)}
        />
      )}
    </div>
  )
}
