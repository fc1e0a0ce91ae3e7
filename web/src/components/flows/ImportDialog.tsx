import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { parseFlowDocument } from '../../flowTree'
import type { Channel, Flow } from '../../api/types'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import { ChannelSelect } from './fields'

/** Import a flow from an export file or pasted JSON: it becomes a new flow's draft. */
export default function ImportDialog({
  channels,
  onClose,
  onImported,
}: {
  channels: Channel[] | null
  onClose: () => void
  onImported: (flow: Flow) => void
}) {
  const { t } = useTranslation()
  const [text, setText] = useState('')
  const [channelId, setChannelId] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const readFile = (file: File | undefined) => {
    if (!file) return
    setError(null)
    file.text().then(setText, () => setError(t('flows.importUnreadable')))
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    const doc = parseFlowDocument(text)
    if (doc === 'json') return setError(t('flows.importNotJson'))
    if (doc === 'format') return setError(t('flows.importNotFlow'))
    setBusy(true)
    setError(null)
    try {
      // `exportedAt` and `version` describe the source: the server takes them as they are.
      onImported(await unwrap(client.POST('/api/flows/import', { body: { ...doc, channelId } })))
    } catch (err) {
      setError(errorMessage(err, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal title={t('flows.importTitle')} testId="flow-import-dialog" wide onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>{t('flows.importHelp')}</p>
        <label className="field">
          <span>{t('flows.importFile')}</span>
          <input
            type="file"
            accept="application/json,.json"
            data-testid="flow-import-file"
            onChange={(e) => readFile(e.target.files?.[0])}
          />
        </label>
        <label className="field">
          <span>{t('flows.importPaste')}</span>
          <textarea
            className="field-textarea flow-import-text"
            data-testid="flow-import-text"
            rows={8}
            spellCheck={false}
            value={text}
            placeholder='{"format": "helpline.flow", …}'
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('flows.channel')}</span>
          <ChannelSelect channels={channels} value={channelId} onChange={setChannelId} testId="flow-import-channel" />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="flow-import-error">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="flow-import-submit"
            disabled={busy || !text.trim()}
          >
            {t('flows.importSubmit')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
