import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ContactCard, LocationPayload, MediaKind } from '../../api/types'
import './media.css'

/** What the simulated customer is about to send besides text. */
export type SimExtra =
  | { kind: 'file'; mediaKind: MediaKind; voice: boolean; file: File }
  | { kind: 'location'; location: LocationPayload }
  | { kind: 'contact'; contact: ContactCard }

interface FileChoice {
  /** also the label key (media.kind.*) and the test id */
  key: string
  kind: MediaKind
  accept: string
  voice?: boolean
}

const FILE_CHOICES: FileChoice[] = [
  { key: 'image', kind: 'image', accept: 'image/*' },
  { key: 'video', kind: 'video', accept: 'video/*' },
  { key: 'audio', kind: 'audio', accept: 'audio/*' },
  { key: 'voice', kind: 'audio', accept: 'audio/*', voice: true },
  { key: 'document', kind: 'document', accept: '*/*' },
  { key: 'sticker', kind: 'sticker', accept: 'image/webp' },
]

/** The phone's "+" menu: a photo, video, audio, document or sticker, a location, a contact. */
export function SimAttachMenu({ onPick }: { onPick: (extra: SimExtra) => void }) {
  const { t } = useTranslation()
  const input = useRef<HTMLInputElement>(null)
  const [choice, setChoice] = useState<FileChoice | null>(null)
  const [form, setForm] = useState<'location' | 'contact' | null>(null)

  const pickFile = (c: FileChoice) => {
    setChoice(c)
    const el = input.current
    if (!el) return
    el.accept = c.accept
    el.click()
  }

  if (form === 'location') {
    return (
      <LocationForm
        onCancel={() => setForm(null)}
        onDone={(location) => onPick({ kind: 'location', location })}
      />
    )
  }
  if (form === 'contact') {
    return (
      <ContactForm
        onCancel={() => setForm(null)}
        onDone={(contact) => onPick({ kind: 'contact', contact })}
      />
    )
  }
  return (
    <div className="sim-attach-menu" data-testid="sim-attach-menu">
      {FILE_CHOICES.map((c) => (
        <button key={c.key} type="button" data-testid={`sim-attach-${c.key}`} onClick={() => pickFile(c)}>
          {t(`media.kind.${c.key}`)}
        </button>
      ))}
      <button type="button" data-testid="sim-attach-location" onClick={() => setForm('location')}>
        {t('media.location')}
      </button>
      <button type="button" data-testid="sim-attach-contact" onClick={() => setForm('contact')}>
        {t('media.kind.contacts')}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="sim-file"
        data-kind={choice?.key}
        onChange={(e) => {
          const file = e.target.files?.[0]
          e.target.value = ''
          if (file && choice) {
            onPick({ kind: 'file', mediaKind: choice.kind, voice: !!choice.voice, file })
          }
        }}
      />
    </div>
  )
}

function LocationForm({
  onDone,
  onCancel,
}: {
  onDone: (loc: LocationPayload) => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  // The Obelisco of Buenos Aires: somewhere plausible to start from.
  const [lat, setLat] = useState('-34.603722')
  const [lng, setLng] = useState('-58.381592')
  const [name, setName] = useState('')
  const [address, setAddress] = useState('')
  const latitude = Number(lat)
  const longitude = Number(lng)
  const valid =
    lat.trim() !== '' &&
    lng.trim() !== '' &&
    Number.isFinite(latitude) &&
    Number.isFinite(longitude) &&
    Math.abs(latitude) <= 90 &&
    Math.abs(longitude) <= 180
  return (
    <form
      className="sim-form"
      data-testid="sim-location-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (valid)
          onDone({ latitude, longitude, name: name.trim() || null, address: address.trim() || null })
      }}
    >
      <div className="sim-form-row">
        <label className="field">
          <span>{t('media.sim.latitude')}</span>
          <input data-testid="sim-lat" inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('media.sim.longitude')}</span>
          <input data-testid="sim-lng" inputMode="decimal" value={lng} onChange={(e) => setLng(e.target.value)} />
        </label>
      </div>
      <label className="field">
        <span>{t('media.sim.placeName')}</span>
        <input data-testid="sim-place" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('media.sim.address')}</span>
        <input data-testid="sim-address" value={address} onChange={(e) => setAddress(e.target.value)} />
      </label>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary btn-sm" data-testid="sim-location-send" disabled={!valid}>
          {t('media.sim.share')}
        </button>
      </div>
    </form>
  )
}

function ContactForm({
  onDone,
  onCancel,
}: {
  onDone: (c: ContactCard) => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const [name, setName] = useState('')
  const [phone, setPhone] = useState('')
  const valid = name.trim() !== '' && phone.trim() !== ''
  return (
    <form
      className="sim-form"
      data-testid="sim-contact-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (valid) onDone({ name: name.trim(), phones: [phone.trim()] })
      }}
    >
      <label className="field">
        <span>{t('media.sim.contactName')}</span>
        <input data-testid="sim-contact-name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('media.sim.contactPhone')}</span>
        <input
          data-testid="sim-contact-phone"
          inputMode="tel"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
        />
      </label>
      <div className="modal-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary btn-sm" data-testid="sim-contact-send" disabled={!valid}>
          {t('media.sim.share')}
        </button>
      </div>
    </form>
  )
}

const EMOJIS = ['👍', '❤️', '😂', '😮', '🙏']

/** The emoji row a long press opens on WhatsApp; the current one again removes it. */
export function SimReactionPicker({
  current,
  onReact,
}: {
  current: string | null
  onReact: (emoji: string) => void
}) {
  const { t } = useTranslation()
  return (
    <div className="sim-reactions" role="group" aria-label={t('media.sim.react')} data-testid="sim-reaction-picker">
      {EMOJIS.map((e) => (
        <button
          key={e}
          type="button"
          data-testid="sim-reaction-emoji"
          data-emoji={e}
          aria-pressed={current === e}
          onClick={() => onReact(current === e ? '' : e)}
        >
          {e}
        </button>
      ))}
    </div>
  )
}
