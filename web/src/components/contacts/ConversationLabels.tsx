import { useMutation, useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { labelsQuery } from '../../api/queries'
import type { Conversation, Label } from '../../api/types'
import { errorMessage } from '../../util'

/** A label as a coloured chip. */
export function LabelChip({ label, onRemove }: { label: Pick<Label, 'name' | 'color'>; onRemove?: () => void }) {
  const { t } = useTranslation()
  return (
    <span
      className="label-chip"
      data-testid="label-chip"
      style={{ borderColor: label.color, color: label.color }}
    >
      <span className="label-dot" style={{ background: label.color }} aria-hidden="true" />
      {label.name}
      {onRemove && (
        <button
          type="button"
          className="tag-remove"
          aria-label={t('labels.remove', { name: label.name })}
          onClick={onRemove}
        >
          ×
        </button>
      )}
    </span>
  )
}

/** The conversation's labels: chips to remove, a menu to add (the answer and the
 * `conversation:update` event both refresh every view of it). */
export default function ConversationLabels({
  conversation: c,
  onConversation,
}: {
  conversation: Conversation
  onConversation: (c: Conversation) => void
}) {
  const { t } = useTranslation()
  const all = useQuery(labelsQuery).data ?? []
  const current = c.labels ?? []
  const set = useMutation({
    mutationFn: (labelIds: number[]) =>
      unwrap(
        client.PUT('/api/conversations/{conv_id}/labels', {
          params: { path: { conv_id: c.id } },
          body: { labelIds },
        }),
      ),
    onSuccess: onConversation,
  })
  const ids = current.map((l) => l.id)
  const addable = all.filter((l) => !ids.includes(l.id))
  return (
    <div className="conversation-labels" data-testid="conversation-labels">
      {current.map((l) => (
        <LabelChip key={l.id} label={l} onRemove={() => set.mutate(ids.filter((i) => i !== l.id))} />
      ))}
      {addable.length > 0 && (
        <select
          className="label-add"
          data-testid="label-add"
          aria-label={t('labels.add')}
          value=""
          onChange={(e) => {
            if (e.target.value) set.mutate([...ids, Number(e.target.value)])
          }}
        >
          <option value="">{t('labels.add')}</option>
          {addable.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      )}
      {set.error != null && (
        <span className="form-error small" role="alert">
          {errorMessage(set.error, t)}
        </span>
      )}
    </div>
  )
}
