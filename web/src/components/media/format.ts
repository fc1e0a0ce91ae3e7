import { ApiError } from '../../api/client'
import type {
  ContactCard,
  LocationPayload,
  MediaKind,
  Message,
  MessageMedia,
  MessageReaction,
} from '../../api/types'

/** "820 B", "14.2 KB", "3.1 MB" in the reader's language. */
export function formatSize(bytes: number | null | undefined, lang: string): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return ''
  const units = ['B', 'KB', 'MB', 'GB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[unit]}`
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null
}

/** `payload.location`, when it has usable coordinates. */
export function locationOf(payload: Message['payload']): LocationPayload | null {
  const loc = payload?.location
  if (!loc || typeof loc !== 'object') return null
  const { latitude, longitude, name, address } = loc as Record<string, unknown>
  const lat = typeof latitude === 'string' ? Number(latitude) : latitude
  const lng = typeof longitude === 'string' ? Number(longitude) : longitude
  if (!isNumber(lat) || !isNumber(lng)) return null
  return { latitude: lat, longitude: lng, name: text(name), address: text(address) }
}

/** `payload.contacts`: the shared contact cards (nameless ones show their first phone). */
export function contactsOf(payload: Message['payload']): ContactCard[] {
  const list = payload?.contacts
  if (!Array.isArray(list)) return []
  const cards: ContactCard[] = []
  for (const c of list as unknown[]) {
    if (!c || typeof c !== 'object') continue
    const { name, phones } = c as Record<string, unknown>
    const numbers = Array.isArray(phones)
      ? phones.map((p) => (typeof p === 'string' ? p.trim() : '')).filter(Boolean)
      : []
    const label = text(name) ?? numbers[0] ?? null
    if (label) cards.push({ name: label, phones: numbers })
  }
  return cards
}

export interface MapLinks {
  osm: string
  google: string
}

export function mapLinks(loc: LocationPayload): MapLinks {
  const lat = loc.latitude.toFixed(6)
  const lng = loc.longitude.toFixed(6)
  return {
    osm: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`,
    google: `https://www.google.com/maps/search/?api=1&query=${lat},${lng}`,
  }
}

/**
 * The caption of a media message. Providers store a readable fallback as the body
 * ("[image] photo.jpg the caption"), which the media itself already shows.
 */
export function captionOf(body: string, media: MessageMedia): string {
  let rest = body.trim()
  const label = rest.match(/^\[(image|audio|voice|video|document|sticker)\]\s*/i)
  if (label) rest = rest.slice(label[0].length)
  const name = media.filename?.trim()
  if (name && rest.startsWith(name)) rest = rest.slice(name.length).trim()
  return rest
}

/** Whether the body only repeats what a location or contacts card shows. */
export function isFallbackBody(body: string): boolean {
  const b = body.trim()
  return b === '' || b.startsWith('📍') || b.startsWith('[contacts]') || b.startsWith('[location]')
}

/** The message a reaction points to (`payload.reaction.targetId`) and its emoji. */
export function reactionOf(m: Message): { targetId: number; emoji: string } | null {
  if (m.type !== 'reaction') return null
  const r = m.payload?.reaction
  if (!r || typeof r !== 'object') return null
  const { targetId, emoji } = r as Record<string, unknown>
  if (!isNumber(targetId)) return null
  return { targetId, emoji: typeof emoji === 'string' ? emoji : '' }
}

/**
 * Reactions per target message. The server's `reactions` come first; reaction messages
 * loaded since (newest last) override them, so a live reaction shows before the target's
 * own `message:update` arrives. An empty emoji removes that side's reaction.
 */
export function reactionsByTarget(messages: Message[]): Map<number, MessageReaction[]> {
  const sides = new Map<number, Map<string, string>>()
  for (const m of messages) {
    if (m.reactions && m.reactions.length > 0) {
      const s = sides.get(m.id) ?? new Map<string, string>()
      for (const r of m.reactions) if (!s.has(r.direction)) s.set(r.direction, r.emoji)
      sides.set(m.id, s)
    }
  }
  for (const m of messages) {
    const r = reactionOf(m)
    if (!r) continue
    const s = sides.get(r.targetId) ?? new Map<string, string>()
    s.set(m.direction, r.emoji)
    sides.set(r.targetId, s)
  }
  const out = new Map<number, MessageReaction[]>()
  for (const [id, s] of sides) {
    const list = [...s].filter(([, emoji]) => emoji).map(([direction, emoji]) => ({ direction, emoji }))
    if (list.length > 0) out.set(id, list)
  }
  return out
}

/** The media kind a file is sent as (stickers are chosen explicitly). */
export function kindOfFile(file: File): MediaKind {
  const type = file.type.toLowerCase()
  if (type.startsWith('image/')) return 'image'
  if (type.startsWith('audio/')) return 'audio'
  if (type.startsWith('video/')) return 'video'
  return 'document'
}

/** The file's bytes as base64 (no `data:` prefix). */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = String(reader.result ?? '')
      resolve(url.slice(url.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(file)
  })
}

/** Whether an API error is WhatsApp's closed 24-hour window (409 `code: window_closed`). */
export function isWindowClosed(err: unknown): boolean {
  if (!(err instanceof ApiError) || err.status !== 409) return false
  const body = err.body
  return !!body && typeof body === 'object' && (body as { code?: unknown }).code === 'window_closed'
}

const DAY_MS = 24 * 60 * 60 * 1000

/** Whether only templates may be sent now (the channel has the window and it is over). */
export function windowClosed(
  replyWindow: boolean | undefined,
  lastInboundAt: number | null,
  now: number,
): boolean {
  if (!replyWindow) return false
  return lastInboundAt === null || now - lastInboundAt > DAY_MS
}
