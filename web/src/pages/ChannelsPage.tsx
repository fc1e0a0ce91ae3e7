import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { ApiError, client, unwrap } from '../api/client'
import { upsertChannel } from '../api/cache'
import { channelProvidersQuery, channelsQuery, keys } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import { emptyForm, formOf, sortChannels } from '../channels'
import type {
  ChannelForm,
  SessionErrorEvent,
  SessionLoadingEvent,
  SessionQrEvent,
  SessionStatusEvent,
} from '../channels'
import ChannelCard from '../components/channels/ChannelCard'
import type { Loading } from '../components/channels/ChannelCard'
import ChannelDetails from '../components/channels/ChannelDetails'
import ChannelFormDialog from '../components/channels/ChannelFormDialog'
import '../components/channels/channels.css'
import ConfirmDialog from '../components/ConfirmDialog'
import InlineError from '../components/InlineError'
import { useConfirmedAction } from '../hooks'
import { useSocketEvent } from '../socket'
import type { Channel, ChannelAction } from '../api/types'
import { errorMessage } from '../util'

function channelAction(id: number, action: ChannelAction): Promise<Channel> {
  return unwrap(
    client.POST('/api/channels/{channel_id}/{action}', {
      params: { path: { channel_id: id, action } },
    }),
  )
}

/** A QR picture and the QR text it shows (a new text needs a new picture). */
interface QrPicture {
  qr: string | null
  svg: string | null
}

type ById<T> = Partial<Record<number, T>>

function without<T>(map: ById<T>, id: number): ById<T> {
  if (!(id in map)) return map
  const next = { ...map }
  delete next[id]
  return next
}

/** The desk's WhatsApp numbers, live: ADMIN manages them, SUPERVISOR only looks. */
export default function ChannelsPage() {
  const { t } = useTranslation()
  const { user: me } = useAuth()
  const { nameOf } = useAreas()
  const qc = useQueryClient()
  const canEdit = me?.role === 'ADMIN'
  const [params, setParams] = useSearchParams()
  const selectedId = Number(params.get('channel')) || null

  const channelsQ = useQuery({ ...channelsQuery, select: sortChannels })
  const channels = channelsQ.data ?? null
  const loadError = channelsQ.error
  const providersQ = useQuery(channelProvidersQuery)
  const providers = providersQ.data ?? null
  const providersError = providersQ.error

  // Live session state the list itself does not carry.
  const [qrs, setQrs] = useState<ById<QrPicture>>({})
  const [loading, setLoading] = useState<ById<Loading>>({})
  const [liveErrors, setLiveErrors] = useState<ById<string>>({})

  const [busy, setBusy] = useState<{ id: number; what: string } | null>(null)
  const [rowError, setRowError] = useState<{ id: number; error: unknown } | null>(null)
  const [form, setForm] = useState<{ initial: ChannelForm; stored?: Record<string, unknown> } | null>(
    null,
  )

  const del = useConfirmedAction<Channel>()
  const logout = useConfirmedAction<Channel>()

  const providerOf = useMemo(() => {
    const map = new Map((providers ?? []).map((p) => [p.name, p]))
    return (name: string) => map.get(name)
  }, [providers])

  const upsert = useCallback((c: Channel) => upsertChannel(qc, c), [qc])

  const select = (id: number | null) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p)
        if (id === null) next.delete('channel')
        else next.set('channel', String(id))
        return next
      },
      { replace: true },
    )

  const remove = (id: number) => {
    qc.setQueryData<Channel[]>(keys.channels, (list) => list?.filter((x) => x.id !== id))
    if (selectedId === id) select(null)
  }

  const onQrLoaded = useCallback((channelId: number, qr: string | null, svg: string | null) => {
    setQrs((m) => ({ ...m, [channelId]: { qr, svg } }))
  }, [])

  // The channel itself is updated in the cache (cacheSync.tsx); here only what the list
  // does not carry: progress, the last error, the QR picture.
  useSocketEvent<SessionStatusEvent>('session:status', (e) => {
    // Progress belongs to connecting (and the sync right after); an error stays until the
    // state changes.
    if (e.status !== 'connecting' && e.status !== 'connected') {
      setLoading((m) => without(m, e.channelId))
    }
    if (e.status !== 'error') setLiveErrors((m) => without(m, e.channelId))
    if (e.status !== 'qr') setQrs((m) => without(m, e.channelId))
  })
  useSocketEvent<SessionQrEvent>('session:qr', (e) => {
    setQrs((m) => ({ ...m, [e.channelId]: { qr: e.qr, svg: e.svg } }))
  })
  useSocketEvent<SessionLoadingEvent>('session:loading', (e) => {
    setLoading((m) => ({ ...m, [e.channelId]: { percent: e.percent, message: e.message } }))
  })
  useSocketEvent<SessionErrorEvent>('session:error', (e) => {
    setLiveErrors((m) => ({ ...m, [e.channelId]: e.error }))
  })

  const act = async (c: Channel, what: string, call: () => Promise<Channel>) => {
    setBusy({ id: c.id, what })
    setRowError(null)
    try {
      upsert(await call())
    } catch (err) {
      setRowError({ id: c.id, error: err })
    } finally {
      setBusy(null)
    }
  }

  const onAction = (c: Channel, action: ChannelAction) => {
    // Unlinking needs a new QR scan afterwards: ask first.
    if (action === 'logout') logout.ask(c)
    else void act(c, action, () => channelAction(c.id, action))
  }

  const confirmLogout = () =>
    logout.run(async (c) => {
      upsert(await channelAction(c.id, 'logout'))
    })

  const confirmDelete = () =>
    del.run(async (c) => {
      await unwrap(client.DELETE('/api/channels/{channel_id}', { params: { path: { channel_id: c.id } } }))
      remove(c.id)
    })

  // Offered by the 409 of a delete (the channel has conversations), which stays on screen.
  const stopInstead = () =>
    del.run(async (c) => upsert(await channelAction(c.id, 'stop')), true)

  const deleteConflict = del.error instanceof ApiError && del.error.status === 409
  const closeForm = useCallback(() => setForm(null), [])
  const selected = channels?.find((c) => c.id === selectedId) ?? null

  return (
    <div className="admin-page" data-testid="channels-page">
      <div className="admin-head">
        <h1>{t('channels.title')}</h1>
        {canEdit ? (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="channel-new"
            onClick={() => setForm({ initial: emptyForm() })}
          >
            {t('channels.new')}
          </button>
        ) : (
          <span className="muted" data-testid="channels-readonly">
            {t('channels.readOnly')}
          </span>
        )}
      </div>
      <p className="muted ch-help">{t('channels.help')}</p>

      <InlineError error={loadError} onRetry={() => void channelsQ.refetch()} testId="channels-error" />
      {/* Without the providers, cards still show; actions fall back to start / stop. */}
      <InlineError
        error={providersError}
        onRetry={() => void providersQ.refetch()}
        testId="channel-providers-error"
      />

      <div className={`ch-layout ${selected ? 'ch-layout-details' : ''}`}>
        {channels === null ? (
          loadError == null && <div className="card muted pad">{t('common.loading')}</div>
        ) : channels.length === 0 ? (
          <div className="card muted pad" data-testid="channels-empty">
            {t('channels.empty')}
          </div>
        ) : (
          <div className="ch-grid" data-testid="channels-grid">
            {channels.map((c) => {
              const picture = qrs[c.id]
              return (
                <ChannelCard
                  key={c.id}
                  channel={c}
                  provider={providerOf(c.provider)}
                  canEdit={canEdit}
                  selected={c.id === selectedId}
                  areaName={nameOf(c.defaultAreaId)}
                  qrSvg={picture && picture.qr === (c.qr ?? null) ? picture.svg : null}
                  loading={loading[c.id] ?? null}
                  liveError={liveErrors[c.id] ?? null}
                  busy={busy?.id === c.id ? busy.what : null}
                  error={rowError?.id === c.id ? rowError.error : null}
                  onQrLoaded={onQrLoaded}
                  onAction={onAction}
                  onEdit={(ch) =>
                    setForm({ initial: formOf(ch, providerOf(ch.provider)), stored: ch.config ?? {} })
                  }
                  onDelete={del.ask}
                  onMakeDefault={(ch) =>
                    void act(ch, 'default', () =>
                        unwrap(
                          client.PATCH('/api/channels/{channel_id}', {
                            params: { path: { channel_id: ch.id } },
                            body: { isDefault: true },
                          }),
                        ))
                  }
                  onToggleDetails={(ch) => select(ch.id === selectedId ? null : ch.id)}
                  onDismissError={(id) => setLiveErrors((m) => without(m, id))}
                />
              )
            })}
          </div>
        )}
        {selected && (
          <ChannelDetails
            key={selected.id}
            channel={selected}
            provider={providerOf(selected.provider)}
            onClose={() => select(null)}
          />
        )}
      </div>

      {form && (
        <ChannelFormDialog
          initial={form.initial}
          storedConfig={form.stored}
          providers={providers}
          providersError={providersError}
          onReloadProviders={() => void providersQ.refetch()}
          onSaved={(c) => {
            upsert(c)
            setForm(null)
          }}
          onClose={closeForm}
        />
      )}

      {del.target && (
        <ConfirmDialog
          title={t('channels.deleteTitle')}
          message={t('channels.deleteConfirm', { name: del.target.name })}
          confirmLabel={t('common.delete')}
          confirmTestId="channel-delete-confirm"
          busy={del.busy}
          error={del.error != null ? errorMessage(del.error, t) : null}
          secondary={
            deleteConflict && del.target.status !== 'disconnected'
              ? {
                  label: t('channels.stopInstead'),
                  testId: 'channel-stop-instead',
                  onClick: () => void stopInstead(),
                }
              : undefined
          }
          onConfirm={() => void confirmDelete()}
          onCancel={del.cancel}
        />
      )}

      {logout.target && (
        <ConfirmDialog
          title={t('channels.logoutTitle')}
          message={t('channels.logoutConfirm', { name: logout.target.name })}
          confirmLabel={t('channels.action.logout')}
          confirmTestId="channel-logout-confirm"
          busy={logout.busy}
          error={logout.error != null ? errorMessage(logout.error, t) : null}
          onConfirm={() => void confirmLogout()}
          onCancel={logout.cancel}
        />
      )}
    </div>
  )
}
