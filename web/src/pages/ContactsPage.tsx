import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { FormEvent } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import {
  contactAttributesQuery,
  contactListParams,
  contactListQuery,
  contactStatusesQuery,
  keys,
} from '../api/queries'
import type { ContactImportUpload, ContactListQuery, ContactSort, ImportReport } from '../api/types'
import { useAuth } from '../auth'
import { useDebounced } from '../hooks'
import InlineError from '../components/InlineError'
import Modal from '../components/Modal'
import { errorMessage, fullDateTime } from '../util'

const PAGE_SIZE = 30
const SORTS: ContactSort[] = ['-created', 'name', '-name', '-lastSeen']

/** The URL of the CSV export of the current filter (every page). */
function exportUrl(q: ContactListQuery): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(contactListParams(q))) {
    if (value === undefined || key === 'page' || key === 'pageSize') continue
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v))
  }
  return `/api/contacts/export.csv?${params.toString()}`
}

export default function ContactsPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const { user } = useAuth()
  const navigate = useNavigate()
  const [search, setSearch] = useState('')
  const [tag, setTag] = useState('')
  const [statusId, setStatusId] = useState<number | null>(null)
  const [attr, setAttr] = useState('')
  const [sort, setSort] = useState<ContactSort>('-created')
  const [page, setPage] = useState(1)
  const [importing, setImporting] = useState(false)
  const [creating, setCreating] = useState(false)
  const q = useDebounced(search.trim(), 300)
  const debouncedTag = useDebounced(tag.trim(), 300)
  const debouncedAttr = useDebounced(attr.trim(), 300)
  const query: ContactListQuery = useMemo(
    () => ({
      q,
      tag: debouncedTag,
      statusId,
      ownerId: null,
      attr: debouncedAttr.includes('=') ? debouncedAttr : '',
      sort,
      page,
      pageSize: PAGE_SIZE,
    }),
    [q, debouncedTag, statusId, debouncedAttr, sort, page],
  )
  const listQ = useQuery({ ...contactListQuery(query), placeholderData: keepPreviousData })
  const statuses = useQuery(contactStatusesQuery).data ?? []
  const attributes = useQuery(contactAttributesQuery).data ?? []
  const statusName = (id: number | null) => statuses.find((s) => s.id === id)?.name ?? ''
  const list = listQ.data
  const pages = list ? Math.max(1, Math.ceil(list.total / PAGE_SIZE)) : 1
  const admin = user?.role === 'ADMIN'
  const resetPage = <T,>(set: (v: T) => void) => (v: T) => {
    set(v)
    setPage(1)
  }

  return (
    <div className="admin-page" data-testid="contacts-page">
      <div className="admin-head">
        <h1>{t('contacts.title')}</h1>
        <div className="form-row">
          <a className="btn btn-ghost" data-testid="contacts-export" href={exportUrl(query)} download>
            {t('contacts.export')}
          </a>
          {admin && (
            <Link className="btn btn-ghost" data-testid="contacts-settings" to="/contacts/settings">
              {t('contactSettings.title')}
            </Link>
          )}
          {admin && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="contacts-import"
              onClick={() => setImporting(true)}
            >
              {t('contacts.import')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            data-testid="contact-new"
            onClick={() => setCreating(true)}
          >
            {t('contacts.new')}
          </button>
        </div>
      </div>

      <div className="form-row contacts-filters">
        <input
          type="search"
          className="search field-grow"
          data-testid="contacts-search"
          placeholder={t('contacts.searchPlaceholder')}
          aria-label={t('contacts.searchPlaceholder')}
          value={search}
          onChange={(e) => resetPage(setSearch)(e.target.value)}
        />
        <input
          className="search"
          data-testid="contacts-tag-filter"
          placeholder={t('contacts.field.tags')}
          aria-label={t('contacts.tagFilter')}
          value={tag}
          onChange={(e) => resetPage(setTag)(e.target.value)}
        />
        <select
          data-testid="contacts-status-filter"
          aria-label={t('contacts.statusFilter')}
          value={statusId ?? ''}
          onChange={(e) => resetPage(setStatusId)(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">{t('contacts.allStatuses')}</option>
          {statuses.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {attributes.length > 0 && (
          <input
            className="search"
            data-testid="contacts-attr-filter"
            placeholder={`${attributes[0]?.key ?? ''}=…`}
            aria-label={t('contacts.attrFilter')}
            title={t('contacts.attrFilter')}
            value={attr}
            onChange={(e) => resetPage(setAttr)(e.target.value)}
          />
        )}
        <select
          data-testid="contacts-sort"
          aria-label={t('contacts.sort')}
          value={sort}
          onChange={(e) => resetPage(setSort)(e.target.value as ContactSort)}
        >
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`contacts.sortBy.${s}`)}
            </option>
          ))}
        </select>
      </div>

      <div className="card admin-table-card">
        <InlineError error={listQ.error} onRetry={() => void listQ.refetch()} />
        {!list ? (
          listQ.error == null && <div className="muted pad">{t('common.loading')}</div>
        ) : list.items.length === 0 ? (
          <div className="muted pad" data-testid="contacts-empty">
            {t('contacts.none')}
          </div>
        ) : (
          <table className="admin-table" data-testid="contacts-table">
            <thead>
              <tr>
                <th>{t('contacts.field.name')}</th>
                <th>{t('contacts.field.phone')}</th>
                <th>{t('contacts.field.email')}</th>
                <th>{t('contacts.field.status')}</th>
                <th>{t('contacts.field.tags')}</th>
                <th>{t('contacts.lastSeen')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id} data-testid="contact-row" data-contact-id={c.id}>
                  <td className="cell-strong">
                    <Link to={`/contacts/${c.id}`}>{c.name || c.phone || c.externalId || `#${c.id}`}</Link>
                  </td>
                  <td>{c.phone ?? c.externalId}</td>
                  <td className="muted">{c.email}</td>
                  <td>{statusName(c.statusId)}</td>
                  <td>
                    <div className="tag-list">
                      {c.tags.map((tg) => (
                        <span key={tg} className="tag-chip">
                          {tg}
                        </span>
                      ))}
                    </div>
                  </td>
                  <td className="muted small">{fullDateTime(c.lastSeenAt, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {list && (
        <div className="form-row contacts-pager" data-testid="contacts-pager">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page <= 1}
            onClick={() => setPage((p) => p - 1)}
          >
            {t('contacts.previous')}
          </button>
          <span className="muted" data-testid="contacts-total">
            {t('contacts.pageOf', { page, pages, total: list.total })}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={page >= pages}
            onClick={() => setPage((p) => p + 1)}
          >
            {t('contacts.next')}
          </button>
        </div>
      )}
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
      {creating && (
        <NewContactDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => navigate(`/contacts/${id}`)}
        />
      )}
    </div>
  )
}

function NewContactDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [name, setName] = useState('')
  const [phone, setPhone] = useState('')
  const create = useMutation({
    mutationFn: () =>
      unwrap(client.POST('/api/contacts', { body: { name: name.trim() || null, phone: phone.trim() || null } })),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: keys.contactLists })
      onCreated(c.id)
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    create.mutate()
  }
  return (
    <Modal title={t('contacts.new')} testId="contact-new-dialog" onClose={onClose}>
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('contacts.field.name')}</span>
          <input data-testid="new-contact-name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('contacts.field.phone')}</span>
          <input data-testid="new-contact-phone" value={phone} onChange={(e) => setPhone(e.target.value)} />
        </label>
        {create.error != null && (
          <div className="form-error" role="alert">
            {errorMessage(create.error, t)}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="new-contact-save" disabled={create.isPending}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  )
}

/** Pick a CSV, see what it would do row by row, then import the good rows. */
function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [report, setReport] = useState<ImportReport | null>(null)
  const [progress, setProgress] = useState<number | null>(null)
  const send = (confirm: boolean, chosen: File) => {
    const form = new FormData()
    form.append('file', chosen, chosen.name)
    // multipart: the browser sets the boundary
    const body = form as unknown as ContactImportUpload
    return unwrap(
      confirm
        ? client.POST('/api/contacts/import', { body })
        : client.POST('/api/contacts/import/preview', { body }),
    )
  }
  const preview = useMutation({
    mutationFn: (chosen: File) => send(false, chosen),
    onSuccess: setReport,
  })
  const run = useMutation({
    mutationFn: async (chosen: File) => {
      setProgress(0)
      // One request, one transaction: the bar shows it is under way, then done.
      const tick = window.setInterval(() => setProgress((p) => Math.min(95, (p ?? 0) + 5)), 250)
      try {
        return await send(true, chosen)
      } finally {
        window.clearInterval(tick)
      }
    },
    onSuccess: (r) => {
      setProgress(100)
      setReport(r)
      void qc.invalidateQueries({ queryKey: keys.contactLists })
    },
    onError: () => setProgress(null),
  })
  const error = preview.error ?? run.error
  return (
    <Modal title={t('contacts.importTitle')} testId="contacts-import-dialog" wide onClose={onClose}>
      <p className="muted small">{t('contacts.importHelp')}</p>
      <input
        type="file"
        accept=".csv,text/csv"
        data-testid="contacts-import-file"
        onChange={(e) => {
          const chosen = e.target.files?.[0] ?? null
          setFile(chosen)
          setReport(null)
          setProgress(null)
          if (chosen) preview.mutate(chosen)
        }}
      />
      {error != null && (
        <div className="form-error" role="alert">
          {errorMessage(error, t)}
        </div>
      )}
      {preview.isPending && <div className="muted">{t('common.loading')}</div>}
      {report && (
        <div className="import-report" data-testid="import-report" data-written={report.written}>
          <p>
            {report.written
              ? t('contacts.importDone', { created: report.created, updated: report.updated })
              : t('contacts.importPreview', {
                  total: report.total,
                  valid: report.valid,
                  invalid: report.invalid,
                  created: report.created,
                  updated: report.updated,
                })}
          </p>
          {report.errors.length > 0 && (
            <table className="admin-table" data-testid="import-errors">
              <thead>
                <tr>
                  <th>{t('contacts.row')}</th>
                  <th>{t('contacts.column')}</th>
                  <th>{t('contacts.problem')}</th>
                </tr>
              </thead>
              <tbody>
                {report.errors.map((e) => (
                  <tr key={`${e.row}:${e.field ?? ''}`} data-testid="import-error">
                    <td>{e.row}</td>
                    <td>{e.field}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {progress !== null && (
        <progress className="import-progress" max={100} value={progress} data-testid="import-progress" />
      )}
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {report?.written ? t('contacts.closePanel') : t('common.cancel')}
        </button>
        {report && !report.written && file && report.valid > 0 && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="contacts-import-confirm"
            disabled={run.isPending}
            onClick={() => run.mutate(file)}
          >
            {t('contacts.importConfirm', { n: report.valid })}
          </button>
        )}
      </div>
    </Modal>
  )
}
