import type { QuickReply } from './api/types'

/** Values substituted into a quick reply body. */
export interface PlaceholderValues {
  operatorName: string
  contactName: string
  areaName: string
}

const PLACEHOLDERS: [RegExp, keyof PlaceholderValues][] = [
  [/\$\{OPERADOR\}/g, 'operatorName'],
  [/\[OPERADOR\]/g, 'operatorName'],
  [/\{operatorName\}/g, 'operatorName'],
  [/\{contactName\}/g, 'contactName'],
  [/\{areaName\}/g, 'areaName'],
]

/**
 * Fills the placeholders of a quick reply body: `[OPERADOR]`, `{operatorName}` and
 * `${OPERADOR}` (the operator), `{contactName}` and `{areaName}`. Pure, no React.
 */
export function fillPlaceholders(body: string, values: PlaceholderValues): string {
  let out = body
  for (const [re, key] of PLACEHOLDERS) out = out.replace(re, () => values[key])
  return out
}

/** The `/word` being typed at the caret, when it starts the text or follows whitespace. */
export interface SlashToken {
  /** index of the "/" */
  start: number
  /** index just after the word (the caret) */
  end: number
  /** the word after "/", lower-cased */
  query: string
}

export function slashTokenAt(text: string, caret: number): SlashToken | null {
  const before = text.slice(0, caret)
  const m = /(^|\s)\/([^\s/]*)$/.exec(before)
  if (!m) return null
  const word = m[2] ?? ''
  return { start: before.length - word.length - 1, end: caret, query: word.toLowerCase() }
}

/** Replies whose shortcut or title contains `query` (shortcut prefix matches first). */
export function filterQuickReplies(list: QuickReply[], query: string): QuickReply[] {
  const q = query.trim().toLowerCase()
  if (!q) return list
  const hits = list.filter(
    (r) => r.shortcut.toLowerCase().includes(q) || r.title.toLowerCase().includes(q),
  )
  const rank = (r: QuickReply) => (r.shortcut.toLowerCase().startsWith(q) ? 0 : 1)
  return hits.sort((a, b) => rank(a) - rank(b) || a.position - b.position)
}
