import type { TFunction } from 'i18next'
import { ApiError } from './api/client'
import type { Channel, ChannelAction, ChannelConfigField, ChannelInput, ChannelProvider, ChannelState } from './api/types'
import { errorMessage } from './util'

/** Socket payloads of the Channels screen (to `role:ADMIN` and `role:SUPERVISOR`). */
export interface SessionStatusEvent {
  channelId: number
  status: string
  detail: string | null
  channel?: Channel | null
}
export interface SessionQrEvent {
  channelId: number
  qr: string | null
  svg: string | null
}
export interface SessionLoadingEvent {
  channelId: number
  percent: number
  message: string | null
}
export interface SessionErrorEvent {
  channelId: number
  error: string
}

export const CHANNEL_STATES: readonly ChannelState[] = [
  'disconnected',
  'qr',
  'connecting',
  'connected',
  'paused',
  'error',
]

export function isChannelState(s: string): s is ChannelState {
  return (CHANNEL_STATES as readonly string[]).includes(s)
}

/**
 * The session actions that make sense now. Start and stop want the number on or off;
 * pause keeps receiving but silences the bot and sends; logout unlinks a QR session
 * (only providers with a session of their own have one).
 */
export function actionsFor(status: string, provider: ChannelProvider | undefined): ChannelAction[] {
  const session = provider?.session ?? false
  const withLogout = (list: ChannelAction[]): ChannelAction[] =>
    session ? [...list, 'logout'] : list
  switch (status) {
    case 'disconnected':
      return ['start']
    case 'error':
      return withLogout(['start'])
    case 'qr':
    case 'connecting':
      return ['stop']
    case 'connected':
      return withLogout(['pause', 'stop'])
    case 'paused':
      return withLogout(['resume', 'stop'])
    default:
      return ['start', 'stop']
  }
}

/** A config key the console has no label for: "phone_number_id" → "Phone number id". */
export function humanizeKey(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim()
  return words ? words.charAt(0).toUpperCase() + words.slice(1).toLowerCase() : key
}

/**
 * A provider's name in the console's language, by its code (`sandbox`, `cloud`...); the
 * server's English label only for a provider this console does not know yet.
 */
export function providerLabel(name: string, t: TFunction, serverLabel?: string): string {
  return t(`channels.providerName.${name}`, { defaultValue: serverLabel ?? name })
}

export function fieldLabel(key: string, t: TFunction): string {
  return t(`channels.fields.${key}`, { defaultValue: humanizeKey(key) })
}

/** How a config value looks in a form or a list. */
export function configText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

export function sortChannels(list: Channel[]): Channel[] {
  return [...list].sort((a, b) => a.id - b.id)
}

/** The create / edit dialog. */
export interface ChannelForm {
  /** null: a new channel */
  id: number | null
  provider: string
  name: string
  phone: string
  defaultAreaId: number | null
  isDefault: boolean
  /** keep messages only from senders already in the contacts */
  knownContactsOnly: boolean
  unknownReply: string
  /** two letters (AR, ES…): numbers typed without a country code; empty: the deployment's */
  phoneRegion: string
  /** what is typed; a secret stays empty until retyped */
  config: Record<string, string>
  /** as loaded, to send only what changed (and secrets only when retyped) */
  initial: Record<string, string>
  /** the stored secrets, masked as the API returns them */
  masked: Record<string, string>
}

export function emptyForm(): ChannelForm {
  return {
    id: null,
    provider: '',
    name: '',
    phone: '',
    defaultAreaId: null,
    isDefault: false,
    knownContactsOnly: false,
    unknownReply: '',
    phoneRegion: '',
    config: {},
    initial: {},
    masked: {},
  }
}

/** A new channel of `provider`: its fields with their defaults. */
export function withProvider(form: ChannelForm, provider: ChannelProvider): ChannelForm {
  const config: Record<string, string> = {}
  for (const f of provider.configFields) config[f.key] = f.secret ? '' : (f.default ?? '')
  return { ...form, provider: provider.name, config, initial: {}, masked: {} }
}

export function formOf(channel: Channel, provider: ChannelProvider | undefined): ChannelForm {
  const stored = channel.config ?? {}
  const fields = fieldsOf(provider, stored)
  const config: Record<string, string> = {}
  const masked: Record<string, string> = {}
  for (const f of fields) {
    if (f.secret) {
      config[f.key] = ''
      if (stored[f.key] !== undefined && stored[f.key] !== null && stored[f.key] !== '') {
        masked[f.key] = configText(stored[f.key])
      }
    } else {
      config[f.key] = configText(stored[f.key] ?? f.default ?? '')
    }
  }
  return {
    id: channel.id,
    provider: channel.provider,
    name: channel.name,
    phone: channel.phone ?? '',
    defaultAreaId: channel.defaultAreaId ?? null,
    isDefault: channel.isDefault,
    knownContactsOnly: channel.knownContactsOnly,
    unknownReply: channel.unknownReply ?? '',
    phoneRegion: channel.phoneRegion ?? '',
    config,
    initial: { ...config },
    masked,
  }
}

/**
 * The provider's fields; when the provider is unknown to this console (removed, or the
 * list failed), the stored keys, treating masked values as secrets.
 */
export function fieldsOf(
  provider: ChannelProvider | undefined,
  stored: Record<string, unknown> = {},
): ChannelConfigField[] {
  if (provider) return provider.configFields
  return Object.entries(stored).map(([key, value]) => ({
    key,
    required: false,
    secret: typeof value === 'string' && value.startsWith('••••'),
    default: null,
    generated: false,
  }))
}

/** The body of POST (everything) or PATCH (only what changed; secrets only when retyped). */
export function payloadOf(form: ChannelForm, provider: ChannelProvider | undefined): ChannelInput {
  const fields = fieldsOf(provider, form.config)
  const config: Record<string, unknown> = {}
  for (const f of fields) {
    const value = (form.config[f.key] ?? '').trim()
    if (form.id === null) {
      if (value !== '') config[f.key] = value
    } else if (f.secret) {
      if (value !== '') config[f.key] = value
    } else if (value !== (form.initial[f.key] ?? '').trim()) {
      config[f.key] = value === '' ? null : value
    }
  }
  const body: ChannelInput = {
    name: form.name.trim(),
    phone: form.phone.trim() || null,
    defaultAreaId: form.defaultAreaId,
    knownContactsOnly: form.knownContactsOnly,
    unknownReply: form.unknownReply.trim() || null,
    phoneRegion: form.phoneRegion.trim().toUpperCase() || null,
  }
  if (Object.keys(config).length > 0 || form.id === null) body.config = config
  if (form.id === null) {
    body.provider = form.provider
    body.isDefault = form.isDefault
  }
  return body
}

const FIELD_LABELS: Record<string, string> = {
  name: 'channels.name',
  phone: 'channels.phone',
  provider: 'channels.provider',
  defaultAreaId: 'channels.defaultArea',
  phoneRegion: 'channels.phoneRegion',
  config: 'channels.config',
}

/** Like errorMessage(), but validation errors name the field they are about. */
export function formErrorMessage(err: unknown, t: TFunction): string {
  if (err instanceof ApiError && Array.isArray(err.detail)) {
    const lines = (err.detail as { loc?: unknown; msg?: unknown }[])
      .filter((d) => d && typeof d.msg === 'string')
      .map((d) => {
        const loc = Array.isArray(d.loc) ? d.loc.filter((p): p is string => typeof p === 'string') : []
        const msg = String(d.msg).replace(/^Value error, /, '')
        const i = loc.indexOf('config')
        const key = i >= 0 ? loc[i + 1] : undefined
        if (key) return `${fieldLabel(key, t)}: ${msg}`
        const field = loc.find((part) => part in FIELD_LABELS)
        return field ? `${t(FIELD_LABELS[field] ?? field)}: ${msg}` : msg
      })
    if (lines.length > 0) return lines.join('; ')
  }
  return errorMessage(err, t)
}

/**
 * The QR's SVG as an image URL. An <img> never runs what it shows (unlike markup put in the
 * page), but needs a standalone SVG: segno's inline SVG has neither namespace nor viewBox,
 * without which it would not scale.
 */
export function svgDataUri(svg: string): string {
  const open = /<svg\b[^>]*>/.exec(svg)
  let text = svg
  if (open) {
    let tag = open[0]
    if (!/\sxmlns=/.test(tag)) tag = tag.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"')
    const width = /\swidth="([\d.]+)"/.exec(tag)?.[1]
    const height = /\sheight="([\d.]+)"/.exec(tag)?.[1]
    if (!/\sviewBox=/.test(tag) && width && height) {
      tag = tag.replace('<svg', `<svg viewBox="0 0 ${width} ${height}"`)
    }
    text = svg.slice(0, open.index) + tag + svg.slice(open.index + open[0].length)
  }
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`
}
