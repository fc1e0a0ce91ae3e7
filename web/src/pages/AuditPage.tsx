import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { auditQuery, usersQuery } from '../api/queries'
import type { AuditFilter } from '../api/queries'
import type { AuditEntry } from '../api/types'
import InlineError from '../components/InlineError'
import { fullDateTime } from '../util'

/** A day picked in the viewer's time zone, as an instant the API understands. */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined
  const d = new Date(`${day}T00:00:00`)
  d.setDate(d.getDate() + plusDays)
  return d.toISOString()
}

function Change({ entry }: { entry: AuditEntry }) {
  const keys = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])]
  if (keys.length === 0) return null
  const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v))
  return (
    <dl className="audit-change" data-testid="audit-change">
      {keys.map((k) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            {entry.before && <del>{show(entry.before[k])}</del>}
            {entry.before && entry.after && ' → '}
            {entry.after && <ins>{show(entry.after[k])}</ins>}
          </dd>
        </div>
      ))}
    </dl>
  )
}

/** The activity log (admins): who did what and when, read-only. */
export default function AuditPage() {
  const { t, i18n } = useTranslation()
  const [kind, setKind] = useState('')
  const [actorId, setActorId] = useState('')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [page, setPage] = useState(1)
  const filter: AuditFilter = {
    kind: kind.trim() || undefined,
    actorId: actorId ? Number(actorId) : undefined,
    since: dayStart(from),
    until: dayStart(to, 1),
    page,
  }
  const log = useQuery(auditQuery(filter))
  const users = useQuery(usersQuery)
  const pages = log.data ? Math.max(1, Math.ceil(log.data.total / log.data.pageSize)) : 1
  const refilter = (set: (v: string) => void) => (v: string) => {
    set(v)
    setPage(1)
  }

  return (
    <div className="admin-page" data-testid="audit-page">
      <div className="admin-head">
        <h1>{t('audit.title')}</h1>
      </div>
      <p className="muted">{t('audit.intro')}</p>
      <div className="card admin-create form-row">
        <label className="field">
          <span>{t('audit.kind')}</span>
          <input
            data-testid="audit-kind"
            value={kind}
            placeholder={t('audit.kindPlaceholder')}
            onChange={(e) => refilter(setKind)(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('audit.actor')}</span>
          <select
            data-testid="audit-actor"
            value={actorId}
            onChange={(e) => refilter(setActorId)(e.target.value)}
          >
            <option value="">{t('audit.anyone')}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.username}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('audit.from')}</span>
          <input type="date" value={from} onChange={(e) => refilter(setFrom)(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('audit.to')}</span>
          <input type="date" value={to} onChange={(e) => refilter(setTo)(e.target.value)} />
        </label>
      </div>

      <div className="card admin-table-card">
        <InlineError error={log.error} onRetry={() => void log.refetch()} />
        {log.data === undefined ? (
          log.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : log.data.items.length === 0 ? (
          <div className="muted pad">{t('audit.empty')}</div>
        ) : (
          <table className="admin-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>{t('audit.when')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.kind')}</th>
                <th>{t('audit.target')}</th>
                <th>{t('audit.change')}</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-kind={e.kind}>
                  <td>{fullDateTime(e.at, i18n.language)}</td>
                  <td>
                    {e.actorName ?? t('audit.nobody')}
                    {e.via && <span className="muted"> ({e.via})</span>}
                    {e.ip && <div className="muted small">{e.ip}</div>}
                  </td>
                  <td>
                    <code>{e.kind}</code>
                  </td>
                  <td>{e.targetType ? `${e.targetType} #${e.targetId}` : '—'}</td>
                  <td>
                    <Change entry={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="pager">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            {t('audit.newer')}
          </button>
          <span className="muted" data-testid="audit-page-number">
            {t('audit.pageOf', { page, pages })}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page >= pages}
            onClick={() => setPage(page + 1)}
          >
            {t('audit.older')}
          </button>
        </div>
      </div>
    </div>
  )
}
