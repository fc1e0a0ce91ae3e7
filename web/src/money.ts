/**
 * Money as the API sends it: decimal strings with two places ("30.35"). Sums are done in
 * integer cents (BigInt), never in floating point, so a column adds up exactly as on the
 * server.
 */
import type { StageTotal } from './api/types'

function toCents(value: string): bigint {
  const negative = value.trim().startsWith('-')
  const [whole = '0', frac = ''] = value.trim().replace(/^[-+]/, '').split('.')
  const cents = BigInt(whole || '0') * 100n + BigInt((frac + '00').slice(0, 2))
  return negative ? -cents : cents
}

function fromCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : ''
  const abs = cents < 0n ? -cents : cents
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}

/** Per-currency totals of `items`, sorted by currency (as GET /api/pipeline gives them). */
export function totalsOf(items: readonly { value: string; currency: string }[]): StageTotal[] {
  const sums = new Map<string, bigint>()
  for (const it of items) sums.set(it.currency, (sums.get(it.currency) ?? 0n) + toCents(it.value))
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, cents]) => ({ currency, value: fromCents(cents) }))
}

/** "$ 30,35" in Spanish, "ARS 30.35" in English...: the console's language decides. */
export function formatMoney(value: string, currency: string, lang: string): string {
  try {
    // A decimal string is formatted exactly (Intl.NumberFormat v3); no float on the way.
    const exact = value as unknown as number
    return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(exact)
  } catch {
    return `${currency} ${value}`
  }
}

/** The currency most of these deals use: where a new one starts (ARS with none to go by). */
export function commonCurrency(items: readonly { currency: string }[]): string {
  const used = new Map<string, number>()
  for (const item of items) used.set(item.currency, (used.get(item.currency) ?? 0) + 1)
  return [...used.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'ARS'
}
