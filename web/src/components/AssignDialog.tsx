import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../api'
import { useAreas } from '../areas'
import type { Conversation, Role } from '../types'
import { errorMessage } from '../util'
import Modal from './Modal'

interface Candidate {
  id: number
  name: string
  role: Role
}

/**
 * ADMIN/SUPERVISOR: give the conversation to a member of its area (or to any
 * active user when it has no area).
 */
export default function AssignDialog({
  conversation,
  onDone,
  onClose,
}: {
  conversation: Conversation
  onDone: (c: Conversation) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const { nameOf } = useAreas()
  const areaId = conversation.areaId
  const [candidates, setCandidates] = useState<Candidate[] | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [userId, setUserId] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  useEffect(() => {
    const ctrl = new AbortController()
    const load: Promise<Candidate[]> =
      areaId !== null
        ? api.areaMembers(areaId, ctrl.signal)
        : api
            .users(ctrl.signal)
            .then((list) =>
              list
                .filter((u) => u.active)
                .map((u) => ({ id: u.id, name: u.name || u.username, role: u.role })),
            )
    load
      .then((list) => setCandidates([...list].sort((a, b) => a.name.localeCompare(b.name))))
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError(err)
      })
    return () => ctrl.abort()
  }, [areaId])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const id = Number(userId)
    if (!id || busy) return
    setBusy(true)
    setError(null)
    try {
      onDone(await api.assignConversation(conversation.id, id))
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  const area = nameOf(areaId)
  return (
    <Modal title={t('assign.title')} testId="assign-dialog" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>{area ? t('assign.helpArea', { area }) : t('assign.helpAll')}</p>
        <label className="field">
          <span>{t('assign.user')}</span>
          <select
            data-testid="assign-user-select"
            value={userId}
            disabled={candidates === null}
            onChange={(e) => setUserId(e.target.value)}
          >
            <option value="">
              {candidates === null ? t('common.loading') : t('assign.choose')}
            </option>
            {(candidates ?? []).map((c) => (
              <option key={c.id} value={c.id} disabled={c.id === conversation.assignedTo?.id}>
                {c.name} · {t(`roles.${c.role}`, c.role)}
              </option>
            ))}
          </select>
        </label>
        {candidates !== null && candidates.length === 0 && (
          <p className="muted">{t('assign.noCandidates')}</p>
        )}
        {(error ?? loadError) != null && (
          <p className="form-error" role="alert" data-testid="assign-error">
            {errorMessage(error ?? loadError, t)}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="assign-confirm"
            disabled={busy || !userId}
          >
            {t('assign.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
