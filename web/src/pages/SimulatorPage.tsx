import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api'
import Avatar from '../components/Avatar'
import { useDebounced } from '../hooks'
import { useSocketEvent } from '../socket'
import type { Channel, MenuChoice, MenuPayload, Message, MessageStatus, OutboundMessage } from '../types'
import { clockTime, errorMessage, fullDateTime, laterStatus, timeOf } from '../util'

const DEFAULT_PHONE = '+5491155550001'
const DEFAULT_NAME = 'Ana'
const POLL_MS = 1000

/** One bubble on the simulated phone; direction is the business' point of view. */
interface PhoneItem {
  key: string
  direction: 'in' | 'out'
  body: string
  status: MessageStatus
  error: string | null
  createdAt: string
  /** a bot menu sent as buttons or a list: tappable on this phone */
  menu: MenuPayload | null
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
      })
    }
  }
  for (const m of local) {
    if (!seen.has(`m${m.id}`)) items.push(fromMessage(m))
  }
  return items.sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt))
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
  }
}

export default function SimulatorPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'

  const [channels, setChannels] = useState<Channel[] | null>(null)
  const [channelsError, setChannelsError] = useState<unknown>(null)
  const [chosenChannel, setChosenChannel] = useState<number | null>(null)
  const [phone, setPhone] = useState(DEFAULT_PHONE)
  const [name, setName] = useState(DEFAULT_NAME)
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [sendError, setSendError] = useState<unknown>(null)
  const [data, setData] = useState<ThreadData | null>(null)
  /** what this page sent as the customer, per channel|phone */
  const [local, setLocal] = useState<Record<string, Message[]>>({})
  const [refreshToken, setRefreshToken] = useState(0)

  const scrollRef = useRef<HTMLDivElement>(null)
  const readInFlight = useRef(false)
  const threadMissing = useRef(false)
  const acknowledged = useRef(new Set<string>())

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .channels()
      .then((list) => setChannels(list))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setChannelsError(err)
      })
    return () => ctrl.abort()
  }, [])

  const channelId = chosenChannel ?? (channels ? pickDefaultChannel(channels) : null)
  const channel = channels?.find((c) => c.id === channelId) ?? null
  const to = useDebounced(phone.trim(), 400)
  const key = `${channelId ?? ''}|${to}`
  const current = data && data.key === key ? data : null
  const localItems = local[key] ?? []
  const items = buildItems(current, localItems)

  // Poll the phone's thread (and the raw outbound list) every second.
  useEffect(() => {
    if (channelId === null || !to) return
    let cancelled = false
    const ctrl = new AbortController()
    const k = `${channelId}|${to}`

    const load = async () => {
      const [thread, outbound] = await Promise.allSettled([
        threadMissing.current
          ? Promise.reject(new Error('thread unavailable'))
          : api.sandboxThread(channelId, to, ctrl.signal),
        api.sandboxOutbound(channelId, to, ctrl.signal),
      ])
      if (cancelled) return
      if (thread.status === 'rejected') {
        const status = (thread.reason as { status?: number } | null)?.status
        if (status === 404 || status === 405) threadMissing.current = true
      }
      setData((prev) => ({
        key: k,
        thread:
          thread.status === 'fulfilled'
            ? thread.value
            : prev && prev.key === k
              ? prev.thread
              : null,
        outbound:
          outbound.status === 'fulfilled'
            ? outbound.value
            : prev && prev.key === k
              ? prev.outbound
              : [],
        error:
          thread.status === 'rejected' && outbound.status === 'rejected'
            ? outbound.reason
            : null,
      }))
    }

    void load()
    const id = window.setInterval(() => void load(), POLL_MS)
    return () => {
      cancelled = true
      ctrl.abort()
      window.clearInterval(id)
    }
  }, [channelId, to, refreshToken])

  // Refresh at once when the desk reports activity.
  const poke = () => setRefreshToken((n) => n + 1)
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
    api
      .sandboxRead(channelId, to)
      .then((res) => {
        for (const k of fresh) acknowledged.current.add(k)
        if (res && res.updated > 0) setRefreshToken((n) => n + 1)
      })
      .catch(() => {
        // retried on the next poll
      })
      .finally(() => {
        readInFlight.current = false
      })
  }, [unreadKeys, channelId, to, current])

  // Stick to the bottom when something new shows up.
  const lastKey = items[items.length - 1]?.key
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [lastKey, items.length])

  /** Sends what is typed, or (`choice`) a tap on a menu option: its label and reply id. */
  const send = useCallback(
    async (choice?: MenuChoice) => {
      const body = choice ? choice.label : text.trim()
      const from = phone.trim()
      if (!body || !from || channelId === null || sending) return
      setSending(true)
      setSendError(null)
      try {
        const res = await api.sandboxInbound(
          channelId,
          from,
          name.trim(),
          body,
          choice ? { type: 'interactive', replyId: choice.id } : undefined,
        )
        const k = `${channelId}|${from}`
        setLocal((l) => ({ ...l, [k]: [...(l[k] ?? []), res.message] }))
        if (!choice) setText((cur) => (cur.trim() === body ? '' : cur))
        setRefreshToken((n) => n + 1)
      } catch (err) {
        setSendError(err)
      } finally {
        setSending(false)
      }
    },
    [text, phone, name, channelId, sending],
  )

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
            return (
              <div
                key={m.key}
                className={`msg-row ${mine ? 'msg-out' : 'msg-in'} ${m.menu ? 'msg-with-options' : ''}`}
              >
                <div
                  className={`bubble ${m.status === 'failed' ? 'bubble-failed' : ''}`}
                  data-testid="sim-message"
                  data-direction={m.direction}
                  data-status={m.status}
                  data-menu={m.menu ? m.menu.style : undefined}
                >
                  <div className="msg-body">{m.menu ? m.menu.text || m.body : m.body}</div>
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
        <form
          className="phone-composer"
          onSubmit={(e) => {
            e.preventDefault()
            void send()
          }}
        >
          <textarea
            data-testid="sim-text"
            rows={1}
            value={text}
            placeholder={t('simulator.textPlaceholder')}
            aria-label={t('simulator.textPlaceholder')}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button
            type="submit"
            className="btn btn-primary btn-send"
            data-testid="sim-send"
            disabled={sending || !text.trim() || channelId === null || !phone.trim()}
          >
            {t('simulator.send')}
          </button>
        </form>
      </section>
    </div>
  )
}
