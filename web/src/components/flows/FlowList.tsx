import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useState } from 'react'
import type { FormEvent } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { channelsQuery, flowsQuery, keys } from '../../api/queries'
import { useAuth } from '../../auth'
import type { Flow, FlowUpdate } from '../../api/types'
import { errorMessage, fullDateTime } from '../../util'
import ConfirmDialog from '../ConfirmDialog'
import InlineError from '../InlineError'
import Modal from '../Modal'
import { downloadFlow } from './exportFile'
import { ChannelSelect } from './fields'
import ImportDialog from './ImportDialog'
import { useConfirmedAction } from '../../hooks'

function updateFlow(id: number, body: FlowUpdate): Promise<Flow> {
  return unwrap(client.PATCH('/api/flows/{flow_id}', { params: { path: { flow_id: id } }, body }))
}

function byName(a: Flow, b: Flow): number {
  return a.name.localeCompare(b.name) || a.id - b.id
}

interface EditForm {
  flow: Flow
  name: string
  channelId: number | null
}

/** Every flow: name, channel, active, published version; admins create, edit, delete, import. */
export default function FlowList() {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const { user } = useAuth()
  const navigate = useNavigate()
  const mayEdit = user?.role === 'ADMIN'

  const qc = useQueryClient()
  const flowsQ = useQuery({ ...flowsQuery, select: (list: Flow[]) => [...list].sort(byName) })
  const flows = flowsQ.data ?? null
  const loadError = flowsQ.error
  // Names only: without them a flow shows "channel #n".
  const channels = useQuery(channelsQuery).data ?? null

  const [name, setName] = useState('')
  const [channelId, setChannelId] = useState<number | null>(null)
  const [active, setActive] = useState(false)

  const [rowError, setRowError] = useState<{ id: number; error: unknown } | null>(null)
  const [editing, setEditing] = useState<EditForm | null>(null)
  const [editBusy, setEditBusy] = useState(false)
  const [editError, setEditError] = useState<unknown>(null)
  const {
    target: toDelete,
    busy: deleting,
    error: deleteError,
    ask: askDelete,
    cancel: cancelDelete,
    run: runDelete,
  } = useConfirmedAction<Flow>()
  const [importing, setImporting] = useState(false)

  const upsert = (flow: Flow) => {
    qc.setQueryData<Flow[]>(keys.flows, (list) => [...(list ?? []).filter((f) => f.id !== flow.id), flow])
    qc.setQueryData(keys.flow(flow.id), flow)
  }

  const createFlow = useMutation({
    mutationFn: (body: { name: string; channelId: number | null; active: boolean }) =>
      unwrap(client.POST('/api/flows', { body })),
    onSuccess: (flow) => {
      upsert(flow)
      setName('')
      navigate(`/flows/${flow.id}`)
    },
  })
  const creating = createFlow.isPending
  const createError = createFlow.error

  const channelName = (id: number | null) =>
    id === null
      ? t('flows.allChannels')
      : (channels?.find((c) => c.id === id)?.name ?? t('flows.channelN', { id }))

  const create = (e: FormEvent) => {
    e.preventDefault()
    const trimmed = name.trim()
    if (!trimmed || creating) return
    createFlow.mutate({ name: trimmed, channelId, active })
  }

  const toggleActive = async (flow: Flow) => {
    setRowError(null)
    try {
      upsert(await updateFlow(flow.id, { active: !flow.active }))
    } catch (err) {
      setRowError({ id: flow.id, error: err })
    }
  }

  const exportRow = async (flow: Flow) => {
    setRowError(null)
    try {
      await downloadFlow(flow.id)
    } catch (err) {
      setRowError({ id: flow.id, error: err })
    }
  }

  const saveEdit = async (e: FormEvent) => {
    e.preventDefault()
    if (!editing || editBusy || !editing.name.trim()) return
    setEditBusy(true)
    setEditError(null)
    try {
      upsert(
        await updateFlow(editing.flow.id, {
          name: editing.name.trim(),
          channelId: editing.channelId,
        }),
      )
      setEditing(null)
    } catch (err) {
      setEditError(err)
    } finally {
      setEditBusy(false)
    }
  }

  const confirmDelete = () =>
    runDelete(async (flow) => {
      await unwrap(client.DELETE('/api/flows/{flow_id}', { params: { path: { flow_id: flow.id } } }))
      qc.setQueryData<Flow[]>(keys.flows, (list) => list?.filter((f) => f.id !== flow.id))
    })

  const closeEdit = useCallback(() => {
    setEditing(null)
    setEditError(null)
  }, [])
  const closeImport = useCallback(() => setImporting(false), [])

  return (
    <div className="admin-page" data-testid="flows-page">
      <div className="admin-head">
        <h1>{t('flows.title')}</h1>
        {mayEdit && (
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="flow-import-open"
            onClick={() => setImporting(true)}
          >
            {t('flows.import')}
          </button>
        )}
      </div>
      <p className="muted flows-help">{t('flows.help')}</p>
      {!mayEdit && (
        <p className="muted" data-testid="flows-read-only">
          {t('flows.readOnly')}
        </p>
      )}

      {mayEdit && (
        <form className="card admin-create" data-testid="flow-create" onSubmit={create}>
          <h2>{t('flows.new')}</h2>
          <div className="form-row">
            <label className="field field-grow">
              <span>{t('flows.name')}</span>
              <input
                data-testid="flow-create-name"
                value={name}
                maxLength={120}
                required
                onChange={(e) => setName(e.target.value)}
              />
            </label>
            <label className="field">
              <span>{t('flows.channel')}</span>
              <ChannelSelect
                channels={channels}
                value={channelId}
                onChange={setChannelId}
                testId="flow-create-channel"
              />
            </label>
            <label className="field field-check">
              <input
                type="checkbox"
                data-testid="flow-create-active"
                checked={active}
                onChange={(e) => setActive(e.target.checked)}
              />
              <span>{t('flows.active')}</span>
            </label>
            <button
              type="submit"
              className="btn btn-primary form-row-button"
              data-testid="flow-create-submit"
              disabled={creating || !name.trim()}
            >
              {t('flows.create')}
            </button>
          </div>
          <p className="muted small flows-create-hint">{t('flows.activeHint')}</p>
          {createError != null && (
            <p className="form-error" role="alert" data-testid="flow-create-error">
              {errorMessage(createError, t)}
            </p>
          )}
        </form>
      )}

      <div className="card admin-table-card">
        <InlineError error={loadError} onRetry={() => void flowsQ.refetch()} />
        {flows === null && loadError == null && <div className="pad muted">{t('common.loading')}</div>}
        {flows?.length === 0 && (
          <div className="pad muted" data-testid="flows-empty">
            {t('flows.empty')}
          </div>
        )}
        {flows && flows.length > 0 && (
          <table className="admin-table" data-testid="flows-table">
            <thead>
              <tr>
                <th>{t('flows.name')}</th>
                <th>{t('flows.channel')}</th>
                <th>{t('flows.active')}</th>
                <th>{t('flows.published')}</th>
                <th className="cell-actions">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((f) => (
                <tr
                  key={f.id}
                  className={f.active ? '' : 'row-inactive'}
                  data-testid="flow-row"
                  data-flow-id={f.id}
                  data-name={f.name}
                >
                  <td className="cell-strong">
                    <Link to={`/flows/${f.id}`} data-testid="flow-open">
                      {f.name}
                    </Link>
                    {f.hasUnpublishedChanges && (
                      <span className="chip chip-unpublished" data-testid="flow-unpublished">
                        {t('flows.unpublishedChanges')}
                      </span>
                    )}
                    {rowError?.id === f.id && (
                      <div className="cell-error" role="alert" data-testid="flow-row-error">
                        {errorMessage(rowError.error, t)}
                      </div>
                    )}
                  </td>
                  <td data-testid="flow-row-channel">{channelName(f.channelId)}</td>
                  <td>
                    {mayEdit ? (
                      <label className="switch">
                        <input
                          type="checkbox"
                          data-testid="flow-active"
                          checked={f.active}
                          onChange={() => void toggleActive(f)}
                        />
                        <span>{f.active ? t('common.yes') : t('common.no')}</span>
                      </label>
                    ) : (
                      <span data-testid="flow-active-text">{f.active ? t('common.yes') : t('common.no')}</span>
                    )}
                  </td>
                  <td data-testid="flow-row-version">
                    {f.publishedVersion !== null ? (
                      <span title={fullDateTime(f.publishedAt, lang)}>
                        {t('flows.versionN', { n: f.publishedVersion })}
                      </span>
                    ) : (
                      <span className="muted">{t('flows.notPublished')}</span>
                    )}
                  </td>
                  <td className="cell-actions">
                    <Link to={`/flows/${f.id}`} className="btn btn-ghost btn-sm" data-testid="flow-open-builder">
                      {mayEdit ? t('flows.openBuilder') : t('flows.view')}
                    </Link>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="flow-export"
                      onClick={() => void exportRow(f)}
                    >
                      {t('flows.export')}
                    </button>
                    {mayEdit && (
                      <>
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm"
                          data-testid="flow-edit"
                          onClick={() => {
                            setEditError(null)
                            setEditing({ flow: f, name: f.name, channelId: f.channelId })
                          }}
                        >
                          {t('flows.rename')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm btn-danger-text"
                          data-testid="flow-delete"
                          onClick={() => askDelete(f)}
                        >
                          {t('common.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      {editing && (
        <Modal title={t('flows.editTitle', { name: editing.flow.name })} testId="flow-edit-dialog" onClose={closeEdit}>
          <form onSubmit={(e) => void saveEdit(e)}>
            <label className="field">
              <span>{t('flows.name')}</span>
              <input
                data-testid="flow-edit-name"
                value={editing.name}
                maxLength={120}
                required
                autoFocus
                onChange={(e) => setEditing({ ...editing, name: e.target.value })}
              />
            </label>
            <label className="field">
              <span>{t('flows.channel')}</span>
              <ChannelSelect
                channels={channels}
                value={editing.channelId}
                onChange={(id) => setEditing({ ...editing, channelId: id })}
                testId="flow-edit-channel"
              />
            </label>
            {editError != null && (
              <p className="form-error" role="alert">
                {errorMessage(editError, t)}
              </p>
            )}
            <div className="modal-actions">
              <button type="button" className="btn btn-ghost" onClick={closeEdit}>
                {t('common.cancel')}
              </button>
              <button
                type="submit"
                className="btn btn-primary"
                data-testid="flow-edit-save"
                disabled={editBusy || !editing.name.trim()}
              >
                {t('common.save')}
              </button>
            </div>
          </form>
        </Modal>
      )}

      {toDelete && (
        <ConfirmDialog
          title={t('flows.deleteTitle')}
          message={t('flows.deleteConfirm', { name: toDelete.name })}
          confirmLabel={t('common.delete')}
          confirmTestId="flow-delete-confirm"
          busy={deleting}
          error={deleteError != null ? errorMessage(deleteError, t) : null}
          onConfirm={() => void confirmDelete()}
          onCancel={cancelDelete}
        />
      )}

      {importing && (
        <ImportDialog
          channels={channels}
          onClose={closeImport}
          onImported={(flow) => {
            upsert(flow)
            setImporting(false)
            navigate(`/flows/${flow.id}`)
          }}
        />
      )}
    </div>
  )
}
