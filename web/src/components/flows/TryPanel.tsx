import { useLayoutEffect, useRef, useState } from 'react'
import type { KeyboardEvent } from 'react'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { useAreas } from '../../areas'
import type { MenuChoice, SimulateResult } from '../../api/types'
import { errorMessage } from '../../util'

type TryItem =
  | { id: number; kind: 'customer'; text: string }
  | { id: number; kind: 'bot'; text: string; options: MenuChoice[] | null }
  | { id: number; kind: 'handover'; area: string }
  | { id: number; kind: 'closed' | 'finished' }
  | { id: number; kind: 'event'; text: string }

/** A trace line of the engine, "<code>" or "<code>: <detail>": the code in words. */
function eventText(text: string, t: TFunction): string {
  const cut = text.indexOf(': ')
  const code = cut === -1 ? text : text.slice(0, cut)
  const label = t(`flows.try.events.${code}`, { defaultValue: code })
  return cut === -1 ? label : `${label}: ${text.slice(cut + 2)}`
}

interface Run {
  /** what the engine gave back last (sent back as it is), null before the first message */
  state: SimulateResult['state'] | null
  items: TryItem[]
  /** the saved draft the run started on (restart to try a newer one) */
  savedStamp: number | null
  ended: boolean
}

const FRESH: Run = { state: null, items: [], savedStamp: null, ended: false }

let lastId = 0
const nextId = () => (lastId += 1)

/**
 * "Try it": a phone-like chat that runs the saved draft through the engine
 * (POST /api/flows/{id}/simulate). No conversation is touched and nothing is sent.
 */
export default function TryPanel({
  flowId,
  dirty,
  savedStamp,
  onSave,
}: {
  flowId: number
  /** the draft has unsaved changes (the run uses the saved one) */
  dirty: boolean
  /** changes whenever the draft is saved */
  savedStamp: number
  /** saves the draft; null when the user may not */
  onSave: (() => Promise<boolean>) | null
}) {
  const { t } = useTranslation()
  const { nameOf } = useAreas()
  const [run, setRun] = useState<Run>(FRESH)
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [showEvents, setShowEvents] = useState(false)
  const scrollRef = useRef<HTMLDivElement>(null)

  useLayoutEffect(() => {
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [run.items.length, showEvents])

  const itemsOf = (res: SimulateResult): TryItem[] => {
    const out: TryItem[] = res.replies.map((r) => ({
      id: nextId(),
      kind: 'bot' as const,
      text: r.text,
      options: r.options && r.options.length > 0 ? r.options : null,
    }))
    for (const e of res.events ?? []) out.push({ id: nextId(), kind: 'event', text: e })
    if (res.handover) {
      const area =
        res.handover.areaName ?? nameOf(res.handover.areaId) ?? t('flows.try.defaultArea')
      out.push({ id: nextId(), kind: 'handover', area })
    }
    if (res.closed) out.push({ id: nextId(), kind: 'closed' })
    else if (res.finished && !res.handover) out.push({ id: nextId(), kind: 'finished' })
    return out
  }

  const send = async (body: string, choice?: MenuChoice) => {
    const message = body.trim()
    if (!message || busy) return
    setBusy(true)
    setError(null)
    const customer: TryItem = { id: nextId(), kind: 'customer', text: message }
    setRun((r) => ({ ...r, items: [...r.items, customer] }))
    try {
      const res = await unwrap(
        client.POST('/api/flows/{flow_id}/simulate', {
          params: { path: { flow_id: flowId } },
          body: {
            state: run.state,
            message: { text: message, type: choice ? 'interactive' : 'text', replyId: choice?.id ?? null },
          },
        }),
      )
      setRun((r) => ({
        state: res.state,
        items: [...r.items, ...itemsOf(res)],
        savedStamp: r.savedStamp ?? savedStamp,
        ended: res.closed || res.finished || res.handover !== null,
      }))
      if (!choice) setText((cur) => (cur.trim() === message ? '' : cur))
    } catch (err) {
      // The customer's line stays, marked as not answered.
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  const restart = () => {
    setRun(FRESH)
    setError(null)
  }

  const saveAndRestart = async () => {
    if (onSave && (await onSave())) restart()
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void send(text)
    }
  }

  // Only the newest menu can be tapped (like a customer scrolling back would see stale ones).
  const lastMenuId = [...run.items].reverse().find((i) => i.kind === 'bot' && i.options)?.id
  const outdated = run.savedStamp !== null && run.savedStamp !== savedStamp

  return (
    <section className="try-panel" data-testid="flow-try" aria-label={t('flows.try.title')}>
      <div className="try-head">
        <h2>{t('flows.try.title')}</h2>
        <button type="button" className="btn btn-ghost btn-sm" data-testid="flow-try-restart" onClick={restart}>
          ↺ {t('flows.try.restart')}
        </button>
      </div>
      <p className="muted small">{t('flows.try.help')}</p>
      {dirty && (
        <div className="try-notice" data-testid="flow-try-unsaved" role="status">
          {t('flows.try.unsaved')}
          {onSave && (
            <button
              type="button"
              className="btn btn-link"
              data-testid="flow-try-save"
              onClick={() => void saveAndRestart()}
            >
              {t('flows.try.saveAndRestart')}
            </button>
          )}
        </div>
      )}
      {!dirty && outdated && run.items.length > 0 && (
        <div className="try-notice" data-testid="flow-try-outdated" role="status">
          {t('flows.try.outdated')}
          <button type="button" className="btn btn-link" onClick={restart}>
            {t('flows.try.restart')}
          </button>
        </div>
      )}
      <div className="try-phone">
        <div className="phone-messages" ref={scrollRef} data-testid="flow-try-thread">
          {run.items.length === 0 && <div className="phone-empty muted">{t('flows.try.empty')}</div>}
          {run.items.map((item) => {
            switch (item.kind) {
              case 'customer':
                return (
                  <div key={item.id} className="msg-row msg-out">
                    <div className="bubble" data-testid="flow-try-message" data-from="customer">
                      <div className="msg-body">{item.text}</div>
                    </div>
                  </div>
                )
              case 'bot':
                return (
                  <div key={item.id} className="msg-row msg-in msg-with-options">
                    <div className="bubble" data-testid="flow-try-message" data-from="bot">
                      <div className="msg-body">{item.text}</div>
                    </div>
                    {item.options && (
                      <div className="menu-options" data-testid="flow-try-options">
                        {item.options.map((o) => (
                          <button
                            key={o.id}
                            type="button"
                            className="menu-option"
                            data-testid="flow-try-option"
                            data-reply-id={o.id}
                            disabled={busy || item.id !== lastMenuId}
                            onClick={() => void send(o.label, o)}
                          >
                            <span className="menu-option-number">{o.number}</span> {o.label}
                          </button>
                        ))}
                      </div>
                    )}
                  </div>
                )
              case 'event':
                return showEvents ? (
                  <div key={item.id} className="try-event" data-testid="flow-try-event">
                    {eventText(item.text, t)}
                  </div>
                ) : null
              case 'handover':
                return (
                  <div key={item.id} className="try-marker try-handover" data-testid="flow-try-handover">
                    → {item.area}
                    <span className="muted small"> · {t('flows.try.handover')}</span>
                  </div>
                )
              case 'closed':
                return (
                  <div key={item.id} className="try-marker" data-testid="flow-try-closed">
                    {t('flows.try.closed')}
                  </div>
                )
              case 'finished':
                return (
                  <div key={item.id} className="try-marker" data-testid="flow-try-finished">
                    {t('flows.try.finished')}
                  </div>
                )
            }
            return null
          })}
        </div>
        {error != null && (
          <div className="inline-error phone-error" role="alert" data-testid="flow-try-error">
            {errorMessage(error, t)}
          </div>
        )}
        <form
          className="phone-composer"
          onSubmit={(e) => {
            e.preventDefault()
            void send(text)
          }}
        >
          <textarea
            data-testid="flow-try-text"
            rows={1}
            value={text}
            placeholder={t('flows.try.placeholder')}
            aria-label={t('flows.try.placeholder')}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button
            type="submit"
            className="btn btn-primary btn-send"
            data-testid="flow-try-send"
            disabled={busy || !text.trim()}
          >
            {t('simulator.send')}
          </button>
        </form>
      </div>
      <label className="switch small try-events-toggle">
        <input
          type="checkbox"
          data-testid="flow-try-show-events"
          checked={showEvents}
          onChange={(e) => setShowEvents(e.target.checked)}
        />
        <span>{t('flows.try.showEvents')}</span>
      </label>
      {run.ended && <p className="muted small">{t('flows.try.endedHint')}</p>}
    </section>
  )
}
