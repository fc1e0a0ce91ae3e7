import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { keys, mySessionsQuery } from '../api/queries'
import type { LoginSession } from '../api/types'
import { useAuth } from '../auth'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import { errorMessage, fullDateTime, relativeTime } from '../util'

/** The browsers where the user is logged in: end one, or all but this one. */
export default function SessionsPage() {
  const { t, i18n } = useTranslation()
  const { logout } = useAuth()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const sessionsQuery = useQuery(mySessionsQuery)
  const sessions = sessionsQuery.data ?? null
  const loadError = sessionsQuery.error
  // Times are shown relative to when the list was fetched.
  const now = sessionsQuery.dataUpdatedAt
  const [confirmOthers, setConfirmOthers] = useState(false)
  const reload = () => void queryClient.invalidateQueries({ queryKey: keys.mySessions })

  const revokeOne = useMutation({
    mutationFn: (s: LoginSession) =>
      unwrap(
        client.DELETE('/api/auth/sessions/{session_id}', {
          params: { path: { session_id: s.id } },
        }),
      ),
    onSuccess: async (_data, s) => {
      if (s.current) {
        await logout()
        navigate('/login', { replace: true })
        return
      }
      reload()
    },
  })

  const logOutOthers = useMutation({
    mutationFn: () => unwrap(client.DELETE('/api/auth/sessions/others')),
    onSettled: () => {
      setConfirmOthers(false)
      reload()
    },
  })
  const actionError = revokeOne.error ?? logOutOthers.error

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
                      onClick={() => revokeOne.mutate(s)}
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
          busy={logOutOthers.isPending}
          error={actionError ? errorMessage(actionError, t) : null}
          onConfirm={() => logOutOthers.mutate()}
          onCancel={() => setConfirmOthers(false)}
        />
      )}
    </div>
  )
}
