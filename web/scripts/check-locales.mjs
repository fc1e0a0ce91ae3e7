// Fails (exit 1) when the locale files do not have exactly the same keys.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'i18n')
const locales = ['es', 'en', 'pt-BR']

function flatten(obj, prefix, out) {
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value, path, out)
    } else {
      if (typeof value !== 'string' || value.trim() === '') {
        out.errors.push(`${path}: value must be a non-empty string`)
      }
      out.keys.add(path)
    }
  }
  return out
}

const sets = {}
let failed = false
for (const locale of locales) {
  const file = join(dir, `${locale}.json`)
  let data
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    console.error(`check-locales: cannot read ${file}: ${err.message}`)
    process.exit(1)
  }
  const result = flatten(data, '', { keys: new Set(), errors: [] })
  for (const e of result.errors) {
    console.error(`check-locales: ${locale}.json ${e}`)
    failed = true
  }
  sets[locale] = result.keys
}

const all = new Set(Object.values(sets).flatMap((s) => [...s]))
for (const locale of locales) {
  const missing = [...all].filter((k) => !sets[locale].has(k)).sort()
  if (missing.length > 0) {
    failed = true
    console.error(`check-locales: ${locale}.json is missing ${missing.length} key(s):`)
    for (const k of missing) console.error(`  - ${k}`)
  }
}

if (failed) process.exit(1)
console.log(`check-locales: ${all.size} keys, identical in ${locales.join(', ')}`)
