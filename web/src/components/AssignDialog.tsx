import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { areaMembersQuery, usersQuery } from '../api/queries'
import { useAreas } from '../areas'
import type { Conversation, Role } from '../api/types'
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
  const [userId, setUserId] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  // The area's members, or every active user when it has no area.
  const membersQ = useQuery({ ...areaMembersQuery(areaId ?? 0), enabled: areaId !== null })
  const usersQ = useQuery({ ...usersQuery, enabled: areaId === null })
  const loaded: Candidate[] | undefined =
    areaId !== null
      ? membersQ.data?.map((m) => ({ id: m.id, name: m.name, role: m.role as Role }))
      : usersQ.data
          ?.filter((u) => u.active)
          .map((u) => ({ id: u.id, name: u.name || u.username, role: u.role }))
  const candidates = loaded ? [...loaded].sort((a, b) => a.name.localeCompare(b.name)) : null
  const loadError = areaId !== null ? membersQ.error : usersQ.error

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const id = Number(userId)
    if (!id || busy) return
    setBusy(true)
    setError(null)
    try {
      onDone(
        await unwrap(
          client.POST('/api/conversations/{conv_id}/assign', {
            params: { path: { conv_id: conversation.id } },
            body: { userId: id },
          }),
        ),
      )
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
