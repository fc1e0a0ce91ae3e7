import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { client, unwrap } from '../api/client'
import { channelsQuery, keys, sandboxOutboundQuery, sandboxThreadQuery } from '../api/queries'
import Avatar from '../components/Avatar'
import { AttachmentPreview, ReplyPreview } from '../components/media/ComposerParts'
import MessageContent, { QuoteBlock, Reactions, ReplyAction } from '../components/media/MessageContent'
import { SimAttachMenu, SimReactionPicker } from '../components/media/SimAttach'
import type { SimExtra } from '../components/media/SimAttach'
import { fileToBase64, reactionsByTarget } from '../components/media/format'
import { PlusIcon, SmileIcon } from '../components/media/icons'
import { useDebounced } from '../hooks'
import { useSocketEvent } from '../socket'
import type {
  Channel,
  MenuChoice,
  MenuPayload,
  SandboxMessage as Message,
  MessageMedia,
  OutboundMessage,
  QuotedMessage,
  SandboxInboundInput,
} from '../api/types'
import { clockTime, errorMessage, fullDateTime, laterStatus, timeOf } from '../util'

const DEFAULT_PHONE = '+5491155550001'
const DEFAULT_NAME = 'Ana'
const POLL_MS = 1000

/** One bubble on the simulated phone; direction is the business' point of view. */
interface PhoneItem {
  key: string
  direction: string
  body: string
  status: string
  error: string | null
  createdAt: string
  /** a bot menu sent as buttons or a list: tappable on this phone */
  menu: MenuPayload | null
  /** the desk's message id (null for a raw outbound entry without one) */
  id: number | null
  /** the id the provider knows it by: what a reaction or a reply points to */
  providerId: string | null
  type: string
  payload: Record<string, unknown> | null
  media: MessageMedia | null
  quoted: QuotedMessage | null
}

/** The menu of a message payload (`{kind: "menu", style, text, options}`), when usable. */
function menuOf(payload: Record<string, unknown> | null | undefined): MenuPayload | null {
  if (!payload || payload.kind !== 'menu' || !Array.isArray(payload.options)) return null
  const options = (payload.options as Partial<MenuChoice>[]).filter(
    (o): o is MenuChoice => !!o && typeof o.id === 'string' && typeof o.label === 'string',
  )
  const style = payload.style === 'buttons' || payload.style === 'list' ? payload.style : null
  if (options.length === 0 || style === null) return null
  return {
    kind: 'menu',
    style,
    text: typeof payload.text === 'string' ? payload.text : '',
    options,
  }
}

interface ThreadData {
  /** channelId|phone the data belongs to */
  key: string
  /** null when GET .../thread is not available: fall back to outbound + local */
  thread: Message[] | null
  outbound: OutboundMessage[]
  error: unknown
}

function pickDefaultChannel(channels: Channel[]): number | null {
  const sandbox = channels.filter((c) => c.provider === 'sandbox')
  const pick = sandbox.find((c) => c.isDefault) ?? sandbox[0] ?? channels[0]
  return pick ? pick.id : null
}

function buildItems(data: ThreadData | null, local: Message[]): PhoneItem[] {
  if (!data) return local.map(fromMessage)
  const outboundById = new Map(data.outbound.map((o) => [String(o.id), o]))
  const items: PhoneItem[] = []
  const seen = new Set<string>()
  if (data.thread) {
    for (const m of data.thread) {
      const item = fromMessage(m)
      const ob = m.direction === 'out' ? outboundById.get(String(m.id)) : undefined
      if (ob) {
        item.status = laterStatus(item.status, ob.status)
        item.error = ob.error ?? item.error
        item.menu = item.menu ?? menuOf(ob.payload)
        item.media = item.media ?? ob.media ?? null
        item.providerId = item.providerId ?? ob.providerMessageId ?? null
      }
      items.push(item)
      seen.add(`m${m.id}`)
    }
  } else {
    for (const o of data.outbound) {
      items.push({
        key: `o${o.id}`,
        direction: 'out',
        body: o.body,
        status: o.status,
        error: o.error,
        createdAt: o.createdAt,
        menu: menuOf(o.payload),
        id: typeof o.id === 'number' ? o.id : null,
        providerId: o.providerMessageId ?? null,
        type: o.type ?? 'text',
        payload: o.payload ?? null,
        media: o.media ?? null,
        quoted: null,
      })
    }
  }
  for (const m of local) {
    if (!seen.has(`m${m.id}`)) items.push(fromMessage(m))
  }
  return items.sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt))
}

/** What a reaction or a quote from this phone points to: the id the provider gave it. */
function providerIdOf(item: PhoneItem): string | null {
  return item.providerId
}

function fromMessage(m: Message): PhoneItem {
  return {
    key: `m${m.id}`,
    direction: m.direction,
    body: m.body,
    status: m.status,
    error: m.error,
    createdAt: m.createdAt,
    menu: m.direction === 'out' ? menuOf(m.payload) : null,
    id: m.id,
    providerId: m.providerMessageId ?? null,
    type: m.type,
    payload: m.payload ?? null,
    media: m.media ?? null,
    quoted: m.quoted ?? null,
  }
}

export default function SimulatorPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'

  const qc = useQueryClient()
  const channelsQ = useQuery(channelsQuery)
  const channels = channelsQ.data ?? null
  const channelsError = channelsQ.error
  const [chosenChannel, setChosenChannel] = useState<number | null>(null)
  const [phone, setPhone] = useState(DEFAULT_PHONE)
  const [name, setName] = useState(DEFAULT_NAME)
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [sendError, setSendError] = useState<unknown>(null)
  /** what this page sent as the customer, per channel|phone */
  const [local, setLocal] = useState<Record<string, Message[]>>({})
  /** the "+" menu of the phone's composer */
  const [attachOpen, setAttachOpen] = useState(false)
  /** a file waiting for its caption */
  const [pendingFile, setPendingFile] = useState<Extract<SimExtra, { kind: 'file' }> | null>(null)
  /** the message the next send quotes */
  const [quoting, setQuoting] = useState<PhoneItem | null>(null)
  /** the message whose emoji row is open */
  const [reactingKey, setReactingKey] = useState<string | null>(null)

  const scrollRef = useRef<HTMLDivElement>(null)
  const readInFlight = useRef(false)
  const acknowledged = useRef(new Set<string>())

  const channelId = chosenChannel ?? (channels ? pickDefaultChannel(channels) : null)
  const channel = channels?.find((c) => c.id === channelId) ?? null
  const to = useDebounced(phone.trim(), 400)
  const key = `${channelId ?? ''}|${to}`
  // The phone's thread (and the raw outbound list), polled every second.
  const polling = channelId !== null && to !== ''
  const threadQ = useQuery({
    ...sandboxThreadQuery(channelId ?? 0, to),
    enabled: polling,
    refetchInterval: POLL_MS,
  })
  const outboundQ = useQuery({
    ...sandboxOutboundQuery(channelId ?? 0, to),
    enabled: polling,
    refetchInterval: POLL_MS,
  })
  const current: ThreadData | null =
    polling && (threadQ.data || outboundQ.data || (threadQ.error && outboundQ.error))
      ? {
          key,
          thread: threadQ.data ?? null,
          outbound: outboundQ.data ?? [],
          error: threadQ.error && outboundQ.error ? outboundQ.error : null,
        }
      : null
  const localItems = local[key] ?? []
  const allItems = buildItems(current, localItems)
  // Reactions show on the message they point to, not as bubbles of their own.
  const items = allItems.filter((i) => i.type !== 'reaction')
  const reactions = reactionsByTarget([...(current?.thread ?? []), ...localItems])

  // Refresh at once when the desk reports activity.
  const poke = () => {
    if (channelId !== null && to) void qc.invalidateQueries({ queryKey: keys.sandbox(channelId, to) })
  }
  useSocketEvent('message:new', poke)
  useSocketEvent('message:status', poke)

  // The customer "has the chat open": mark what the business sent as read.
  // Each (message, state) pair is acknowledged once, so a backend that keeps
  // some state unchanged is not hammered every second.
  const unreadKeys = items
    .filter((i) => i.direction === 'out' && (i.status === 'sent' || i.status === 'delivered'))
    .map((i) => `${i.key}:${i.status}`)
    .join(',')
  useEffect(() => {
    if (!unreadKeys || channelId === null || !to || readInFlight.current) return
    const fresh = unreadKeys.split(',').filter((k) => !acknowledged.current.has(k))
    if (fresh.length === 0) return
    readInFlight.current = true
    unwrap(
      client.POST('/api/sandbox/{channel_id}/read', {
        params: { path: { channel_id: channelId } },
        body: { to },
      }),
    )
      .then((res) => {
        for (const k of fresh) acknowledged.current.add(k)
        if (res && res.updated > 0) void qc.invalidateQueries({ queryKey: keys.sandbox(channelId, to) })
      })
      .catch(() => {
        // retried on the next poll
      })
      .finally(() => {
        readInFlight.current = false
      })
    // (tried again after each poll)
  }, [unreadKeys, channelId, to, qc, threadQ.dataUpdatedAt, outboundQ.dataUpdatedAt])

  // Stick to the bottom when something new shows up.
  const lastKey = items[items.length - 1]?.key
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [lastKey, items.length])

  /** Posts one thing the customer sends; true when the desk took it. */
  const deliver = async (input: Omit<SandboxInboundInput, 'from' | 'name'>): Promise<boolean> => {
    const from = phone.trim()
    if (!from || channelId === null || sending) return false
    setSending(true)
    setSendError(null)
    try {
      const res = await unwrap(
        client.POST('/api/sandbox/{channel_id}/inbound', {
          params: { path: { channel_id: channelId } },
          body: { from, name: name.trim(), ...input },
        }),
      )
      if (!('message' in res)) {
        // 202: a known-contacts-only channel counted the message and did not keep it.
        setSendError(new Error(res.detail))
        return false
      }
      const k = `${channelId}|${from}`
      setLocal((l) => ({ ...l, [k]: [...(l[k] ?? []), res.message] }))
      void qc.invalidateQueries({ queryKey: keys.sandbox(channelId, from) })
      return true
    } catch (err) {
      setSendError(err)
      return false
    } finally {
      setSending(false)
    }
  }

  /** What the next message quotes (WhatsApp's "reply"). */
  const quote = (): Pick<SandboxInboundInput, 'quotedId'> => {
    const id = quoting ? providerIdOf(quoting) : null
    return id ? { quotedId: id } : {}
  }

  /**
   * Sends what is typed (with the waiting file as its caption), or (`choice`) a tap on a
   * menu option: its label and reply id.
   */
  const send = async (choice?: MenuChoice) => {
    const body = choice ? choice.label : text.trim()
    const file = choice ? null : pendingFile
    if (!body && !file) return
    let input: Omit<SandboxInboundInput, 'from' | 'name'>
    if (choice) {
      input = { text: body, type: 'interactive', replyId: choice.id }
    } else if (file) {
      let data: string
      try {
        data = await fileToBase64(file.file)
      } catch (err) {
        setSendError(err)
        return
      }
      input = {
        text: body,
        type: file.mediaKind,
        media: {
          kind: file.mediaKind,
          filename: file.file.name,
          mimeType: file.file.type || undefined,
          voice: file.voice || undefined,
          dataBase64: data,
        },
        ...quote(),
      }
    } else {
      input = { text: body, ...quote() }
    }
    if (!(await deliver(input))) return
    if (!choice) {
      setText((cur) => (cur.trim() === body ? '' : cur))
      setQuoting(null)
    }
    if (file) setPendingFile((cur) => (cur === file ? null : cur))
  }

  /** The "+" menu: a file waits for its caption, a location or contact goes at once. */
  const pick = async (extra: SimExtra) => {
    setAttachOpen(false)
    if (extra.kind === 'file') {
      setPendingFile(extra)
      return
    }
    const sent = await deliver(
      extra.kind === 'location'
        ? { type: 'location', location: extra.location, ...quote() }
        : { type: 'contacts', contacts: [extra.contact], ...quote() },
    )
    if (sent) setQuoting(null)
  }

  const react = async (item: PhoneItem, emoji: string) => {
    setReactingKey(null)
    const target = providerIdOf(item)
    if (!target) return
    await deliver({ type: 'reaction', reaction: { emoji, messageId: target } })
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void send()
    }
  }

  const businessName = channel?.name ?? t('simulator.business')

  return (
    <div className="sim-layout">
      <section className="sim-settings card">
        <h1>{t('simulator.title')}</h1>
        <p className="muted">{t('simulator.help')}</p>
        {channelsError != null && (
          <p className="form-error" role="alert">
            {errorMessage(channelsError, t)}
          </p>
        )}
        <label className="field">
          <span>{t('simulator.channel')}</span>
          <select
            data-testid="sim-channel"
            value={channelId ?? ''}
            disabled={!channels || channels.length === 0}
            onChange={(e) => setChosenChannel(Number(e.target.value))}
          >
            {channels === null && <option value="">{t('common.loading')}</option>}
            {channels?.length === 0 && <option value="">{t('simulator.noChannels')}</option>}
            {channels?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.provider}
                {c.phone ? ` · ${c.phone}` : ''})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('simulator.phone')}</span>
          <input
            data-testid="sim-phone"
            inputMode="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('simulator.name')}</span>
          <input data-testid="sim-name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      </section>

      <section className="phone" aria-label={t('simulator.phoneLabel')}>
        <div className="phone-notch" aria-hidden="true" />
        <header className="phone-header">
          <Avatar name={businessName} className="avatar-business" />
          <div>
            <div className="phone-title">{businessName}</div>
            <div className="phone-sub">
              {t('simulator.youAre', { name: name.trim() || phone.trim(), phone: phone.trim() })}
            </div>
          </div>
        </header>
        <div className="phone-messages" ref={scrollRef} data-testid="sim-thread">
          {current?.error != null && (
            <div className="inline-error" role="alert">
              {errorMessage(current.error, t)}
            </div>
          )}
          {items.length === 0 && (
            <div className="phone-empty muted">{t('simulator.empty')}</div>
          )}
          {items.map((m) => {
            // On the phone the customer's own messages are on the right.
            const mine = m.direction === 'in'
            const canAct = providerIdOf(m) !== null && channelId !== null && !!phone.trim()
            const actions = canAct && (
              <span className="sim-actions">
                <ReplyAction onReply={() => setQuoting(m)} />
                {!mine && (
                  <button
                    type="button"
                    className="msg-action"
                    data-testid="sim-react"
                    title={t('media.sim.react')}
                    aria-label={t('media.sim.react')}
                    aria-expanded={reactingKey === m.key}
                    onClick={() => setReactingKey((k) => (k === m.key ? null : m.key))}
                  >
                    <SmileIcon size={16} />
                  </button>
                )}
              </span>
            )
            const own = m.id !== null ? (reactions.get(m.id) ?? []) : []
            const mineReaction = own.find((r) => r.direction === 'in')?.emoji ?? null
            return (
              <div
                key={m.key}
                className={`msg-row ${mine ? 'msg-out' : 'msg-in'} ${m.menu ? 'msg-with-options' : ''}`}
              >
                {mine && !m.menu && actions}
                <div className="msg-stack">
                  <div
                    className={`bubble ${m.status === 'failed' ? 'bubble-failed' : ''}`}
                    data-testid="sim-message"
                    data-direction={m.direction}
                    data-status={m.status}
                    data-message-id={m.id ?? undefined}
                    data-type={m.type}
                    data-menu={m.menu ? m.menu.style : undefined}
                  >
                    {m.quoted && (
                      <QuoteBlock
                        quoted={m.quoted}
                        who={m.quoted.direction === 'in' ? t('media.quoteYou') : businessName}
                      />
                    )}
                    {m.menu ? (
                      <div className="msg-body">{m.menu.text || m.body}</div>
                    ) : (
                      <MessageContent message={m} />
                    )}
                    <div className="msg-meta">
                      <time dateTime={m.createdAt} title={fullDateTime(m.createdAt, lang)}>
                        {clockTime(m.createdAt, lang)}
                      </time>
                      {!mine && (
                        <span className="sim-state" data-testid="sim-message-status">
                          {t(`delivery.${m.status}`, m.status)}
                        </span>
                      )}
                    </div>
                  </div>
                  <Reactions list={own} inLabel={t('media.quoteYou')} outLabel={businessName} />
                  {reactingKey === m.key && (
                    <SimReactionPicker current={mineReaction} onReact={(e) => void react(m, e)} />
                  )}
                </div>
                {!mine && !m.menu && actions}
                {m.menu && (
                  <div
                    className={`menu-options menu-options-${m.menu.style ?? 'buttons'}`}
                    data-testid="sim-options"
                    role="group"
                    aria-label={t('simulator.options')}
                  >
                    {m.menu.style === 'list' && (
                      <div className="menu-options-head muted small">{t('simulator.chooseOne')}</div>
                    )}
                    {m.menu.options.map((o) => (
                      <button
                        key={o.id}
                        type="button"
                        className="menu-option"
                        data-testid="sim-option"
                        data-reply-id={o.id}
                        disabled={sending || channelId === null || !phone.trim()}
                        onClick={() => void send(o)}
                      >
                        {m.menu?.style === 'list' && <span className="menu-option-number">{o.number}</span>}{' '}
                        {o.label}
                      </button>
                    ))}
                  </div>
                )}
              </div>
            )
          })}
        </div>
        {sendError != null && (
          <div className="inline-error phone-error" role="alert" data-testid="sim-error">
            {errorMessage(sendError, t)}
          </div>
        )}
        {quoting && (
          <ReplyPreview
            message={quoting}
            who={quoting.direction === 'in' ? t('media.quoteYou') : businessName}
            onCancel={() => setQuoting(null)}
          />
        )}
        {pendingFile && (
          <AttachmentPreview file={pendingFile.file} onRemove={() => setPendingFile(null)} />
        )}
        {attachOpen && <SimAttachMenu onPick={(x) => void pick(x)} />}
        <form
          className="phone-composer"
          onSubmit={(e) => {
            e.preventDefault()
            void send()
          }}
        >
          <button
            type="button"
            className="btn btn-ghost attach-button"
            data-testid="sim-attach"
            aria-expanded={attachOpen}
            title={t('media.attach')}
            aria-label={t('media.attach')}
            disabled={channelId === null || !phone.trim()}
            onClick={() => setAttachOpen((v) => !v)}
          >
            <PlusIcon size={20} />
          </button>
          <textarea
            data-testid="sim-text"
            rows={1}
            value={text}
            placeholder={pendingFile ? t('media.captionPlaceholder') : t('simulator.textPlaceholder')}
            aria-label={t('simulator.textPlaceholder')}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button
            type="submit"
            className="btn btn-primary btn-send"
            data-testid="sim-send"
            disabled={sending || (!text.trim() && !pendingFile) || channelId === null || !phone.trim()}
          >
            {t('simulator.send')}
          </button>
        </form>
      </section>
    </div>
  )
}
