import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../../api/client'
import { useAreas } from '../../areas'
import { fieldLabel, fieldsOf, formErrorMessage, payloadOf, providerLabel, withProvider } from '../../channels'
import type { ChannelForm } from '../../channels'
import type { Channel, ChannelProvider } from '../../api/types'
import InlineError from '../InlineError'
import Modal from '../Modal'

interface Props {
  initial: ChannelForm
  providers: ChannelProvider[] | null
  providersError: unknown
  onReloadProviders: () => void
  /** the stored config of the channel being edited (to list keys of an unknown provider) */
  storedConfig?: Record<string, unknown>
  onSaved: (channel: Channel) => void
  onClose: () => void
}

/** Create (pick a provider, then its settings) or edit a channel. */
export default function ChannelFormDialog(props: Props) {
  const { t } = useTranslation()
  const { areas } = useAreas()
  const [form, setForm] = useState<ChannelForm>(props.initial)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const isNew = form.id === null
  const provider = props.providers?.find((p) => p.name === form.provider)
  const fields = form.provider ? fieldsOf(provider, props.storedConfig ?? form.config) : []
  const label = (key: string) => fieldLabel(key, t)
  // Inactive areas stay offered only to a channel that already routes to one.
  const selectableAreas = (areas ?? []).filter((a) => a.active || a.id === form.defaultAreaId)

  const setConfig = (key: string, value: string) =>
    setForm((f) => ({ ...f, config: { ...f.config, [key]: value } }))

  const pick = (p: ChannelProvider) => {
    setError(null)
    setForm((f) => withProvider(f, p))
  }

  const save = async (e: FormEvent) => {
    e.preventDefault()
    if (saving || !form.provider) return
    setSaving(true)
    setError(null)
    try {
      const body = payloadOf(form, provider)
      const saved = isNew
        ? await unwrap(client.POST('/api/channels', { body: { ...body, name: body.name ?? '' } }))
        : await unwrap(
            client.PATCH('/api/channels/{channel_id}', {
              params: { path: { channel_id: form.id ?? 0 } },
              body,
            }),
          )
      props.onSaved(saved)
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      title={isNew ? t('channels.newTitle') : t('channels.editTitle', { name: props.initial.name })}
      testId="channel-form"
      wide
      onClose={props.onClose}
    >
      <form onSubmit={(e) => void save(e)}>
        {isNew && (
          <fieldset className="ch-provider-picker" data-testid="channel-provider-picker">
            <legend>{t('channels.pickProvider')}</legend>
            <InlineError error={props.providersError} onRetry={props.onReloadProviders} />
            {props.providers === null && props.providersError == null && (
              <p className="muted">{t('common.loading')}</p>
            )}
            <div className="ch-provider-options">
              {(props.providers ?? []).map((p) => (
                <label
                  key={p.name}
                  className={`ch-provider-option ${form.provider === p.name ? 'segmented-on' : ''}`}
                  data-testid="channel-provider-option"
                  data-provider={p.name}
                >
                  <input
                    type="radio"
                    name="channel-provider"
                    value={p.name}
                    checked={form.provider === p.name}
                    onChange={() => pick(p)}
                  />
                  <span className="ch-provider-text">
                    <strong>{providerLabel(p.name, t, p.label)}</strong>
                    <span className="muted small">
                      {t(`channels.providerHint.${p.name}`, {
                        defaultValue: p.session ? t('channels.providerHint.session') : p.name,
                      })}
                    </span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        )}

        {form.provider && (
          <>
            <div className="form-grid">
              <label className="field">
                <span>{t('channels.name')}</span>
                <input
                  data-testid="channel-form-name"
                  value={form.name}
                  required
                  maxLength={80}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('channels.phone')}</span>
                <input
                  data-testid="channel-form-phone"
                  value={form.phone}
                  maxLength={32}
                  inputMode="tel"
                  placeholder="+5491100000000"
                  onChange={(e) => setForm({ ...form, phone: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('channels.defaultArea')}</span>
                <select
                  data-testid="channel-form-area"
                  value={form.defaultAreaId ?? ''}
                  onChange={(e) =>
                    setForm({ ...form, defaultAreaId: e.target.value ? Number(e.target.value) : null })
                  }
                >
                  <option value="">{t('channels.noArea')}</option>
                  {selectableAreas.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
              </label>
              {isNew && (
                <label className="field field-check">
                  <input
                    type="checkbox"
                    data-testid="channel-form-default"
                    checked={form.isDefault}
                    onChange={(e) => setForm({ ...form, isDefault: e.target.checked })}
                  />
                  <span title={t('channels.defaultHint')}>{t('channels.isDefault')}</span>
                </label>
              )}
            </div>

            <div className="form-grid">
              <label className="field">
                <span title={t('channels.phoneRegionHelp')}>{t('channels.phoneRegion')}</span>
                <input
                  data-testid="channel-form-phone-region"
                  value={form.phoneRegion}
                  maxLength={2}
                  placeholder={t('channels.phoneRegionPlaceholder')}
                  onChange={(e) => setForm({ ...form, phoneRegion: e.target.value })}
                />
              </label>
              <label className="field field-check">
                <input
                  type="checkbox"
                  data-testid="channel-form-known-only"
                  checked={form.knownContactsOnly}
                  onChange={(e) => setForm({ ...form, knownContactsOnly: e.target.checked })}
                />
                <span title={t('channels.knownOnlyHelp')}>{t('channels.knownOnly')}</span>
              </label>
              {form.knownContactsOnly && (
                <label className="field">
                  <span>{t('channels.unknownReply')}</span>
                  <input
                    data-testid="channel-form-unknown-reply"
                    value={form.unknownReply}
                    maxLength={1000}
                    onChange={(e) => setForm({ ...form, unknownReply: e.target.value })}
                  />
                </label>
              )}
            </div>

            <fieldset className="ch-config-fields" data-testid="channel-config-fields">
              <legend>
                {t('channels.config')}
                {provider ? ` · ${providerLabel(provider.name, t, provider.label)}` : ''}
              </legend>
              {fields.length === 0 ? (
                <p className="muted">{t('channels.configNone')}</p>
              ) : (
                <div className="form-grid">
                  {fields.map((f) => {
                    const masked = form.masked[f.key]
                    // Editing: a stored secret is kept unless something is typed.
                    const keeps = !isNew && f.secret && masked !== undefined
                    return (
                      <label className="field" key={f.key}>
                        <span>
                          {label(f.key)}
                          {f.required && !keeps && <span aria-hidden="true"> *</span>}
                        </span>
                        <input
                          data-testid="channel-config-input"
                          data-key={f.key}
                          data-secret={f.secret}
                          type={f.secret ? 'password' : 'text'}
                          autoComplete={f.secret ? 'new-password' : 'off'}
                          spellCheck={false}
                          required={f.required && !keeps}
                          value={form.config[f.key] ?? ''}
                          placeholder={keeps ? masked : (f.default ?? undefined)}
                          onChange={(e) => setConfig(f.key, e.target.value)}
                        />
                        {keeps && (
                          <span className="field-hint muted" data-testid="channel-secret-kept" data-key={f.key}>
                            {t('channels.secretKeep', { masked })}
                          </span>
                        )}
                      </label>
                    )
                  })}
                </div>
              )}
            </fieldset>
          </>
        )}

        {error != null && (
          <p className="form-error" role="alert" data-testid="channel-form-error">
            {formErrorMessage(error, t)}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn btn-ghost" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="channel-save"
            disabled={saving || !form.provider || !form.name.trim()}
          >
            {saving ? t('common.saving') : isNew ? t('channels.create') : t('common.save')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
