import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useQuery } from '@tanstack/react-query'
import { client, unwrap } from '../../api/client'
import { channelTemplatesQuery } from '../../api/queries'
import type { Message, MessageTemplate } from '../../api/types'
import { errorMessage } from '../../util'
import Modal from '../Modal'
import './media.css'

/** The template's text with `{{1}}`, `{{2}}`… filled (blank ones stay visible). */
function render(body: string, params: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => {
    const v = params[Number(n) - 1]
    return v && v.trim() ? v : whole
  })
}

/**
 * Outside WhatsApp's 24-hour window only approved templates may be sent: pick one of the
 * channel's, fill its parameters, send it.
 */
export default function TemplatePicker({
  channelId,
  conversationId,
  onSent,
  onClose,
}: {
  channelId: number
  conversationId: number
  onSent: (m: Message) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const templatesQ = useQuery(channelTemplatesQuery(channelId))
  const templates = templatesQ.data ?? null
  const loadError = templatesQ.error
  const [chosenId, setChosenId] = useState<number | null>(null)
  const [params, setParams] = useState<string[]>([])
  const [sending, setSending] = useState(false)
  const [sendError, setSendError] = useState<unknown>(null)

  const usable = (templates ?? []).filter((tp) => !tp.status || tp.status.toUpperCase() === 'APPROVED')
  const chosen = usable.find((tp) => tp.id === chosenId) ?? null
  const missing = chosen ? params.slice(0, chosen.paramCount).filter((p) => !p.trim()).length : 0
  const complete = chosen !== null && missing === 0 && params.length >= chosen.paramCount

  const choose = (tp: MessageTemplate) => {
    setChosenId(tp.id)
    setParams(Array.from({ length: tp.paramCount }, () => ''))
    setSendError(null)
  }

  const send = async () => {
    if (!chosen || !complete || sending) return
    setSending(true)
    setSendError(null)
    try {
      const m = await unwrap(
        client.POST('/api/conversations/{conv_id}/template', {
          params: { path: { conv_id: conversationId } },
          body: {
            name: chosen.name,
            language: chosen.language,
            params: params.slice(0, chosen.paramCount).map((p) => p.trim()),
          },
        }),
      )
      onSent(m)
    } catch (err) {
      setSendError(err)
    } finally {
      setSending(false)
    }
  }

  return (
    <Modal title={t('media.templates.title')} testId="template-picker" wide onClose={onClose}>
      <p>{t('media.templates.help')}</p>
      {loadError != null && (
        <p className="form-error" role="alert">
          {errorMessage(loadError, t)}
        </p>
      )}
      {templates === null && loadError == null && <p>{t('common.loading')}</p>}
      {templates !== null && usable.length === 0 && (
        <p data-testid="templates-empty">{t('media.templates.none')}</p>
      )}
      {usable.length > 0 && (
        <ul className="template-list" role="listbox" aria-label={t('media.templates.title')}>
          {usable.map((tp) => (
            <li key={tp.id}>
              <button
                type="button"
                role="option"
                aria-selected={tp.id === chosenId}
                className={`template-option ${tp.id === chosenId ? 'template-option-active' : ''}`}
                data-testid="template-option"
                data-name={tp.name}
                onClick={() => choose(tp)}
              >
                <span className="template-name">
                  {tp.name} <span className="muted small">· {tp.language}</span>
                </span>
                <span className="template-body muted small">{tp.body}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <form
          className="template-form"
          onSubmit={(e) => {
            e.preventDefault()
            void send()
          }}
        >
          {params.map((p, i) => (
            <label className="field" key={i}>
              <span>{t('media.templates.param', { n: i + 1 })}</span>
              <input
                data-testid="template-param"
                value={p}
                onChange={(e) => {
                  const v = e.target.value
                  setParams((cur) => cur.map((x, j) => (j === i ? v : x)))
                }}
              />
            </label>
          ))}
          <div className="template-preview" data-testid="template-preview">
            {render(chosen.body, params)}
          </div>
          {sendError != null && (
            <p className="form-error" role="alert" data-testid="template-error">
              {errorMessage(sendError, t)}
            </p>
          )}
          <div className="modal-actions">
            <button type="button" className="btn btn-ghost" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="template-send"
              disabled={!complete || sending}
            >
              {sending ? t('media.sending') : t('media.templates.send')}
            </button>
          </div>
        </form>
      )}
      {!chosen && (
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </Modal>
  )
}
