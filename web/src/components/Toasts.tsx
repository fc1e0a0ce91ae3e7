import { useCallback, useEffect, useState } from 'react'
import { Link } from 'react-router-dom'
import { useTranslation } from 'react-i18next'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import { useSocketEvent } from '../socket'
import { isOverseer } from '../api/types'
import type { NoteMentionEvent, PendingAssignmentEvent, TargetBreachedEvent } from '../api/types'
import { contactLabel } from '../util'

type Toast =
  | { key: string; kind: 'mention'; by: string; contact: string; conversationId: number }
  | { key: string; kind: 'pending'; areaId: number | null; conversationId: number }
  | {
      key: string
      kind: 'target'
      target: TargetBreachedEvent['kind']
      contact: string
      conversationId: number
    }

const TOAST_MS = 15_000
const TEST_IDS: Record<Toast['kind'], string> = {
  mention: 'mention-toast',
  pending: 'pending-assignment-toast',
  target: 'target-breached-toast',
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (key: string) => void }) {
  const { t } = useTranslation()
  const { nameOf } = useAreas()
  const { key } = toast

  useEffect(() => {
    const id = window.setTimeout(() => onDismiss(key), TOAST_MS)
    return () => window.clearTimeout(id)
  }, [key, onDismiss])

  const text =
    toast.kind === 'mention'
      ? t('notes.mentioned', { name: toast.by, contact: toast.contact })
      : toast.kind === 'target'
        ? t(`targets.breached.${toast.target}`, { contact: toast.contact })
        : t('inbox.pendingAssignment', {
            area: nameOf(toast.areaId) ?? (toast.areaId !== null ? `#${toast.areaId}` : '—'),
          })

  return (
    <div
      className={`toast toast-${toast.kind}`}
      role="status"
      data-testid={TEST_IDS[toast.kind]}
      data-conversation-id={toast.conversationId}
      data-target-kind={toast.kind === 'target' ? toast.target : undefined}
    >
      <span className="toast-text">{text}</span>
      <Link
        to={`/chat/${toast.conversationId}`}
        className="btn btn-link"
        data-testid="toast-open"
        onClick={() => onDismiss(key)}
      >
        {t('notes.open')}
      </Link>
      <button
        type="button"
        className="btn btn-link toast-close"
        aria-label={t('common.dismiss')}
        onClick={() => onDismiss(key)}
      >
        ×
      </button>
    </div>
  )
}

/**
 * Live notifications: @mentions in private notes, and (for overseers) unassignable
 * conversations and missed service targets.
 */
export default function Toasts() {
  const { user } = useAuth()
  const [toasts, setToasts] = useState<Toast[]>([])
  const overseer = isOverseer(user?.role)

  const dismiss = useCallback((key: string) => {
    setToasts((list) => list.filter((x) => x.key !== key))
  }, [])
  const push = (toast: Toast) =>
    setToasts((list) => [...list.filter((x) => x.key !== toast.key), toast].slice(-4))

  useSocketEvent<NoteMentionEvent>('note:mention', (ev) => {
    if (!ev?.conversation) return
    push({
      key: `mention:${ev.message?.id ?? Date.now()}`,
      kind: 'mention',
      by: ev.by?.name ?? '',
      contact: contactLabel(ev.conversation),
      conversationId: ev.conversation.id,
    })
  })

  useSocketEvent<PendingAssignmentEvent>('conversation:pending_assignment', (ev) => {
    if (!ev || !overseer) return
    push({
      key: `pending:${ev.conversationId}`,
      kind: 'pending',
      areaId: ev.areaId ?? null,
      conversationId: ev.conversationId,
    })
  })

  // Sent to admins and the area's supervisors only; an agent's console never shows one.
  useSocketEvent<TargetBreachedEvent>('target:breached', (ev) => {
    if (!ev || !overseer) return
    push({
      key: `target:${ev.conversationId}:${ev.kind}`,
      kind: 'target',
      target: ev.kind === 'resolution' ? 'resolution' : 'first_response',
      contact: ev.contactName || `#${ev.conversationId}`,
      conversationId: ev.conversationId,
    })
  })

  if (toasts.length === 0) return null
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <ToastItem key={toast.key} toast={toast} onDismiss={dismiss} />
      ))}
    </div>
  )
}
