/**
 * The bot-flow builder's model: pure helpers over the tree (helpline/flows/definition.py)
 * and the one reducer that holds the builder's state. No React, no I/O.
 *
 * The tree: `nodes` are the top-level nodes (the first one is where a conversation
 * starts); every node has a unique `key` and ordered `children`. Other nodes point at
 * keys: menu options (`target`), `next` of messages and actions, `settings.menuKey`.
 */
import { ApiError } from './api/client'
import type {
  ActionKind,
  ActionNode,
  FlowDefinition,
  FlowExport,
  FlowNode,
  FlowNodeType,
  FlowProblem,
  FlowSettings,
  FlowTree,
  FlowVersion,
  MenuNode,
  MenuOption,
} from './api/types'

/** What the server accepts as a node key (definition.KEY_PATTERN). */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

export const DEFAULT_SETTINGS: FlowSettings = {
  menuKeywords: ['menu', 'menú', '0'],
  humanKeywords: ['asesor', 'humano', 'persona', 'agente', 'operador'],
  defaultAreaId: null,
  menuKey: null,
  invalidText: 'No entendí tu respuesta. Elegí una de las opciones, por favor.',
  humanText: 'Te comunicamos con una persona de nuestro equipo. En breve te responde.',
}

// ---------- reading the tree ----------

export interface Placed {
  node: FlowNode
  depth: number
  /** null: a top-level node */
  parentKey: string | null
  /** position among its siblings */
  index: number
  siblings: number
}

/** Every node, parents before children, siblings in order. */
export function flatten(nodes: FlowNode[], depth = 0, parentKey: string | null = null): Placed[] {
  return nodes.flatMap((node, index) => [
    { node, depth, parentKey, index, siblings: nodes.length },
    ...flatten(node.children, depth + 1, node.key),
  ])
}

export function findNode(nodes: FlowNode[], key: string | null): FlowNode | null {
  if (key === null) return null
  for (const node of nodes) {
    if (node.key === key) return node
    const inner = findNode(node.children, key)
    if (inner) return inner
  }
  return null
}

export function placeOf(nodes: FlowNode[], key: string): Placed | null {
  return flatten(nodes).find((p) => p.node.key === key) ?? null
}

export function allKeys(nodes: FlowNode[]): Set<string> {
  return new Set(flatten(nodes).map((p) => p.node.key))
}

export function subtreeKeys(node: FlowNode): string[] {
  return [node.key, ...node.children.flatMap(subtreeKeys)]
}

/** The node a message or action goes on to: `next`, else its first child. */
export function afterOf(node: FlowNode): string | null {
  if (node.type !== 'message' && node.type !== 'action') return null
  return node.next ?? node.children[0]?.key ?? null
}

export type Reference =
  | { kind: 'option'; from: string; number: number; label: string }
  | { kind: 'next'; from: string }
  /** a message or action without `next` goes on to its first child */
  | { kind: 'firstChild'; from: string }

/** What leads to `key`: menu options, `next` of other nodes, parents that go on to it. */
export function referencesTo(nodes: FlowNode[], key: string): Reference[] {
  const out: Reference[] = []
  for (const { node } of flatten(nodes)) {
    if (node.type === 'menu') {
      for (const o of node.options) {
        if (o.target === key) out.push({ kind: 'option', from: node.key, number: o.number, label: o.label })
      }
    } else if (node.type === 'message' || node.type === 'action') {
      if (node.next === key) out.push({ kind: 'next', from: node.key })
      else if (node.next === null && node.children[0]?.key === key) out.push({ kind: 'firstChild', from: node.key })
    }
  }
  return out
}

/** The main menu as the engine picks it: `settings.menuKey`, else the first menu. */
export function mainMenuKey(def: FlowDefinition): string | null {
  const menus = flatten(def.nodes).filter((p) => p.node.type === 'menu')
  const chosen = def.settings.menuKey
  if (chosen && menus.some((p) => p.node.key === chosen)) return chosen
  return menus[0]?.node.key ?? null
}

export function problemsByNode(problems: FlowProblem[] | null): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const p of problems ?? []) {
    if (p.nodeKey === null) continue
    out.set(p.nodeKey, [...(out.get(p.nodeKey) ?? []), p.message])
  }
  return out
}

// ---------- making nodes ----------

/** `base`, or `base-2`, `base-3`… whichever is free (and a valid key). */
export function uniqueKey(base: string, taken: Set<string>): string {
  let clean = base
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 56)
  if (!clean) clean = 'node'
  if (!taken.has(clean)) return clean
  for (let n = 2; ; n += 1) {
    const candidate = `${clean}-${n}`
    if (!taken.has(candidate)) return candidate
  }
}

export function newNode(type: FlowNodeType, key: string, keep?: Partial<FlowNode>): FlowNode {
  const title = keep?.title ?? ''
  const children = keep?.children ?? []
  const text = keep && 'text' in keep && typeof keep.text === 'string' ? keep.text : ''
  const ui = keep?.ui ?? null
  switch (type) {
    case 'message':
      return { key, type, title, ui, text, mediaUrl: null, next: null, children }
    case 'menu':
      return { key, type, title, ui, text, options: [], invalidText: null, maxInvalid: 3, children }
    case 'action':
      return { ...actionDefaults('ask'), key, type, title, ui, text, next: null, children }
    case 'redirect':
      return { key, type, title, ui, areaId: null, text, children }
    case 'end':
      return { key, type, title, ui, text, children }
  }
}

/** The fields of an action of this kind, the others at their defaults. */
export function actionDefaults(
  action: ActionKind,
): Omit<ActionNode, 'key' | 'type' | 'title' | 'ui' | 'text' | 'next' | 'children'> {
  return {
    action,
    field: action === 'ask' ? 'name' : null,
    customKey: null,
    check: null,
    retryText: null,
    maxInvalid: 3,
    tag: null,
    url: null,
    command: action === 'catalog' ? 'lookup' : null,
    entries: [],
    storeAs: null,
  }
}

/** The lowest option number from 1 up that the menu does not use yet. */
export function nextOptionNumber(menu: MenuNode): number {
  const used = new Set(menu.options.map((o) => o.number))
  for (let n = 1; n <= 99; n += 1) if (!used.has(n)) return n
  return 0
}

// ---------- changing the tree (all return new arrays) ----------

export function mapNode(
  nodes: FlowNode[],
  key: string,
  change: (n: FlowNode) => FlowNode,
): FlowNode[] {
  return nodes.map((node) => {
    if (node.key === key) return change(node)
    if (node.children.length === 0) return node
    return { ...node, children: mapNode(node.children, key, change) }
  })
}

/** The tree without `key` (and its subtree), and the node taken out. */
export function removeNode(nodes: FlowNode[], key: string): [FlowNode[], FlowNode | null] {
  const found: { node: FlowNode | null } = { node: null }
  const walk = (list: FlowNode[]): FlowNode[] =>
    list
      .filter((n) => {
        if (n.key !== key) return true
        found.node = n
        return false
      })
      .map((n) => (n.children.length === 0 ? n : { ...n, children: walk(n.children) }))
  const rest = walk(nodes)
  return [rest, found.node]
}

/** `node` inserted under `parentKey` (null: top level) at `index` (clamped). */
export function insertNode(
  nodes: FlowNode[],
  parentKey: string | null,
  index: number,
  node: FlowNode,
): FlowNode[] {
  const put = (list: FlowNode[]) => {
    const at = Math.max(0, Math.min(index, list.length))
    return [...list.slice(0, at), node, ...list.slice(at)]
  }
  if (parentKey === null) return put(nodes)
  return mapNode(nodes, parentKey, (p) => ({ ...p, children: put(p.children) }))
}

/** One place up (-1) or down (+1) among its siblings. */
export function moveAmongSiblings(nodes: FlowNode[], key: string, delta: -1 | 1): FlowNode[] {
  const place = placeOf(nodes, key)
  if (!place) return nodes
  const to = place.index + delta
  if (to < 0 || to >= place.siblings) return nodes
  const [rest, node] = removeNode(nodes, key)
  return node ? insertNode(rest, place.parentKey, to, node) : nodes
}

export type DropPosition = 'before' | 'after' | 'inside'

/** Whether `key` may be dropped at `target` (not onto itself or into its own subtree). */
export function canDrop(nodes: FlowNode[], key: string, target: string): boolean {
  if (key === target) return false
  const node = findNode(nodes, key)
  return node !== null && !subtreeKeys(node).includes(target)
}

/** Moves `key` before / after `target`, or makes it `target`'s last child. */
export function dropNode(nodes: FlowNode[], key: string, target: string, position: DropPosition): FlowNode[] {
  if (!canDrop(nodes, key, target)) return nodes
  const [rest, node] = removeNode(nodes, key)
  if (!node) return nodes
  if (position === 'inside') {
    const parent = findNode(rest, target)
    return parent ? insertNode(rest, target, parent.children.length, node) : nodes
  }
  const place = placeOf(rest, target)
  if (!place) return nodes
  return insertNode(rest, place.parentKey, place.index + (position === 'after' ? 1 : 0), node)
}

/** Every reference to `keys` (option targets, `next`, the main menu) replaced via `to`. */
function rewriteRefs(def: FlowDefinition, to: (key: string) => string | null): FlowDefinition {
  const swap = (key: string | null) => (key === null ? null : to(key))
  const fix = (node: FlowNode): FlowNode => {
    const children = node.children.map(fix)
    switch (node.type) {
      case 'menu':
        return { ...node, options: node.options.map((o) => ({ ...o, target: swap(o.target) })), children }
      case 'message':
      case 'action':
        return { ...node, next: swap(node.next), children }
      default:
        return { ...node, children }
    }
  }
  return {
    settings: { ...def.settings, menuKey: swap(def.settings.menuKey) },
    nodes: def.nodes.map(fix),
  }
}

export function renameKey(def: FlowDefinition, from: string, to: string): FlowDefinition {
  const renamed = { ...def, nodes: mapNode(def.nodes, from, (n) => ({ ...n, key: to })) }
  return rewriteRefs(renamed, (k) => (k === from ? to : k))
}

/** Why `key` cannot be the new key of `current` (null: it can). */
export function keyError(def: FlowDefinition, current: string, key: string): 'pattern' | 'taken' | null {
  if (!KEY_PATTERN.test(key)) return 'pattern'
  if (key !== current && allKeys(def.nodes).has(key)) return 'taken'
  return null
}

export function parseList(text: string): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of text.split(',')) {
    const word = raw.trim().slice(0, 40)
    if (word && !seen.has(word.toLowerCase())) {
      seen.add(word.toLowerCase())
      out.push(word)
    }
  }
  return out
}

// ---------- errors of a refused tree ----------

interface PydanticError {
  loc?: unknown
  msg?: unknown
}

/**
 * The node a pydantic error location points at: ["body", "nodes", 0, "menu", "children",
 * 1, "options", 0, "label"] → the second child of the first node.
 */
export function nodeAtLoc(def: FlowDefinition, loc: unknown[]): FlowNode | null {
  let list: FlowNode[] = def.nodes
  let found: FlowNode | null = null
  for (let i = 0; i < loc.length - 1; i += 1) {
    const step = loc[i]
    const next = loc[i + 1]
    if ((step === 'nodes' || step === 'children') && typeof next === 'number') {
      const node = list[next]
      if (!node) break
      found = node
      list = node.children
      i += 1
    }
  }
  return found
}

/** The problems of a refused save / publish, each on its node where we can tell. */
export function problemsOfError(err: unknown, def: FlowDefinition): FlowProblem[] | null {
  if (!(err instanceof ApiError) || err.status !== 422) return null
  const body = err.body as { problems?: unknown } | null
  if (body && Array.isArray(body.problems)) return body.problems as FlowProblem[]
  if (!Array.isArray(err.detail)) return null
  const out = (err.detail as PydanticError[])
    .filter((d) => d && typeof d.msg === 'string')
    .map((d) => {
      const loc = Array.isArray(d.loc) ? d.loc : []
      const node = nodeAtLoc(def, loc)
      const field = loc.filter((p) => typeof p === 'string' && p !== 'body').slice(-1)[0]
      const msg = String(d.msg).replace(/^Value error, /, '')
      return { nodeKey: node?.key ?? null, message: field && node ? `${String(field)}: ${msg}` : msg }
    })
  return out.length > 0 ? out : null
}

// ---------- import ----------

export type ImportError = 'json' | 'format'

/** An export document read from a file or pasted text. */
export function parseFlowDocument(text: string): FlowExport | ImportError {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return 'json'
  }
  if (!data || typeof data !== 'object') return 'format'
  const doc = data as Partial<FlowExport>
  if (doc.format !== 'helpline.flow' || !doc.definition || typeof doc.name !== 'string') return 'format'
  return doc as FlowExport
}

export function fileNameOf(name: string, version: number | null | undefined): string {
  const base = uniqueKey(name.toLowerCase(), new Set()) || 'flow'
  return `${base}${version ? `-v${version}` : '-draft'}.helpline-flow.json`
}

// ---------- the builder's state ----------

/** Every field a node may have, for partial updates from the editor. */
export type NodePatch = Partial<{
  title: string
  text: string
  mediaUrl: string | null
  next: string | null
  options: MenuOption[]
  invalidText: string | null
  maxInvalid: number
  action: ActionKind
  field: ActionNode['field']
  customKey: string | null
  check: ActionNode['check']
  retryText: string | null
  tag: string | null
  url: string | null
  command: ActionNode['command']
  entries: ActionNode['entries']
  storeAs: string | null
  areaId: number | null
}>

export interface BuilderState {
  /** the draft as last loaded or saved (null until loaded) */
  saved: FlowDefinition | null
  /** what is being edited */
  draft: FlowDefinition | null
  /** bumps when the draft is replaced wholesale (load, discard, restore): editors restart */
  revision: number
  /** the node being edited */
  selected: string | null
  /** the last check's problems (null: none yet) */
  problems: FlowProblem[] | null
  /** the draft changed since `problems` were computed */
  problemsStale: boolean
  /** a published / archived version shown read-only instead of the draft */
  view: { version: FlowVersion; definition: FlowDefinition; problems: FlowProblem[] } | null
}

export const initialBuilder: BuilderState = {
  saved: null,
  draft: null,
  revision: 0,
  selected: null,
  problems: null,
  problemsStale: false,
  view: null,
}

export type BuilderAction =
  | { type: 'loaded'; tree: FlowTree }
  /** a PUT answered; `sent` is the draft as it was sent */
  | { type: 'saved'; tree: FlowTree; sent: FlowDefinition }
  | { type: 'discard' }
  | { type: 'select'; key: string | null }
  | { type: 'update'; key: string; patch: NodePatch }
  | { type: 'changeType'; key: string; nodeType: FlowNodeType }
  | { type: 'rename'; key: string; to: string }
  | { type: 'settings'; patch: Partial<FlowSettings> }
  /** a new node: last child of `parent` (null: top level), or right after `after` */
  | { type: 'add'; nodeType: FlowNodeType; parent?: string | null; after?: string }
  /** a new option on a menu, leading to a new child node of `nodeType` */
  | { type: 'addOption'; menu: string; nodeType: FlowNodeType }
  | { type: 'move'; key: string; delta: -1 | 1 }
  | { type: 'drop'; key: string; target: string; position: DropPosition }
  | { type: 'delete'; key: string }
  | { type: 'problems'; problems: FlowProblem[] }
  | { type: 'view'; tree: FlowTree | null }
  /** a version's tree becomes the (unsaved) draft */
  | { type: 'restore'; definition: FlowDefinition }

function sameDefinition(a: FlowDefinition | null, b: FlowDefinition | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

export function isDirty(state: BuilderState): boolean {
  return state.draft !== null && !sameDefinition(state.draft, state.saved)
}

function definitionOf(tree: FlowTree): FlowDefinition {
  return { settings: tree.settings, nodes: tree.nodes }
}

/** Applies an edit to the draft; the problems shown are then stale. */
function edit(state: BuilderState, change: (d: FlowDefinition) => FlowDefinition, selected?: string | null): BuilderState {
  if (!state.draft || state.view) return state
  const draft = change(state.draft)
  if (draft === state.draft) return state
  return {
    ...state,
    draft,
    selected: selected === undefined ? state.selected : selected,
    problemsStale: state.problems !== null,
  }
}

export function builderReducer(state: BuilderState, action: BuilderAction): BuilderState {
  switch (action.type) {
    case 'loaded': {
      const def = definitionOf(action.tree)
      const stillThere = state.selected && findNode(def.nodes, state.selected) ? state.selected : null
      return {
        ...initialBuilder,
        saved: def,
        draft: def,
        revision: state.revision + 1,
        selected: stillThere ?? def.nodes[0]?.key ?? null,
        problems: action.tree.problems,
      }
    }
    case 'saved': {
      const def = definitionOf(action.tree)
      const untouched = sameDefinition(state.draft, action.sent)
      return {
        ...state,
        saved: def,
        draft: untouched ? def : state.draft,
        problems: action.tree.problems,
        problemsStale: !untouched,
      }
    }
    case 'discard':
      return {
        ...state,
        draft: state.saved,
        revision: state.revision + 1,
        selected: state.selected && state.saved && findNode(state.saved.nodes, state.selected) ? state.selected : null,
        problemsStale: state.problems !== null,
      }
    case 'select':
      return { ...state, selected: action.key }
    case 'update':
      return edit(state, (d) => ({
        ...d,
        nodes: mapNode(d.nodes, action.key, (n) => ({ ...n, ...action.patch }) as FlowNode),
      }))
    case 'changeType':
      return edit(state, (d) => ({
        ...d,
        nodes: mapNode(d.nodes, action.key, (n) =>
          n.type === action.nodeType ? n : newNode(action.nodeType, n.key, n),
        ),
      }))
    case 'rename': {
      if (!state.draft || keyError(state.draft, action.key, action.to) || action.key === action.to) return state
      return edit(
        state,
        (d) => renameKey(d, action.key, action.to),
        state.selected === action.key ? action.to : state.selected,
      )
    }
    case 'settings':
      return edit(state, (d) => ({ ...d, settings: { ...d.settings, ...action.patch } }))
    case 'add': {
      if (!state.draft) return state
      const key = uniqueKey(action.nodeType, allKeys(state.draft.nodes))
      const node = newNode(action.nodeType, key)
      return edit(
        state,
        (d) => {
          if (action.after !== undefined) {
            const place = placeOf(d.nodes, action.after)
            if (!place) return d
            return { ...d, nodes: insertNode(d.nodes, place.parentKey, place.index + 1, node) }
          }
          const parent = action.parent ?? null
          const count = parent === null ? d.nodes.length : (findNode(d.nodes, parent)?.children.length ?? 0)
          return { ...d, nodes: insertNode(d.nodes, parent, count, node) }
        },
        key,
      )
    }
    case 'addOption': {
      const menu = state.draft ? findNode(state.draft.nodes, action.menu) : null
      if (!state.draft || !menu || menu.type !== 'menu') return state
      const number = nextOptionNumber(menu)
      const key = uniqueKey(`${menu.key}-${number}`, allKeys(state.draft.nodes))
      const option: MenuOption = { number, label: '', keywords: [], target: key, human: false }
      return edit(state, (d) => ({
        ...d,
        nodes: mapNode(d.nodes, menu.key, (n) =>
          n.type === 'menu'
            ? { ...n, options: [...n.options, option], children: [...n.children, newNode(action.nodeType, key)] }
            : n,
        ),
      }))
    }
    case 'move':
      return edit(state, (d) => ({ ...d, nodes: moveAmongSiblings(d.nodes, action.key, action.delta) }))
    case 'drop':
      return edit(state, (d) => ({
        ...d,
        nodes: dropNode(d.nodes, action.key, action.target, action.position),
      }))
    case 'delete': {
      if (!state.draft) return state
      const place = placeOf(state.draft.nodes, action.key)
      if (!place) return state
      const [nodes, removed] = removeNode(state.draft.nodes, action.key)
      const gone = new Set(removed ? subtreeKeys(removed) : [])
      // Select a neighbour: the next sibling, else the previous one, else the parent.
      const siblings = place.parentKey === null ? nodes : (findNode(nodes, place.parentKey)?.children ?? [])
      const neighbour = siblings[Math.min(place.index, siblings.length - 1)]?.key ?? place.parentKey
      return edit(
        state,
        (d) => rewriteRefs({ ...d, nodes }, (k) => (gone.has(k) ? null : k)),
        neighbour ?? null,
      )
    }
    case 'problems':
      return { ...state, problems: action.problems, problemsStale: false }
    case 'view':
      return { ...state, view: action.tree ? { version: action.tree.version, definition: definitionOf(action.tree), problems: action.tree.problems } : null }
    case 'restore':
      if (!state.draft) return state
      return {
        ...state,
        view: null,
        draft: action.definition,
        revision: state.revision + 1,
        problemsStale: state.problems !== null,
      }
  }
}
