import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type { ClipboardEvent, DragEvent, KeyboardEvent } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { client, unwrap } from '../api/client'
import { addMessages, mergeMessages, replaceMessage as replaceCached } from '../api/cache'
import type { MessagesData } from '../api/cache'
import { conversationQuery, fetchMessagePage, keys, quickRepliesQuery } from '../api/queries'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import { useSocketEvent } from '../socket'
import { isOverseer } from '../api/types'
import type { MediaUpload, Conversation, Message, QuickReply } from '../api/types'
import { fillPlaceholders, filterQuickReplies, slashTokenAt } from '../quickReplies'
import type { SlashToken } from '../quickReplies'
import {
  clockTime,
  contactAddress,
  contactLabel,
  errorMessage,
  fullDateTime,
  parseDate,
} from '../util'
import AssignDialog from './AssignDialog'
import ConfirmDialog from './ConfirmDialog'
import Timeline from './Timeline'
import ConversationLabels from './contacts/ConversationLabels'
import TransferDialog from './TransferDialog'
import DeliveryState from './DeliveryState'
import Avatar from './Avatar'
import StatusChip from './StatusChip'
import MessageContent, { QuoteBlock, Reactions, ReplyAction } from './media/MessageContent'
import TemplatePicker from './media/TemplatePicker'
import {
  AttachButton,
  AttachmentPreview,
  ReplyPreview,
  WindowNotice,
  sendErrorMessage,
  useReplyWindow,
} from './media/ComposerParts'
import { isWindowClosed, reactionsByTarget } from './media/format'

const MESSAGE_PAGE_SIZE = 50

/** The multipart body of POST /conversations/{id}/media. */
function mediaForm(file: File, caption: string, quotedId: number | null): FormData {
  const form = new FormData()
  form.append('file', file, file.name)
  if (caption) form.append('caption', caption)
  if (quotedId != null) form.append('quotedId', String(quotedId))
  return form
}
/** pages loaded at most while looking for a quoted message */
const JUMP_MAX_PAGES = 20
/** within this many pixels of the bottom the view follows new content */
const STICK_PX = 120

function senderLabel(m: Message, t: (k: string) => string): string | null {
  switch (m.sender) {
    case 'operator':
      return m.senderUser?.name ?? t('sender.operator')
    case 'bot':
      return t('sender.bot')
    case 'system':
      return t('sender.system')
    default:
      return null
  }
}

export default function MessagePane({
  conversationId,
  onConversation,
  panelOpen = false,
  onTogglePanel,
}: {
  conversationId: number
  onConversation: (c: Conversation) => void
  /** whether the customer panel shows beside the chat (its toggle sits in the header) */
  panelOpen?: boolean
  onTogglePanel?: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const qc = useQueryClient()
  const { user: me } = useAuth()
  const { nameOf: areaName } = useAreas()
  const navigate = useNavigate()
  const overseer = isOverseer(me?.role)

  const [olderError, setOlderError] = useState<unknown>(null)
  const [loadingOlder, setLoadingOlder] = useState(false)
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [sendError, setSendError] = useState<unknown>(null)
  const [confirmOpen, setConfirmOpen] = useState(false)
  const [closing, setClosing] = useState(false)
  const [closeError, setCloseError] = useState<unknown>(null)
  const [dialog, setDialog] = useState<'assign' | 'transfer' | null>(null)
  const [taking, setTaking] = useState(false)
  /** error of take (e.g. 409 "already taken by X"), shown under the header */
  const [actionError, setActionError] = useState<unknown>(null)
  const [showTimeline, setShowTimeline] = useState(false)
  /** composer posts a private note instead of a message */
  const [noteMode, setNoteMode] = useState(false)
  /** the `/word` at the caret, while the suggestion list may show */
  const [slash, setSlash] = useState<SlashToken | null>(null)
  const [suggestIndex, setSuggestIndex] = useState(0)
  /** caret to restore after a quick reply was applied */
  const pendingCaret = useRef<number | null>(null)
  /** bumped whenever the conversation changed: the timeline refetches */
  const [timelineVersion, setTimelineVersion] = useState(0)
  /** a file to send (the text becomes its caption) */
  const [attachment, setAttachment] = useState<File | null>(null)
  const [dragOver, setDragOver] = useState(false)
  /** the message the next send replies to */
  const [replyTo, setReplyTo] = useState<Message | null>(null)
  const [templatesOpen, setTemplatesOpen] = useState(false)

  const scrollRef = useRef<HTMLDivElement>(null)
  const inputRef = useRef<HTMLTextAreaElement>(null)
  /** scroll anchor while prepending older messages */
  const prependAnchor = useRef<{ height: number; top: number } | null>(null)
  const lastMessageId = useRef<number | null>(null)
  const readInFlight = useRef(false)
  /** whether the view was at the bottom: media that loads late keeps it there */
  const stickToBottom = useRef(true)
  /** a quoted message to scroll to once the older pages that hold it are shown */
  const pendingJump = useRef<number | null>(null)

  /** Scrolls a loaded message into view and flashes it; false when it is not loaded. */
  const scrollToMessage = useCallback((id: number): boolean => {
    const el = scrollRef.current?.querySelector<HTMLElement>(
      `[data-testid="message"][data-message-id="${id}"]`,
    )
    if (!el) return false
    el.scrollIntoView({ block: 'center', behavior: 'smooth' })
    el.classList.remove('bubble-flash')
    // restart the animation when the same quote is clicked twice
    void el.offsetWidth
    el.classList.add('bubble-flash')
    window.setTimeout(() => el.classList.remove('bubble-flash'), 1600)
    return true
  }, [])

  /** An answer about this conversation: into the cache, and to the list. */
  const setConversation = useCallback(
    (c: Conversation) => {
      qc.setQueryData(keys.conversation(conversationId), c)
      onConversation(c)
    },
    [qc, conversationId, onConversation],
  )

  const markRead = useCallback(() => {
    if (readInFlight.current) return
    readInFlight.current = true
    unwrap(
      client.POST('/api/conversations/{conv_id}/read', {
        params: { path: { conv_id: conversationId } },
      }),
    )
      .then(setConversation)
      .catch(() => {
        // not critical: the badge just stays until the next open
      })
      .finally(() => {
        readInFlight.current = false
      })
  }, [conversationId, setConversation])
  const markReadRef = useRef(markRead)
  useLayoutEffect(() => {
    markReadRef.current = markRead
  }, [markRead])

  // The conversation and its newest page, from the cache; socket events keep both
  // current (cacheSync.tsx) and a reconnect refetches them.
  const conversationQ = useQuery(conversationQuery(conversationId))
  const messagesKey = keys.messages(conversationId)
  const messagesQ = useQuery({
    queryKey: messagesKey,
    queryFn: async ({ signal }): Promise<MessagesData> => {
      const page = await fetchMessagePage(conversationId, 1, MESSAGE_PAGE_SIZE, signal)
      const prev = qc.getQueryData<MessagesData>(messagesKey)
      // Opening (or coming back to) the conversation reads it.
      markReadRef.current()
      return {
        messages: mergeMessages(prev?.messages ?? [], page.items),
        pages: Math.max(prev?.pages ?? 1, 1),
        total: page.total,
      }
    },
  })
  const conversationData = conversationQ.data
  useEffect(() => {
    if (conversationData) onConversation(conversationData)
  }, [conversationData, onConversation])
  const data =
    conversationData && messagesQ.data ? { conversation: conversationData, ...messagesQ.data } : null
  const loadError = conversationQ.error ?? messagesQ.error ?? olderError
  const setMessages = (update: (d: MessagesData) => MessagesData) =>
    qc.setQueryData<MessagesData>(messagesKey, (d) => (d ? update(d) : d))

  // Quick replies: fetched on the first "/" (then cached).
  const quickRepliesQ = useQuery({ ...quickRepliesQuery, enabled: slash !== null })
  const quickReplies = slash === null ? null : quickRepliesQ.isError ? [] : (quickRepliesQ.data ?? null)

  useLayoutEffect(() => {
    const caret = pendingCaret.current
    const el = inputRef.current
    if (caret === null || !el) return
    pendingCaret.current = null
    el.focus()
    el.setSelectionRange(caret, caret)
  }, [text])

  const loadOlder = () => {
    if (!data || loadingOlder) return
    const el = scrollRef.current
    const nextPage = data.pages + 1
    setLoadingOlder(true)
    setOlderError(null)
    fetchMessagePage(conversationId, nextPage, MESSAGE_PAGE_SIZE)
      .then((page) => {
        if (el) prependAnchor.current = { height: el.scrollHeight, top: el.scrollTop }
        setMessages((d) => ({
          messages: mergeMessages(d.messages, page.items),
          pages: nextPage,
          total: page.total,
        }))
      })
      .catch((err: unknown) => setOlderError(err))
      .finally(() => setLoadingOlder(false))
  }

  // Keep the view at the bottom for new messages; keep the position when older ones are prepended.
  const messages = messagesQ.data?.messages
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (!el || !messages) return
    const jump = pendingJump.current
    if (jump !== null) {
      pendingJump.current = null
      prependAnchor.current = null
      if (scrollToMessage(jump)) return
    }
    const anchor = prependAnchor.current
    if (anchor) {
      prependAnchor.current = null
      el.scrollTop = el.scrollHeight - anchor.height + anchor.top
      return
    }
    // A reaction changes another bubble: it is no reason to jump to the bottom.
    const last = [...messages].reverse().find((m) => m.type !== 'reaction')?.id ?? null
    if (last !== lastMessageId.current) {
      lastMessageId.current = last
      el.scrollTop = el.scrollHeight
      stickToBottom.current = true
    }
  }, [messages, scrollToMessage])

  // Images and videos get their size only once loaded: stay at the bottom if we were there.
  const loaded = data !== null
  useEffect(() => {
    const el = scrollRef.current
    if (!el) return
    const onMediaLoad = () => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight
    }
    el.addEventListener('load', onMediaLoad, true)
    el.addEventListener('loadedmetadata', onMediaLoad, true)
    return () => {
      el.removeEventListener('load', onMediaLoad, true)
      el.removeEventListener('loadedmetadata', onMediaLoad, true)
    }
  }, [loaded])

  /** Replaces a message the server changed (media ready/failed, a reaction, a retry). */
  const replaceMessage = useCallback((m: Message) => replaceCached(qc, m), [qc])

  const [jumping, setJumping] = useState(false)
  const [jumpMissed, setJumpMissed] = useState(false)
  /** Scrolls to a quoted message, loading older pages until it is there. */
  const jumpTo = async (id: number) => {
    setJumpMissed(false)
    if (scrollToMessage(id) || !data || jumping) return
    setJumping(true)
    try {
      const found: Message[] = []
      let page = data.pages
      let total = data.total
      let hit = false
      while (!hit && page < JUMP_MAX_PAGES && data.messages.length + found.length < total) {
        page += 1
        const res = await fetchMessagePage(conversationId, page, MESSAGE_PAGE_SIZE)
        if (res.items.length === 0) break
        found.push(...res.items)
        total = res.total
        hit = res.items.some((m) => m.id === id)
      }
      if (found.length > 0) {
        pendingJump.current = hit ? id : null
        setMessages((d) => ({
          messages: mergeMessages(d.messages, found),
          pages: Math.max(d.pages, page),
          total,
        }))
      }
      if (!hit) setJumpMissed(true)
    } catch (err) {
      setActionError(err)
    } finally {
      setJumping(false)
    }
  }

  // The cache follows message events (cacheSync.tsx); here only what the open pane adds.
  useSocketEvent<{ message: Message }>('message:new', (payload) => {
    if (!payload?.message || payload.message.conversationId !== conversationId) return
    if (payload.message.direction === 'in' && document.visibilityState === 'visible') markRead()
  })

  const onConversationEvent = (payload: { conversation?: Conversation }) => {
    const c = payload?.conversation
    if (!c || c.id !== conversationId) return
    setTimelineVersion((v) => v + 1)
  }
  useSocketEvent('conversation:update', onConversationEvent)
  useSocketEvent('conversation:closed', onConversationEvent)

  const conversation = data?.conversation
  const closed = conversation?.status === 'closed'
  const replyWindow = useReplyWindow(conversation)
  /** reactions are shown on their target message, never as bubbles */
  const reactions = useMemo(() => reactionsByTarget(messages ?? []), [messages])
  const bubbles = useMemo(() => (messages ?? []).filter((m) => m.type !== 'reaction'), [messages])

  const send = async () => {
    const body = text.trim()
    const file = noteMode ? null : attachment
    if ((!body && !file) || sending || closed) return
    setSending(true)
    setSendError(null)
    const quotedId = noteMode ? null : (replyTo?.id ?? null)
    try {
      const path = { conv_id: conversationId }
      const msg = noteMode
        ? await unwrap(client.POST('/api/conversations/{conv_id}/notes', { params: { path }, body: { body } }))
        : file
          ? await unwrap(
              client.POST('/api/conversations/{conv_id}/media', {
                params: { path },
                // multipart: the browser sets the boundary
                body: mediaForm(file, body, quotedId) as unknown as MediaUpload,
              }),
            )
          : await unwrap(
              client.POST('/api/conversations/{conv_id}/messages', {
                params: { path },
                body: quotedId != null ? { body, quotedId } : { body },
              }),
            )
      // Keep whatever was typed meanwhile.
      setText((cur) => (cur.trim() === body ? '' : cur))
      if (file) setAttachment((cur) => (cur === file ? null : cur))
      if (quotedId !== null) setReplyTo((cur) => (cur?.id === quotedId ? null : cur))
      addMessages(qc, conversationId, [msg])
    } catch (err) {
      setSendError(err)
      // Outside WhatsApp's 24-hour window only a template may go out: offer them.
      if (isWindowClosed(err)) setTemplatesOpen(true)
    } finally {
      setSending(false)
      inputRef.current?.focus()
    }
  }

  /** A file picked, dropped or pasted: shown above the composer until sent. */
  const attach = (file: File) => {
    if (closed) return
    setNoteMode(false)
    setSendError(null)
    setAttachment(file)
    inputRef.current?.focus()
  }

  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (closed || !e.dataTransfer.types.includes('Files')) return
    e.preventDefault()
    e.dataTransfer.dropEffect = 'copy'
    if (!dragOver) setDragOver(true)
  }

  const onDrop = (e: DragEvent<HTMLElement>) => {
    setDragOver(false)
    const file = e.dataTransfer.files[0]
    if (closed || !file) return
    e.preventDefault()
    attach(file)
  }

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const file = Array.from(e.clipboardData.files)[0]
    if (!file || noteMode) return
    e.preventDefault()
    attach(file)
  }

  const startReply = (m: Message) => {
    setReplyTo(m)
    setNoteMode(false)
    inputRef.current?.focus()
  }

  /** A template went out (the window is closed): show it like any sent message. */
  const onTemplateSent = (msg: Message) => {
    setTemplatesOpen(false)
    setSendError(null)
    addMessages(qc, conversationId, [msg])
  }

  const suggestions =
    slash !== null && quickReplies !== null ? filterQuickReplies(quickReplies, slash.query) : []
  const suggestOpen = slash !== null && suggestions.length > 0
  const activeSuggestion = suggestOpen
    ? Math.min(suggestIndex, suggestions.length - 1)
    : 0

  const updateSlash = (value: string, caret: number | null) => {
    const token = caret === null ? null : slashTokenAt(value, caret)
    setSlash((prev) =>
      prev && token && prev.start === token.start && prev.query === token.query ? prev : token,
    )
    if (!token || token.query !== slash?.query) setSuggestIndex(0)
  }

  const applyQuickReply = (reply: QuickReply) => {
    if (!slash) return
    const conv = data?.conversation
    const filled = fillPlaceholders(reply.body, {
      operatorName: me?.name || me?.username || '',
      contactName: conv ? contactLabel(conv) : '',
      areaName: conv?.areaId != null ? (areaName(conv.areaId) ?? '') : '',
    })
    const next = text.slice(0, slash.start) + filled + text.slice(slash.end)
    pendingCaret.current = slash.start + filled.length
    setText(next)
    setSlash(null)
    setSuggestIndex(0)
  }

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestOpen && !e.nativeEvent.isComposing) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        const n = suggestions.length
        setSuggestIndex((activeSuggestion + (e.key === 'ArrowDown' ? 1 : n - 1)) % n)
        return
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault()
        const reply = suggestions[activeSuggestion]
        if (reply) applyQuickReply(reply)
        return
      }
      if (e.key === 'Escape') {
        e.preventDefault()
        setSlash(null)
        return
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void send()
    }
  }

  const closeConversation = async () => {
    setClosing(true)
    setCloseError(null)
    try {
      const c = await unwrap(
        client.POST('/api/conversations/{conv_id}/close', { params: { path: { conv_id: conversationId } } }),
      )
      setConversation(c)
      setConfirmOpen(false)
    } catch (err) {
      setCloseError(err)
    } finally {
      setClosing(false)
    }
  }
  /** An answer of take / assign / transfer. */
  const applyAction = (c: Conversation) => {
    setConversation(c)
    setTimelineVersion((v) => v + 1)
    setActionError(null)
  }

  const take = async () => {
    setTaking(true)
    setActionError(null)
    try {
      applyAction(
        await unwrap(
          client.POST('/api/conversations/{conv_id}/take', { params: { path: { conv_id: conversationId } } }),
        ),
      )
    } catch (err) {
      setActionError(err)
      // Someone was faster: show who has it now.
      // (it may be out of sight now; the error above says why)
      void conversationQ.refetch()
    } finally {
      setTaking(false)
    }
  }

  const onAssigned = (c: Conversation) => {
    applyAction(c)
    setDialog(null)
  }

  const onTransferred = (c: Conversation) => {
    applyAction(c)
    setDialog(null)
    // An operator who handed it over no longer works on it: back to the list.
    if (!overseer && c.assignedTo?.id !== me?.id) navigate('/chat')
  }

  const closeDialog = useCallback(() => setDialog(null), [])
  const closeTemplates = useCallback(() => setTemplatesOpen(false), [])

  const cancelClose = useCallback(() => {
    setConfirmOpen(false)
    setCloseError(null)
  }, [])

  if (!data) {
    return (
      <section className="pane pane-empty">
        {loadError != null ? (
          <div className="inline-error" role="alert">
            {errorMessage(loadError, t)}
          </div>
        ) : (
          <div className="muted">{t('common.loading')}</div>
        )}
      </section>
    )
  }

  const c = data.conversation
  const label = contactLabel(c)
  const area = c.areaId !== null ? (areaName(c.areaId) ?? `#${c.areaId}`) : null
  const canTake = c.status === 'pending' && c.assignedTo === null
  // Operators may only hand over what is theirs or still in the queue (as the server enforces).
  const canTransfer =
    !closed && (overseer || c.assignedTo === null || c.assignedTo.id === me?.id)
  const hasOlder = data.messages.length < data.total

  const dayOf = (m: Message | undefined) =>
    m
      ? parseDate(m.createdAt)?.toLocaleDateString(lang, {
          weekday: 'short',
          day: 'numeric',
          month: 'short',
          year: 'numeric',
        })
      : undefined

  return (
    <section
      className={`pane ${dragOver ? 'pane-drop' : ''}`}
      aria-label={label}
      data-testid="message-pane"
      data-conversation-id={c.id}
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragOver(false)
      }}
      onDrop={onDrop}
    >
      <header className="pane-header">
        <Link to="/chat" className="back-link" data-testid="chat-back" aria-label={t('chat.back')}>
          ‹
        </Link>
        <Avatar name={c.contact.name} />
        <div className="pane-title">
          <div className="pane-name" data-testid="pane-contact">
            {label}
          </div>
          <div className="pane-sub muted">
            {c.contact.name ? `${contactAddress(c)} · ` : ''}
            <span data-testid="pane-assignee">
              {c.assignedTo
                ? t('chat.assignedTo', { name: c.assignedTo.name })
                : t('chat.unassigned')}
            </span>
            {' · '}
            <span data-testid="pane-area" data-area-id={c.areaId ?? ''}>
              {area ? t('chat.area', { name: area }) : t('chat.noArea')}
            </span>
          </div>
          <ConversationLabels conversation={c} onConversation={onConversation} />
        </div>
        <StatusChip status={c.status} testId="conversation-status" />
        <div className="pane-actions">
          {canTake && (
            <button
              type="button"
              className="btn btn-primary btn-sm"
              data-testid="take-conversation"
              disabled={taking}
              onClick={() => void take()}
            >
              {t('chat.take')}
            </button>
          )}
          {!closed && overseer && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="assign-conversation"
              onClick={() => setDialog('assign')}
            >
              {t('chat.assign')}
            </button>
          )}
          {canTransfer && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              data-testid="transfer-conversation"
              onClick={() => setDialog('transfer')}
            >
              {t('chat.transfer')}
            </button>
          )}
          <button
            type="button"
            className={`btn btn-ghost btn-sm ${showTimeline ? 'btn-toggled' : ''}`}
            data-testid="toggle-timeline"
            aria-pressed={showTimeline}
            onClick={() => setShowTimeline((v) => !v)}
          >
            {t('chat.timeline')}
          </button>
          {onTogglePanel && (
            <button
              type="button"
              className={`btn btn-ghost btn-sm ${panelOpen ? 'btn-toggled' : ''}`}
              data-testid="toggle-customer-panel"
              aria-pressed={panelOpen}
              title={t('contacts.panelShortcut')}
              onClick={onTogglePanel}
            >
              {t('contacts.panel')}
            </button>
          )}
          {!closed && (
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-danger-text"
              data-testid="close-conversation"
              onClick={() => setConfirmOpen(true)}
            >
              {t('chat.close')}
            </button>
          )}
        </div>
      </header>

      {actionError != null && (
        <div className="inline-error" role="alert" data-testid="action-error">
          <span>{errorMessage(actionError, t)}</span>
          <button type="button" className="btn btn-link" onClick={() => setActionError(null)}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      {showTimeline && <Timeline conversation={c} version={timelineVersion} />}

      <div
        className="messages"
        ref={scrollRef}
        data-testid="messages"
        onScroll={(e) => {
          const el = e.currentTarget
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX
        }}
      >
        {hasOlder && (
          <div className="centered pad-sm">
            <button
              type="button"
              className="btn btn-pill"
              data-testid="load-older"
              disabled={loadingOlder}
              onClick={loadOlder}
            >
              {loadingOlder ? t('common.loading') : t('chat.loadOlder')}
            </button>
          </div>
        )}
        {jumpMissed && (
          <div className="muted centered pad-sm small" role="status" data-testid="quote-missing">
            {t('media.quoteMissing')}
          </div>
        )}
        {bubbles.length === 0 && (
          <div className="muted centered pad">{t('chat.noMessages')}</div>
        )}
        {bubbles.map((m, i) => {
          const day = dayOf(m)
          const showDay = day !== undefined && day !== dayOf(bubbles[i - 1])
          const sender = senderLabel(m, t)
          const system = m.sender === 'system'
          const note = m.type === 'note'
          const failedWhy = m.direction === 'out' && m.status === 'failed' ? m.error : null
          const canReply = !closed && !note && !system
          return (
            <Fragment key={m.id}>
              {showDay && <div className="day-divider">{day}</div>}
              <div
                className={`msg-row msg-${m.direction} ${system ? 'msg-system' : ''} ${note ? 'msg-note' : ''}`}
              >
                {canReply && m.direction === 'out' && (
                  <ReplyAction onReply={() => startReply(m)} />
                )}
                <div className="msg-stack">
                  <div
                    className={`bubble ${m.status === 'failed' ? 'bubble-failed' : ''} ${note ? 'bubble-note' : ''}`}
                    data-testid="message"
                    data-message-id={m.id}
                    data-type={m.type}
                    data-direction={m.direction}
                    data-status={m.status}
                    data-sender={m.sender}
                  >
                    {note && (
                      <div className="note-label" data-testid="note-label">
                        {t('notes.label')}
                      </div>
                    )}
                    {sender && <div className={`msg-sender sender-${m.sender}`}>{sender}</div>}
                    {m.quoted && (
                      <QuoteBlock
                        quoted={m.quoted}
                        who={m.quoted.direction === 'out' ? t('media.quoteYou') : label}
                        onJump={(id) => void jumpTo(id)}
                      />
                    )}
                    <MessageContent
                      message={m}
                      onUpdated={replaceMessage}
                      rawId={me?.role === 'ADMIN' ? m.id : undefined}
                    />
                    {failedWhy && (
                      <div className="msg-failed-reason" data-testid="message-error">
                        {t('media.notSent', { reason: failedWhy })}
                      </div>
                    )}
                    <div className="msg-meta">
                      <time dateTime={m.createdAt} title={fullDateTime(m.createdAt, lang)}>
                        {clockTime(m.createdAt, lang)}
                      </time>
                      {m.direction === 'out' && !note && <DeliveryState status={m.status} error={m.error} />}
                    </div>
                  </div>
                  <Reactions
                    list={reactions.get(m.id) ?? []}
                    inLabel={label}
                    outLabel={t('media.reactionByUs')}
                  />
                </div>
                {canReply && m.direction !== 'out' && (
                  <ReplyAction onReply={() => startReply(m)} />
                )}
              </div>
            </Fragment>
          )
        })}
      </div>

      {sendError != null && (
        <div className="inline-error composer-error" role="alert" data-testid="send-error">
          {sendErrorMessage(sendError, t)}
        </div>
      )}
      {!closed && replyWindow.closed && !noteMode && (
        <WindowNotice onTemplates={() => setTemplatesOpen(true)} />
      )}
      {!closed && replyTo && !noteMode && (
        <ReplyPreview
          message={replyTo}
          who={replyTo.direction === 'in' ? label : t('media.quoteYou')}
          onCancel={() => setReplyTo(null)}
        />
      )}
      {!closed && attachment && !noteMode && (
        <AttachmentPreview file={attachment} onRemove={() => setAttachment(null)} />
      )}
      <form
        className={`composer ${noteMode ? 'composer-note' : ''} ${dragOver ? 'composer-drop' : ''}`}
        data-mode={noteMode ? 'note' : 'message'}
        onSubmit={(e) => {
          e.preventDefault()
          void send()
        }}
      >
        {suggestOpen && (
          <ul
            className="qr-suggestions"
            role="listbox"
            id={`qr-suggestions-${conversationId}`}
            data-testid="quick-reply-suggestions"
            aria-label={t('quickReplies.suggestions')}
          >
            {suggestions.map((r, i) => (
              <li
                key={r.id}
                id={`qr-option-${conversationId}-${r.id}`}
                role="option"
                aria-selected={i === activeSuggestion}
                className={`qr-option ${i === activeSuggestion ? 'qr-option-active' : ''}`}
                data-testid="quick-reply-option"
                data-shortcut={r.shortcut}
                onMouseDown={(e) => {
                  // keep the focus (and the caret) in the composer
                  e.preventDefault()
                  applyQuickReply(r)
                }}
                onMouseEnter={() => setSuggestIndex(i)}
              >
                <span className="qr-option-shortcut">/{r.shortcut}</span>
                <span className="qr-option-title">{r.title}</span>
                <span className="qr-option-body muted">{r.body}</span>
              </li>
            ))}
          </ul>
        )}
        <button
          type="button"
          className={`btn btn-ghost btn-sm note-toggle ${noteMode ? 'btn-toggled' : ''}`}
          data-testid="note-toggle"
          aria-pressed={noteMode}
          disabled={closed}
          title={t('notes.toggleHint')}
          onClick={() => {
            setNoteMode((v) => !v)
            inputRef.current?.focus()
          }}
        >
          {t('notes.toggle')}
        </button>
        {!noteMode && <AttachButton disabled={closed || sending} onFile={attach} />}
        <textarea
          ref={inputRef}
          data-testid="composer-input"
          rows={1}
          value={text}
          disabled={closed}
          placeholder={
            closed
              ? t('chat.closedNotice')
              : noteMode
                ? t('notes.placeholder')
                : attachment
                  ? t('media.captionPlaceholder')
                  : t('chat.composerPlaceholder')
          }
          aria-label={noteMode ? t('notes.placeholder') : t('chat.composerPlaceholder')}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={suggestOpen}
          aria-controls={suggestOpen ? `qr-suggestions-${conversationId}` : undefined}
          aria-activedescendant={
            suggestOpen
              ? `qr-option-${conversationId}-${suggestions[activeSuggestion]?.id ?? ''}`
              : undefined
          }
          onChange={(e) => {
            setText(e.target.value)
            updateSlash(e.target.value, e.target.selectionStart)
          }}
          onSelect={(e) =>
            updateSlash(e.currentTarget.value, e.currentTarget.selectionStart)
          }
          onBlur={() => setSlash(null)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <button
          type="submit"
          className="btn btn-primary btn-send"
          data-testid="composer-send"
          disabled={closed || sending || (!text.trim() && (noteMode || !attachment))}
          title={noteMode ? t('notes.add') : t('chat.send')}
        >
          {noteMode ? t('notes.add') : t('chat.send')}
        </button>
      </form>

      {templatesOpen && !closed && (
        <TemplatePicker
          channelId={c.channelId}
          conversationId={c.id}
          onSent={onTemplateSent}
          onClose={closeTemplates}
        />
      )}
      {dialog === 'assign' && (
        <AssignDialog conversation={c} onDone={onAssigned} onClose={closeDialog} />
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          conversation={c}
          currentUserId={me?.id}
          onDone={onTransferred}
          onClose={closeDialog}
        />
      )}
      {confirmOpen && (
        <ConfirmDialog
          title={t('chat.closeTitle')}
          message={t('chat.closeConfirm', { name: label })}
          confirmLabel={t('chat.closeConfirmButton')}
          confirmTestId="confirm-close"
          busy={closing}
          error={closeError != null ? errorMessage(closeError, t) : null}
          onConfirm={() => void closeConversation()}
          onCancel={cancelClose}
        />
      )}
    </section>
  )
}
