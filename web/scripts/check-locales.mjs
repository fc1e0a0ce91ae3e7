// Fails (exit 1) when the console's strings are not complete in every language:
//  - the locale files do not have exactly the same keys, or a value is empty;
//  - the code uses a key (t('a.b'), or a 'a.b' string in a table such as nav.ts) that a
//    locale lacks, or a t(`a.${x}`) whose prefix matches no key;
//  - a .tsx file shows hard-coded text: JSX text with letters, or a literal title,
//    placeholder, aria-label, alt or label attribute (write t('...') instead).
// Reads the sources with the TypeScript parser, so comments and types are not mistaken for text.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dir = join(root, 'src', 'i18n')
const locales = ['es', 'en', 'pt-BR']
const errors = []

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

// ---------- the locale files agree with each other ----------
const sets = {}
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
  for (const e of result.errors) errors.push(`${locale}.json ${e}`)
  sets[locale] = result.keys
}

const all = new Set(Object.values(sets).flatMap((s) => [...s]))
for (const locale of locales) {
  const missing = [...all].filter((k) => !sets[locale].has(k)).sort()
  for (const k of missing) errors.push(`${locale}.json is missing ${k}`)
}

// ---------- the code's keys exist, and no visible text is hard-coded ----------
const namespaces = new Set([...all].map((k) => k.split('.')[0]))
const KEY_SHAPE = /^[a-zA-Z][\w-]*(\.[\w-]+)+$/
// Plural and context forms (key_one, key_other) count as the key.
const known = (key) =>
  locales.every((l) => sets[l].has(key) || [...sets[l]].some((k) => k.startsWith(`${key}_`)))
const TEXT_ATTRIBUTES = new Set(['title', 'placeholder', 'aria-label', 'alt', 'label'])
// Text that needs no translation: symbols, digits, the product's name, and examples of
// machine input (a URL, a JSON document, a time zone).
const NEUTRAL = /^[\s\d\p{P}\p{S}×·…‹›]*$|^Helpline$|^https?:\/\/|^\{|^[\w+-]+\/[\w/+-]+$/u
// A prefix that keys are built from (labelPrefix="flows.checks" → flows.checks.<code>).
const isPrefix = (text) => locales.every((l) => [...sets[l]].some((k) => k.startsWith(`${text}.`)))

function sources(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

function checkFile(path) {
  const text = readFileSync(path, 'utf8')
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const where = (node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart())
    return `${relative(root, path)}:${line + 1}`
  }
  const isT = (callee) =>
    (ts.isIdentifier(callee) && callee.text === 't') ||
    (ts.isPropertyAccessExpression(callee) && callee.name.text === 't')

  const checked = new Set()
  const visit = (node) => {
    if (ts.isCallExpression(node) && isT(node.expression) && node.arguments.length > 0) {
      const arg = node.arguments[0]
      checked.add(arg)
      if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
        if (!known(arg.text)) errors.push(`${where(node)}: t('${arg.text}') is not in every locale`)
      } else if (ts.isTemplateExpression(arg)) {
        const head = arg.head.text
        if (head && !locales.every((l) => [...sets[l]].some((k) => k.startsWith(head)))) {
          errors.push(`${where(node)}: no key starts with '${head}' in every locale`)
        }
      }
    } else if (ts.isStringLiteral(node) && KEY_SHAPE.test(node.text) && !checked.has(node)) {
      // Keys kept in tables (nav.ts labels, code → key maps) must exist too.
      const parent = node.parent
      const imported =
        ts.isImportDeclaration(parent) ||
        ts.isExportDeclaration(parent) ||
        (ts.isCallExpression(parent) && parent.expression.kind === ts.SyntaxKind.ImportKeyword)
      const looksLikeKey = namespaces.has(node.text.split('.')[0])
      if (!imported && looksLikeKey && !known(node.text) && !isPrefix(node.text)) {
        errors.push(`${where(node)}: '${node.text}' looks like a key but is not in every locale`)
      }
    } else if (ts.isJsxText(node)) {
      const shown = node.text.trim()
      if (shown && /\p{L}/u.test(shown) && !NEUTRAL.test(shown)) {
        errors.push(`${where(node)}: hard-coded text "${shown.slice(0, 40)}" (use t())`)
      }
    } else if (
      ts.isJsxAttribute(node) &&
      TEXT_ATTRIBUTES.has(node.name.getText(file)) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer)
    ) {
      const shown = node.initializer.text
      if (/\p{L}/u.test(shown) && !NEUTRAL.test(shown)) {
        errors.push(`${where(node)}: hard-coded ${node.name.getText(file)}="${shown}" (use t())`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
}

const files = sources(join(root, 'src'))
for (const path of files) checkFile(path)

if (errors.length > 0) {
  for (const e of errors) console.error(`check-locales: ${e}`)
  console.error(`check-locales: ${errors.length} problem(s)`)
  process.exit(1)
}
console.log(
  `check-locales: ${all.size} keys, identical in ${locales.join(', ')}; ` +
    `${files.length} source files use only known keys and no hard-coded text`,
)
