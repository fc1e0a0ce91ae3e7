/**
 * Prices arrive as exact decimal strings ("19.99"). Intl.NumberFormat formats such a
 * string exactly (no float on the way) in the console's language.
 */
export function formatMoney(price: string, currency: string, lang: string): string {
  try {
    const format = new Intl.NumberFormat(lang, { style: 'currency', currency })
    // The ES2023 typings accept numeric strings; this project's lib is ES2022.
    return (format.format as unknown as (value: string) => string)(price)
  } catch {
    return `${price} ${currency}`
  }
}

/** What a person typed as a price, as the API reads it: "19,99" → "19.99"; null if not a price. */
export function priceInput(text: string): string | null {
  const clean = text.trim().replace(/\s/g, '').replace(',', '.')
  return /^\d{1,10}(\.\d{1,2})?$/.test(clean) ? clean : null
}

/** Stock as typed: empty = not tracked (null), else a whole number ≥ 0; undefined if invalid. */
export function stockInput(text: string): number | null | undefined {
  const clean = text.trim()
  if (clean === '') return null
  return /^\d{1,9}$/.test(clean) ? Number(clean) : undefined
}
