import { useState } from 'react'
import type { DragEvent, KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import type { TFunction } from 'i18next'
import { useAreas } from '../../areas'
import { canDrop, flatten } from '../../flowTree'
import type { DropPosition } from '../../flowTree'
import type { FlowNode, FlowNodeType } from '../../api/types'

export const TYPE_ICONS: Record<FlowNodeType, string> = {
  message: '✉',
  menu: '☰',
  action: '⚡',
  redirect: '↪',
  end: '■',
}

function firstLine(text: string, max = 70): string {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** One line about what a node does: a menu's numbered options, a redirect's area… */
export function nodeSummary(
  node: FlowNode,
  t: TFunction,
  areaName: (id: number | null) => string | null,
): string {
  switch (node.type) {
    case 'message':
      return firstLine(node.text) || (node.mediaUrl ? `📎 ${node.mediaUrl}` : t('flows.summary.empty'))
    case 'menu':
      return node.options.length === 0
        ? t('flows.summary.noOptions')
        : node.options
            .map((o) => `${o.number}. ${o.label || '…'}${o.human ? ` (${t('flows.summary.person')})` : ''}`)
            .join(' · ')
    case 'action':
      switch (node.action) {
        case 'ask':
          return t('flows.summary.ask', {
            field: node.field === 'custom' ? (node.customKey ?? '?') : t(`flows.field.${node.field ?? 'none'}`),
          })
        case 'tag':
          return t('flows.summary.tag', { tag: node.tag || '?' })
        case 'webhook':
          return t('flows.summary.webhook', { url: node.url || '?' })
        case 'catalog':
          return t(node.command === 'list' ? 'flows.summary.catalogList' : 'flows.summary.catalogLookup', {
            n: node.entries.length,
          })
      }
      return ''
    case 'redirect':
      return node.areaId === null
        ? t('flows.summary.noArea')
        : `→ ${areaName(node.areaId) ?? t('flows.unknownArea', { id: node.areaId })}`
    case 'end':
      return firstLine(node.text) || t('flows.summary.closes')
  }
}

interface Props {
  nodes: FlowNode[]
  selected: string | null
  /** node key → problem messages */
  problems: Map<string, string[]>
  /** the problems were found before the latest edits */
  stale: boolean
  mainMenu: string | null
  readOnly: boolean
  onSelect: (key: string) => void
  onDrop: (key: string, target: string, position: DropPosition) => void
}

/** The flow as an indented tree: type, title, a summary and problems on every node. */
export default function NodeTree(props: Props) {
  const { t } = useTranslation()
  const { nameOf } = useAreas()
  const { nodes, selected, problems, readOnly, onSelect } = props
  const areaName = (id: number | null) => nameOf(id)
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set())
  const [dragKey, setDragKey] = useState<string | null>(null)
  const [dropAt, setDropAt] = useState<{ key: string; position: DropPosition } | null>(null)

  // Rows in display order, hidden ones (inside a collapsed node) left out.
  const visible: string[] = []
  const hiddenUnder = new Set<string>()
  for (const p of flatten(nodes)) {
    if (p.parentKey !== null && (hiddenUnder.has(p.parentKey) || collapsed.has(p.parentKey))) {
      hiddenUnder.add(p.node.key)
      continue
    }
    visible.push(p.node.key)
  }

  const focusRow = (key: string) => {
    onSelect(key)
    window.requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>(
        `[data-testid="flow-node"][data-key="${CSS.escape(key)}"] > .flow-node-row .flow-node-select`,
      )
      el?.focus()
    })
  }

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    const at = selected ? visible.indexOf(selected) : -1
    const next = visible[e.key === 'ArrowDown' ? Math.min(at + 1, visible.length - 1) : Math.max(at - 1, 0)]
    if (next) {
      e.preventDefault()
      focusRow(next)
    }
  }

  const toggle = (key: string) =>
    setCollapsed((set) => {
      const next = new Set(set)
      if (next.has(key)) next.delete(key)
      else next.add(key)
      return next
    })

  const positionOf = (e: DragEvent<HTMLDivElement>): DropPosition => {
    const rect = e.currentTarget.getBoundingClientRect()
    const y = (e.clientY - rect.top) / Math.max(rect.height, 1)
    return y < 0.3 ? 'before' : y > 0.7 ? 'after' : 'inside'
  }

  const renderNode = (node: FlowNode, depth: number, isFirst: boolean, parent: FlowNode | null) => {
    const nodeProblems = problems.get(node.key) ?? []
    const hasChildren = node.children.length > 0
    const isCollapsed = collapsed.has(node.key)
    // The options of the parent menu that lead here (other references are listed in the form).
    const options = parent?.type === 'menu' ? parent.options.filter((o) => o.target === node.key) : []
    const dropClass = dropAt?.key === node.key ? `flow-drop-${dropAt.position}` : ''
    const next = node.type === 'message' || node.type === 'action' ? node.next : null
    return (
      <li
        key={node.key}
        role="treeitem"
        aria-level={depth + 1}
        aria-selected={selected === node.key}
        aria-expanded={hasChildren ? !isCollapsed : undefined}
        data-testid="flow-node"
        data-key={node.key}
        data-type={node.type}
        data-depth={depth}
        data-invalid={nodeProblems.length > 0}
        className="flow-node"
      >
        <div
          className={`flow-node-row ${selected === node.key ? 'flow-node-selected' : ''} ${
            nodeProblems.length > 0 ? 'flow-node-invalid' : ''
          } ${dragKey === node.key ? 'row-dragging' : ''} ${dropClass}`}
          style={{ paddingLeft: 6 + depth * 22 }}
          draggable={!readOnly}
          onDragStart={(e) => {
            e.dataTransfer.effectAllowed = 'move'
            e.dataTransfer.setData('text/plain', node.key)
            setDragKey(node.key)
          }}
          onDragEnd={() => {
            setDragKey(null)
            setDropAt(null)
          }}
          onDragOver={(e) => {
            if (!dragKey || !canDrop(nodes, dragKey, node.key)) return
            e.preventDefault()
            const position = positionOf(e)
            if (dropAt?.key !== node.key || dropAt.position !== position) setDropAt({ key: node.key, position })
          }}
          onDragLeave={() => setDropAt((d) => (d?.key === node.key ? null : d))}
          onDrop={(e) => {
            e.preventDefault()
            if (dragKey && canDrop(nodes, dragKey, node.key)) props.onDrop(dragKey, node.key, positionOf(e))
            setDragKey(null)
            setDropAt(null)
          }}
        >
          {hasChildren ? (
            <button
              type="button"
              className="flow-node-toggle"
              data-testid="flow-node-toggle"
              aria-label={t(isCollapsed ? 'flows.expand' : 'flows.collapse', { key: node.key })}
              onClick={() => toggle(node.key)}
            >
              {isCollapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span className="flow-node-toggle" aria-hidden="true" />
          )}
          <button
            type="button"
            className="flow-node-select"
            data-testid="flow-node-select"
            tabIndex={selected === node.key || (selected === null && isFirst) ? 0 : -1}
            onClick={() => onSelect(node.key)}
          >
            <span className={`flow-type flow-type-${node.type}`} data-testid="flow-node-type">
              <span aria-hidden="true">{TYPE_ICONS[node.type]}</span> {t(`flows.type.${node.type}`)}
            </span>
            {options.map((option, i) => (
              <span
                key={`${option.number}:${i}`}
                className="flow-node-option"
                data-testid="flow-node-option"
                title={t('flows.optionOf', { number: option.number, menu: parent?.key })}
              >
                {option.number}
              </span>
            ))}
            <span className="flow-node-name">
              <span className="flow-node-title" data-testid="flow-node-title">
                {node.title || node.key}
              </span>
              {node.title && <span className="flow-node-key muted">{node.key}</span>}
              {isFirst && <span className="chip chip-start">{t('flows.start')}</span>}
              {props.mainMenu === node.key && <span className="chip chip-main-menu">{t('flows.mainMenu')}</span>}
            </span>
            <span className="flow-node-summary muted" data-testid="flow-node-summary">
              {nodeSummary(node, t, areaName)}
              {next && ` ↪ ${next}`}
            </span>
          </button>
        </div>
        {nodeProblems.length > 0 && (
          <ul
            className={`flow-node-problems ${props.stale ? 'flow-problems-stale' : ''}`}
            style={{ marginLeft: 30 + depth * 22 }}
            data-testid="flow-node-problems"
          >
            {nodeProblems.map((m) => (
              <li key={m} data-testid="flow-node-problem">
                {m}
              </li>
            ))}
          </ul>
        )}
        {hasChildren && !isCollapsed && (
          <ul role="group" className="flow-tree-group">
            {node.children.map((c) => renderNode(c, depth + 1, false, node))}
          </ul>
        )}
      </li>
    )
  }

  return (
    <ul className="flow-tree" role="tree" aria-label={t('flows.tree')} data-testid="flow-tree" onKeyDown={onKeyDown}>
      {nodes.map((n, i) => renderNode(n, 0, i === 0, null))}
    </ul>
  )
}
