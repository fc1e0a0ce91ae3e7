import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { areaMembersQuery } from '../api/queries'
import { useAreas } from '../areas'
import type { Conversation, TransferTarget } from '../api/types'
import { errorMessage } from '../util'
import Modal from './Modal'

type Mode = 'area' | 'user'

/**
 * Hand the conversation to another area's queue, or to an operator (picked among
 * the members of an area, so that every role can use it).
 */
export default function TransferDialog({
  conversation,
  currentUserId,
  onDone,
  onClose,
}: {
  conversation: Conversation
  currentUserId: number | undefined
  onDone: (c: Conversation) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const { areas } = useAreas()
  const activeAreas = (areas ?? []).filter((a) => a.active)

  const [mode, setMode] = useState<Mode>('area')
  // '' = not chosen yet; the effective value falls back to a sensible default below.
  const [areaChoice, setAreaChoice] = useState('')
  const [userId, setUserId] = useState('')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)

  // The server only hands a conversation that has an area to members of that area:
  // to reach someone elsewhere, transfer it to their area instead.
  const lockedArea = mode === 'user' && conversation.areaId !== null
  // To an area: another one than the current by default. To an operator: the current area.
  const defaultArea =
    mode === 'area'
      ? activeAreas.find((a) => a.id !== conversation.areaId)
      : (activeAreas.find((a) => a.id === conversation.areaId) ?? activeAreas[0])
  const areaId = lockedArea
    ? conversation.areaId
    : areaChoice
      ? Number(areaChoice)
      : (defaultArea?.id ?? null)
  const areaOptions =
    lockedArea && !activeAreas.some((a) => a.id === conversation.areaId)
      ? (areas ?? []).filter((a) => a.id === conversation.areaId)
      : lockedArea
        ? activeAreas.filter((a) => a.id === conversation.areaId)
        : activeAreas

  const membersQ = useQuery({
    ...areaMembersQuery(areaId ?? 0),
    enabled: mode === 'user' && areaId !== null,
  })
  const membersError = mode === 'user' && areaId !== null ? membersQ.error : null
  const memberList =
    mode === 'user' && areaId !== null && membersQ.data
      ? [...membersQ.data]
          .sort((a, b) => a.name.localeCompare(b.name))
          .filter((m) => m.id !== currentUserId && m.id !== conversation.assignedTo?.id)
      : null

  const target: TransferTarget | null =
    mode === 'area'
      ? areaId !== null && areaId !== conversation.areaId
        ? { areaId }
        : null
      : userId && memberList?.some((m) => String(m.id) === userId)
        ? { userId: Number(userId) }
        : null

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!target || busy) return
    setBusy(true)
    setError(null)
    const trimmed = note.trim()
    try {
      onDone(
        await unwrap(
          client.POST('/api/conversations/{conv_id}/transfer', {
            params: { path: { conv_id: conversation.id } },
            body: trimmed ? { ...target, note: trimmed } : target,
          }),
        ),
      )
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  const switchMode = (m: Mode) => {
    setMode(m)
    setAreaChoice('')
    setUserId('')
    setError(null)
  }

  return (
    <Modal title={t('transfer.title')} testId="transfer-dialog" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div className="segmented" role="radiogroup" aria-label={t('transfer.targetType')}>
          <label className={mode === 'area' ? 'segmented-on' : ''}>
            <input
              type="radio"
              name="transfer-mode"
              data-testid="transfer-target-area"
              checked={mode === 'area'}
              onChange={() => switchMode('area')}
            />
            {t('transfer.toArea')}
          </label>
          <label className={mode === 'user' ? 'segmented-on' : ''}>
            <input
              type="radio"
              name="transfer-mode"
              data-testid="transfer-target-user"
              checked={mode === 'user'}
              onChange={() => switchMode('user')}
            />
            {t('transfer.toUser')}
          </label>
        </div>

        <label className="field">
          <span>{mode === 'area' ? t('transfer.area') : t('transfer.operatorArea')}</span>
          <select
            data-testid="transfer-area-select"
            value={areaId ?? ''}
            disabled={lockedArea}
            onChange={(e) => {
              setAreaChoice(e.target.value)
              setUserId('')
            }}
          >
            {areaId === null && <option value="">{t('transfer.noAreas')}</option>}
            {areaOptions.map((a) => (
              <option key={a.id} value={a.id} disabled={mode === 'area' && a.id === conversation.areaId}>
                {a.name}
                {a.id === conversation.areaId ? ` (${t('transfer.currentArea')})` : ''}
              </option>
            ))}
          </select>
          {lockedArea && <small className="muted">{t('transfer.sameAreaHint')}</small>}
        </label>

        {mode === 'user' && (
          <label className="field">
            <span>{t('transfer.operator')}</span>
            <select
              data-testid="transfer-user-select"
              value={userId}
              disabled={memberList === null}
              onChange={(e) => setUserId(e.target.value)}
            >
              <option value="">
                {memberList === null
                  ? t('common.loading')
                  : memberList.length === 0
                    ? t('transfer.noOperators')
                    : t('transfer.chooseOperator')}
              </option>
              {(memberList ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} · {t(`roles.${m.role}`, m.role)}
                </option>
              ))}
            </select>
          </label>
        )}

        <label className="field">
          <span>{t('transfer.note')}</span>
          <textarea
            className="field-textarea"
            data-testid="transfer-note"
            rows={2}
            maxLength={1000}
            value={note}
            placeholder={t('transfer.notePlaceholder')}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>

        {(error ?? membersError) != null && (
          <p className="form-error" role="alert" data-testid="transfer-error">
            {errorMessage(error ?? membersError, t)}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="transfer-confirm"
            disabled={busy || target === null}
          >
            {t('transfer.confirm')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
