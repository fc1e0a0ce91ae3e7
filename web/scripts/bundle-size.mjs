// Prints every chunk of the built console and the first load's JavaScript (the entry of
// index.html plus every chunk it imports statically, i.e. what the browser fetches before
// the first screen can run), and fails (exit 1) when the first load is over the budget.
// Run after `vite build` (npm run build); reads the build manifest, then removes it so the
// server does not publish it.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Minified bytes, not gzip. Issue 13 asked for 300 kB. The first load is ≈206 kB since
// Preact's compat layer stands in for React DOM (vite.config.ts; ≈24 kB against ≈207 kB):
// i18next ≈49 kB, React Router ≈37 kB, TanStack Query ≈33 kB, Preact ≈24 kB, the sidebar's
// icons ≈10 kB, openapi-fetch ≈7 kB and the shell itself (auth, queries, live cache sync,
// toasts) ≈35 kB. Every screen, the locales and socket.io-client are chunks fetched later.
// The budget is the figure reached, so it only grows by a decision (it was 400 → 410 with
// React DOM when the live cache sync learnt the contacts, labels, pipeline, catalog and
// dashboard events; with Preact 210 → 220 when orders, reports, webhooks and the bot's screen
// joined the live cache sync and the sidebar).
const BUDGET_KB = 220

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'helpline', 'console_dist')
const manifestFile = join(outDir, '.vite', 'manifest.json')
if (!existsSync(manifestFile)) {
  console.error(`bundle-size: ${manifestFile} missing (build with build.manifest: true)`)
  process.exit(1)
}
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
rmSync(join(outDir, '.vite'), { recursive: true, force: true })

const kb = (bytes) => (bytes / 1000).toFixed(1).padStart(7) + ' kB'
const size = (file) => statSync(join(outDir, file)).size

const entries = Object.entries(manifest).filter(([, c]) => c.isEntry)
if (entries.length !== 1) {
  console.error(`bundle-size: expected one entry chunk, found ${entries.length}`)
  process.exit(1)
}

// The entry and its static imports, transitively.
const firstLoad = new Set()
const visit = (key) => {
  if (firstLoad.has(key)) return
  firstLoad.add(key)
  for (const dep of manifest[key].imports ?? []) visit(dep)
}
visit(entries[0][0])

const chunks = Object.entries(manifest)
  .filter(([, c]) => c.file.endsWith('.js'))
  .map(([key, c]) => ({ key, file: c.file, bytes: size(c.file), first: firstLoad.has(key) }))
  .sort((a, b) => a.bytes - b.bytes)

console.log('bundle-size: JavaScript chunks (minified; * = first load)')
for (const c of chunks) console.log(`  ${c.first ? '*' : ' '} ${kb(c.bytes)}  ${c.file}`)
const total = chunks.filter((c) => c.first).reduce((sum, c) => sum + c.bytes, 0)
const all = chunks.reduce((sum, c) => sum + c.bytes, 0)
console.log(`bundle-size: first load ${kb(total).trim()} of ${BUDGET_KB} kB budget; all chunks ${kb(all).trim()}`)
if (total > BUDGET_KB * 1000) {
  console.error(`bundle-size: first load is over the ${BUDGET_KB} kB budget`)
  process.exit(1)
}
