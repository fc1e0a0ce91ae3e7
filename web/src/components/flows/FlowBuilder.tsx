import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { channelsQuery, flowQuery, flowVersionsQuery, keys } from '../../api/queries'
import { useAuth } from '../../auth'
import {
  builderReducer,
  findNode,
  initialBuilder,
  isDirty,
  mainMenuKey,
  placeOf,
  problemsByNode,
  problemsOfError,
  subtreeKeys,
} from '../../flowTree'
import { FLOW_NODE_TYPES } from '../../api/types'
import type { Flow, FlowNodeType, FlowTree } from '../../api/types'
import { errorMessage } from '../../util'
import ConfirmDialog from '../ConfirmDialog'
import InlineError from '../InlineError'
import { downloadFlow } from './exportFile'
import NodeEditor from './NodeEditor'
import NodeTree from './NodeTree'
import SettingsForm from './SettingsForm'
import TryPanel from './TryPanel'
import VersionsPanel from './VersionsPanel'

/** The draft, or a published version of the tree. */
function fetchTree(flowId: number, version?: number, signal?: AbortSignal): Promise<FlowTree> {
  return unwrap(
    client.GET('/api/flows/{flow_id}/tree', {
      params: {
        path: { flow_id: flowId },
        query: { version: version === undefined ? undefined : String(version) },
      },
      signal,
    }),
  )
}

type Tab = 'node' | 'settings' | 'versions'
type Busy = 'save' | 'validate' | 'publish' | 'export' | null
type Pending =
  | { kind: 'delete'; key: string }
  | { kind: 'type'; key: string; to: FlowNodeType }
  | { kind: 'leave' }
  | { kind: 'discard' }

/** One flow: its tree, the selected node's form, settings, versions, and the try-it phone. */
export default function FlowBuilder({ flowId }: { flowId: number }) {
  const { t } = useTranslation()
  const { user } = useAuth()
  const navigate = useNavigate()
  const mayEdit = user?.role === 'ADMIN'

  const [state, dispatch] = useReducer(builderReducer, initialBuilder)
  const qc = useQueryClient()
  const flowQ = useQuery(flowQuery(flowId))
  const flow = flowQ.data ?? null
  const setFlow = (f: Flow) => {
    qc.setQueryData(keys.flow(flowId), f)
    void qc.invalidateQueries({ queryKey: keys.flows, exact: true })
  }
  const channels = useQuery(channelsQuery).data ?? null
  const versionsQ = useQuery(flowVersionsQuery(flowId))
  const versions = versionsQ.data ?? null
  const versionsError = versionsQ.error
  const refetchVersions = () => void qc.invalidateQueries({ queryKey: keys.flowVersions(flowId) })
  // The tree is not cached: the builder edits its own draft of it (builderReducer), which
  // a refetch must not overwrite.
  const [treeError, setTreeError] = useState<unknown>(null)
  const [reloadCount, setReloadCount] = useState(0)
  const loadError = flowQ.error ?? treeError

  const [busy, setBusy] = useState<Busy>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const [notice, setNotice] = useState<{ text: string; ok: boolean } | null>(null)
  const [tab, setTab] = useState<Tab>('node')
  const [showTry, setShowTry] = useState(false)
  const [savedStamp, setSavedStamp] = useState(0)
  const [newType, setNewType] = useState<FlowNodeType>('message')
  const [pending, setPending] = useState<Pending | null>(null)

  useEffect(() => {
    const ctrl = new AbortController()
    fetchTree(flowId, undefined, ctrl.signal)
      .then((tree) => {
        dispatch({ type: 'loaded', tree })
        setTreeError(null)
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setTreeError(err)
      })
    return () => ctrl.abort()
  }, [flowId, reloadCount])

  const dirty = isDirty(state)

  // Leaving the page (reload, close) with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault()
    window.addEventListener('beforeunload', onBeforeUnload)
    return () => window.removeEventListener('beforeunload', onBeforeUnload)
  }, [dirty])

  const viewing = state.view
  const def = viewing ? viewing.definition : state.draft
  const readOnly = !mayEdit || viewing !== null
  const problems = viewing ? viewing.problems : state.problems
  const byNode = useMemo(() => problemsByNode(problems), [problems])
  const flowProblems = (problems ?? []).filter((p) => p.nodeKey === null).map((p) => p.message)
  const selectedNode = def ? findNode(def.nodes, state.selected) : null

  // Awaited by its callers: a late answer would overwrite what a later publish set.
  const refreshFlow = async () => {
    await flowQ.refetch()
    refetchVersions()
  }

  const save = async (): Promise<boolean> => {
    if (!state.draft || busy) return false
    const sent = state.draft
    setBusy('save')
    setActionError(null)
    setNotice(null)
    try {
      const tree = await unwrap(
        client.PUT('/api/flows/{flow_id}/tree', { params: { path: { flow_id: flowId } }, body: sent }),
      )
      dispatch({ type: 'saved', tree, sent })
      setSavedStamp((n) => n + 1)
      await refreshFlow()
      setNotice({
        text:
          tree.problems.length === 0
            ? t('flows.savedValid')
            : t('flows.savedWithProblems', { n: tree.problems.length }),
        ok: tree.problems.length === 0,
      })
      return true
    } catch (err) {
      const found = problemsOfError(err, sent)
      if (found) dispatch({ type: 'problems', problems: found })
      setActionError(err)
      return false
    } finally {
      setBusy(null)
    }
  }

  const validate = async () => {
    if (!state.draft || busy) return
    setBusy('validate')
    setActionError(null)
    setNotice(null)
    try {
      const res = await unwrap(
        client.POST('/api/flows/{flow_id}/validate', {
          params: { path: { flow_id: flowId } },
          body: state.draft,
        }),
      )
      dispatch({ type: 'problems', problems: res.problems })
      setNotice({
        text: res.valid ? t('flows.valid') : t('flows.problemsFound', { n: res.problems.length }),
        ok: res.valid,
      })
    } catch (err) {
      const found = problemsOfError(err, state.draft)
      if (found) dispatch({ type: 'problems', problems: found })
      setActionError(err)
    } finally {
      setBusy(null)
    }
  }

  const publish = async () => {
    if (!state.draft || busy) return
    if (dirty && !(await save())) return
    setBusy('publish')
    setActionError(null)
    setNotice(null)
    try {
      const f = await unwrap(
        client.POST('/api/flows/{flow_id}/publish', { params: { path: { flow_id: flowId } } }),
      )
      setFlow(f)
      refetchVersions()
      dispatch({ type: 'problems', problems: [] })
      setNotice({ text: t('flows.publishedNotice', { n: f.publishedVersion }), ok: true })
    } catch (err) {
      const found = problemsOfError(err, state.draft)
      if (found) dispatch({ type: 'problems', problems: found })
      setActionError(err)
    } finally {
      setBusy(null)
    }
  }

  const exportFlow = async () => {
    setBusy('export')
    setActionError(null)
    try {
      await downloadFlow(flowId, viewing ? viewing.version.number : undefined)
    } catch (err) {
      setActionError(err)
    } finally {
      setBusy(null)
    }
  }

  const viewVersion = async (number: number | null) => {
    setActionError(null)
    if (number === null) {
      dispatch({ type: 'view', tree: null })
      return
    }
    try {
      dispatch({ type: 'view', tree: await fetchTree(flowId, number) })
    } catch (err) {
      setActionError(err)
    }
  }

  // Ctrl/Cmd+S saves the draft.
  const onSaveShortcut = useCallback((e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault()
      document.querySelector<HTMLButtonElement>('[data-testid="flow-save"]:not(:disabled)')?.click()
    }
  }, [])
  useEffect(() => {
    if (!mayEdit) return
    window.addEventListener('keydown', onSaveShortcut)
    return () => window.removeEventListener('keydown', onSaveShortcut)
  }, [mayEdit, onSaveShortcut])

  const selectNode = (key: string | null) => {
    dispatch({ type: 'select', key })
    setTab(key === null ? 'settings' : 'node')
  }

  const changeType = (key: string, to: FlowNodeType) => {
    const node = def ? findNode(def.nodes, key) : null
    if (!node || node.type === to) return
    const loses = (node.type === 'menu' && node.options.length > 0) || node.type === 'action'
    if (loses) setPending({ kind: 'type', key, to })
    else dispatch({ type: 'changeType', key, nodeType: to })
  }

  const confirmPending = () => {
    if (!pending) return
    if (pending.kind === 'delete') dispatch({ type: 'delete', key: pending.key })
    if (pending.kind === 'type') dispatch({ type: 'changeType', key: pending.key, nodeType: pending.to })
    if (pending.kind === 'discard') dispatch({ type: 'discard' })
    if (pending.kind === 'leave') navigate('/flows')
    setPending(null)
  }
  const cancelPending = useCallback(() => setPending(null), [])

  if (!def || !flow) {
    return (
      <div className="admin-page">
        <Link to="/flows" className="btn btn-link flow-back">
          ← {t('flows.backToList')}
        </Link>
        <div className="card">
          {loadError != null ? (
            <InlineError error={loadError} onRetry={() => {
                void flowQ.refetch()
                setReloadCount((n) => n + 1)
              }} />
          ) : (
            <div className="muted">{t('common.loading')}</div>
          )}
        </div>
      </div>
    )
  }

  const place = state.selected ? placeOf(def.nodes, state.selected) : null
  const channelName =
    flow.channelId === null
      ? t('flows.allChannels')
      : (channels?.find((c) => c.id === flow.channelId)?.name ?? t('flows.channelN', { id: flow.channelId }))
  const pendingNode = pending && 'key' in pending ? findNode(def.nodes, pending.key) : null
  const problemCount = problems?.length ?? 0

  return (
    <div className={`flow-builder ${showTry ? 'flow-builder-with-try' : ''}`} data-testid="flow-builder" data-flow-id={flowId}>
      <header className="flow-head card">
        <div className="flow-head-title">
          <Link
            to="/flows"
            className="btn btn-link flow-back"
            data-testid="flow-back"
            onClick={(e) => {
              if (dirty) {
                e.preventDefault()
                setPending({ kind: 'leave' })
              }
            }}
          >
            ← {t('flows.backToList')}
          </Link>
          <h1 data-testid="flow-name">{flow.name}</h1>
          <span className="chip chip-closed" data-testid="flow-channel">
            {channelName}
          </span>
          <span className={`chip ${flow.active ? 'chip-active' : 'chip-closed'}`} data-testid="flow-active-state">
            {flow.active ? t('flows.activeState') : t('flows.inactiveState')}
          </span>
          <span className="chip chip-bot" data-testid="flow-published-version">
            {flow.publishedVersion !== null ? t('flows.versionN', { n: flow.publishedVersion }) : t('flows.notPublished')}
          </span>
          {flow.hasUnpublishedChanges && (
            <span className="chip chip-unpublished" data-testid="flow-unpublished">
              {t('flows.unpublishedChanges')}
            </span>
          )}
          {dirty && (
            <span className="wh-dirty" data-testid="flow-dirty">
              {t('flows.unsaved')}
            </span>
          )}
        </div>
        <div className="flow-head-actions">
          {mayEdit && dirty && !viewing && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="flow-discard"
              onClick={() => setPending({ kind: 'discard' })}
            >
              {t('flows.discard')}
            </button>
          )}
          {!viewing && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="flow-validate"
              disabled={busy !== null}
              onClick={() => void validate()}
            >
              {busy === 'validate' ? t('flows.validating') : t('flows.validate')}
            </button>
          )}
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="flow-export-current"
            disabled={busy !== null}
            title={dirty ? t('flows.exportSavedHint') : undefined}
            onClick={() => void exportFlow()}
          >
            {t('flows.export')}
          </button>
          <button
            type="button"
            className={`btn btn-ghost ${showTry ? 'btn-toggled' : ''}`}
            data-testid="flow-try-toggle"
            aria-pressed={showTry}
            onClick={() => setShowTry((v) => !v)}
          >
            {t('flows.try.toggle')}
          </button>
          {mayEdit && !viewing && (
            <>
              <button
                type="button"
                className="btn btn-ghost"
                data-testid="flow-save"
                disabled={busy !== null || !dirty}
                onClick={() => void save()}
              >
                {busy === 'save' ? t('common.saving') : t('flows.saveDraft')}
              </button>
              <button
                type="button"
                className="btn btn-primary"
                data-testid="flow-publish"
                disabled={busy !== null}
                title={dirty ? t('flows.publishSavesFirst') : undefined}
                onClick={() => void publish()}
              >
                {busy === 'publish' ? t('flows.publishing') : dirty ? t('flows.saveAndPublish') : t('flows.publish')}
              </button>
            </>
          )}
        </div>
      </header>

      {(actionError != null || notice) && (
        <div className="flow-messages">
          {actionError != null && (
            <div className="form-error flow-error" role="alert" data-testid="flow-error">
              {errorMessage(actionError, t)}
            </div>
          )}
          {notice && !actionError && (
            <div className={notice.ok ? 'flow-notice-ok' : 'flow-notice-warn'} role="status" data-testid="flow-notice">
              {notice.text}
            </div>
          )}
        </div>
      )}

      {viewing && (
        <div className="flow-viewing card" data-testid="flow-viewing" role="status">
          <span>
            {t('flows.viewingVersion', { n: viewing.version.number, state: t(`flows.state.${viewing.version.state}`) })}
          </span>
          <button type="button" className="btn btn-ghost btn-sm" data-testid="flow-view-draft" onClick={() => void viewVersion(null)}>
            {t('flows.backToDraft')}
          </button>
          {mayEdit && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="flow-restore"
              onClick={() => dispatch({ type: 'restore', definition: viewing.definition })}
            >
              {t('flows.useAsDraft')}
            </button>
          )}
        </div>
      )}

      {!mayEdit && (
        <p className="muted flow-read-only" data-testid="flow-read-only">
          {t('flows.readOnly')}
        </p>
      )}

      <div className="flow-columns">
        <section className="card flow-tree-card" aria-label={t('flows.tree')}>
          <div className="flow-tree-head">
            <h2>{t('flows.nodes')}</h2>
            {!readOnly && (
              <div className="flow-structure" data-testid="flow-structure">
                <label className="flow-inline-field">
                  <span>{t('flows.newNode')}</span>
                  <select
                    data-testid="flow-new-type"
                    value={newType}
                    onChange={(e) => setNewType(e.target.value as FlowNodeType)}
                  >
                    {FLOW_NODE_TYPES.map((type) => (
                      <option key={type} value={type}>
                        {t(`flows.type.${type}`)}
                      </option>
                    ))}
                  </select>
                </label>
                {place && (
                  <>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="flow-add-child"
                      onClick={() => dispatch({ type: 'add', nodeType: newType, parent: place.node.key })}
                    >
                      + {t('flows.addChild')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      data-testid="flow-add-sibling"
                      onClick={() => dispatch({ type: 'add', nodeType: newType, after: place.node.key })}
                    >
                      + {t('flows.addSibling')}
                    </button>
                  </>
                )}
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  data-testid="flow-add-root"
                  onClick={() => dispatch({ type: 'add', nodeType: newType, parent: null })}
                >
                  + {t('flows.addRoot')}
                </button>
              </div>
            )}
          </div>
          {!readOnly && place && (
            <div className="flow-structure flow-structure-node">
              <span className="muted small">{t('flows.selectedNode', { key: place.node.key })}</span>
              <button
                type="button"
                className="btn btn-ghost btn-xs"
                data-testid="flow-move-up"
                aria-label={t('flows.moveUp', { key: place.node.key })}
                disabled={place.index === 0}
                onClick={() => dispatch({ type: 'move', key: place.node.key, delta: -1 })}
              >
                ↑ {t('flows.up')}
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-xs"
                data-testid="flow-move-down"
                aria-label={t('flows.moveDown', { key: place.node.key })}
                disabled={place.index >= place.siblings - 1}
                onClick={() => dispatch({ type: 'move', key: place.node.key, delta: 1 })}
              >
                ↓ {t('flows.down')}
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-xs btn-danger-text"
                data-testid="flow-delete-node"
                onClick={() => setPending({ kind: 'delete', key: place.node.key })}
              >
                {t('flows.deleteNode')}
              </button>
            </div>
          )}
          {def.nodes.length === 0 ? (
            <p className="muted pad" data-testid="flow-tree-empty">
              {readOnly ? t('flows.noNodes') : t('flows.noNodesAdd')}
            </p>
          ) : (
            <NodeTree
              nodes={def.nodes}
              selected={state.selected}
              problems={byNode}
              stale={!viewing && state.problemsStale}
              mainMenu={mainMenuKey(def)}
              readOnly={readOnly}
              onSelect={selectNode}
              onDrop={(key, target, position) => dispatch({ type: 'drop', key, target, position })}
            />
          )}
          {!readOnly && def.nodes.length > 0 && <p className="muted small flow-drag-hint">{t('flows.dragHint')}</p>}

          {problems !== null && problemCount > 0 && (
            <div
              className={`flow-problems ${!viewing && state.problemsStale ? 'flow-problems-stale' : ''}`}
              data-testid="flow-problems"
            >
              <h3>
                {t('flows.problemsTitle', { n: problemCount })}
                {!viewing && state.problemsStale && <span className="muted small"> · {t('flows.problemsStale')}</span>}
              </h3>
              <ul>
                {(problems ?? []).map((p, i) => (
                  <li key={`${p.nodeKey ?? ''}:${i}`}>
                    <button
                      type="button"
                      className="flow-problem"
                      data-testid="flow-problem"
                      data-node-key={p.nodeKey ?? ''}
                      onClick={() => selectNode(p.nodeKey && findNode(def.nodes, p.nodeKey) ? p.nodeKey : null)}
                    >
                      <strong>{p.nodeKey ?? t('flows.wholeFlow')}</strong>: {p.message}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>

        <div className="flow-side">
          <div className="tabs flow-tabs" role="tablist">
            {(['node', 'settings', 'versions'] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                className={`tab ${tab === name ? 'tab-active' : ''}`}
                data-testid={`flow-tab-${name}`}
                onClick={() => setTab(name)}
              >
                {t(`flows.tabs.${name}`)}
                {name === 'settings' && flowProblems.length > 0 && <span className="flow-tab-alert"> !</span>}
              </button>
            ))}
          </div>
          {tab === 'node' &&
            (selectedNode ? (
              <NodeEditor
                key={`${state.revision}:${viewing?.version.number ?? 'draft'}:${selectedNode.key}`}
                def={def}
                node={selectedNode}
                problems={byNode.get(selectedNode.key) ?? []}
                readOnly={readOnly}
                dispatch={dispatch}
                onChangeType={(to) => changeType(selectedNode.key, to)}
              />
            ) : (
              <div className="card muted" data-testid="flow-no-selection">
                {t('flows.selectNode')}
              </div>
            ))}
          {tab === 'settings' && (
            <SettingsForm
              key={`${state.revision}:${viewing?.version.number ?? 'draft'}`}
              def={def}
              readOnly={readOnly}
              problems={flowProblems}
              onChange={(patch) => dispatch({ type: 'settings', patch })}
            />
          )}
          {tab === 'versions' && (
            <VersionsPanel
              versions={versions}
              error={versionsError}
              viewing={viewing?.version.number ?? null}
              onView={(n) => void viewVersion(n)}
              onReload={refetchVersions}
            />
          )}
        </div>

        {showTry && (
          <TryPanel
            flowId={flowId}
            dirty={dirty}
            savedStamp={savedStamp}
            onSave={mayEdit && !viewing ? save : null}
          />
        )}
      </div>

      {pending && (
        <ConfirmDialog
          title={t(`flows.confirm.${pending.kind}Title`)}
          message={
            pending.kind === 'delete'
              ? t('flows.confirm.delete', {
                  key: pending.key,
                  n: pendingNode ? subtreeKeys(pendingNode).length - 1 : 0,
                })
              : pending.kind === 'type'
                ? t('flows.confirm.type', { key: pending.key, type: t(`flows.type.${pending.to}`) })
                : t(`flows.confirm.${pending.kind}`)
          }
          confirmLabel={t(`flows.confirm.${pending.kind}Button`)}
          confirmTestId="flow-confirm"
          onConfirm={confirmPending}
          onCancel={cancelPending}
        />
      )}
    </div>
  )
}
