import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { actionDefaults, keyError, parseList, referencesTo } from '../../flowTree'
import type { BuilderAction, NodePatch } from '../../flowTree'
import { FLOW_NODE_TYPES } from '../../api/types'
import type {
  ActionKind,
  ActionNode,
  AnswerCheck,
  AskField,
  CatalogEntry,
  FlowDefinition,
  FlowNode,
  FlowNodeType,
  MenuNode,
  MenuOption,
} from '../../api/types'
import { AreaSelect, ChoiceSelect, IntInput, ListInput, NodeSelect } from './fields'
import { TYPE_ICONS } from './NodeTree'

const HUMAN = '__human__'
const ACTION_KINDS: ActionKind[] = ['ask', 'tag', 'webhook', 'catalog']
const ASK_FIELDS: AskField[] = ['name', 'email', 'dni', 'custom']
const CHECKS: AnswerCheck[] = ['text', 'name', 'email', 'dni', 'number']
const CATALOG_COMMANDS: NonNullable<ActionNode['command']>[] = ['lookup', 'list']

type Dispatch = (action: BuilderAction) => void

function Field({ label, hint, children, grow }: { label: string; hint?: string; children: ReactNode; grow?: boolean }) {
  return (
    <label className={`field ${grow ? 'field-grow' : ''}`}>
      <span>{label}</span>
      {children}
      {hint && <span className="muted small field-hint">{hint}</span>}
    </label>
  )
}

function TextArea({
  value,
  onChange,
  testId,
  rows = 3,
  placeholder,
  maxLength = 4096,
}: {
  value: string
  onChange: (v: string) => void
  testId: string
  rows?: number
  placeholder?: string
  maxLength?: number
}) {
  return (
    <textarea
      className="field-textarea"
      data-testid={testId}
      rows={rows}
      maxLength={maxLength}
      value={value}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  )
}

/** The node key: renamed (with every reference to it) on Enter or when leaving the field. */
function KeyField({ def, node, dispatch }: { def: FlowDefinition; node: FlowNode; dispatch: Dispatch }) {
  const { t } = useTranslation()
  const [text, setText] = useState(node.key)
  const problem = keyError(def, node.key, text.trim())
  const commit = () => {
    const to = text.trim()
    if (to !== node.key && !keyError(def, node.key, to)) dispatch({ type: 'rename', key: node.key, to })
  }
  return (
    <Field label={t('flows.key')} hint={t('flows.keyHint')}>
      <input
        data-testid="flow-field-key"
        value={text}
        maxLength={64}
        spellCheck={false}
        aria-invalid={problem !== null}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault()
            commit()
          } else if (e.key === 'Escape') setText(node.key)
        }}
      />
      {problem && (
        <span className="cell-error" data-testid="flow-field-key-error">
          {t(`flows.keyError.${problem}`)}
        </span>
      )}
    </Field>
  )
}

function MenuOptions({ def, node, dispatch }: { def: FlowDefinition; node: MenuNode; dispatch: Dispatch }) {
  const { t } = useTranslation()
  const [newType, setNewType] = useState<FlowNodeType>('message')
  const setOptions = (options: MenuOption[]) => dispatch({ type: 'update', key: node.key, patch: { options } })
  const change = (i: number, patch: Partial<MenuOption>) =>
    setOptions(node.options.map((o, n) => (n === i ? { ...o, ...patch } : o)))
  const swap = (i: number, j: number) => {
    const list = [...node.options]
    const a = list[i]
    const b = list[j]
    if (!a || !b) return
    list[i] = b
    list[j] = a
    setOptions(list)
  }

  return (
    <fieldset className="flow-options-box">
      <legend>{t('flows.options')}</legend>
      {node.options.length === 0 ? (
        <p className="muted small" data-testid="flow-options-empty">
          {t('flows.noOptions')}
        </p>
      ) : (
        <ol className="flow-options" data-testid="flow-options">
          {node.options.map((o, i) => (
            <li key={i} className="flow-option" data-testid="flow-option" data-number={o.number}>
              <label className="flow-mini-field flow-option-number-field">
                <span>{t('flows.optionNumber')}</span>
                <IntInput
                  className="flow-option-number"
                  testId="flow-option-number"
                  value={o.number}
                  min={0}
                  max={99}
                  ariaLabel={t('flows.optionNumberOf', { n: i + 1 })}
                  onChange={(number) => change(i, { number })}
                />
              </label>
              <label className="flow-mini-field flow-option-label-field">
                <span>{t('flows.optionLabel')}</span>
                <input
                  data-testid="flow-option-label"
                  value={o.label}
                  maxLength={80}
                  aria-label={t('flows.optionLabelOf', { n: o.number })}
                  onChange={(e) => change(i, { label: e.target.value })}
                />
              </label>
              <div className="flow-option-actions">
                <button
                  type="button"
                  className="btn btn-ghost btn-xs"
                  data-testid="flow-option-up"
                  aria-label={t('flows.optionUp', { n: o.number })}
                  disabled={i === 0}
                  onClick={() => swap(i, i - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-xs"
                  data-testid="flow-option-down"
                  aria-label={t('flows.optionDown', { n: o.number })}
                  disabled={i === node.options.length - 1}
                  onClick={() => swap(i, i + 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-ghost btn-xs btn-danger-text"
                  data-testid="flow-option-remove"
                  aria-label={t('flows.optionRemove', { n: o.number })}
                  onClick={() => setOptions(node.options.filter((_, n) => n !== i))}
                >
                  ×
                </button>
              </div>
              <label className="flow-mini-field flow-option-keywords-field">
                <span>{t('flows.optionKeywords')}</span>
                <ListInput
                  testId="flow-option-keywords"
                  value={o.keywords}
                  parse={parseList}
                  placeholder={t('flows.keywordsPlaceholder')}
                  ariaLabel={t('flows.optionKeywordsOf', { n: o.number })}
                  onChange={(keywords) => change(i, { keywords })}
                />
              </label>
              <label className="flow-mini-field flow-option-target-field">
                <span>{t('flows.optionTarget')}</span>
                <NodeSelect
                  nodes={def.nodes}
                  testId="flow-option-target"
                  value={o.human ? HUMAN : o.target}
                  exclude={node.key}
                  noneLabel={t('flows.chooseTarget')}
                  ariaLabel={t('flows.optionTargetOf', { n: o.number })}
                  extra={[{ value: HUMAN, label: t('flows.targetHuman') }]}
                  onChange={(v) =>
                    change(i, v === HUMAN ? { human: true, target: null } : { human: false, target: v })
                  }
                />
              </label>
            </li>
          ))}
        </ol>
      )}
      <div className="flow-add-option">
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-testid="flow-add-option"
          disabled={node.options.length >= 30}
          onClick={() => dispatch({ type: 'addOption', menu: node.key, nodeType: newType })}
        >
          + {t('flows.addOption')}
        </button>
        <label className="flow-inline-field">
          <span>{t('flows.addOptionLeadsTo')}</span>
          <select
            data-testid="flow-option-new-type"
            value={newType}
            onChange={(e) => setNewType(e.target.value as FlowNodeType)}
          >
            {FLOW_NODE_TYPES.map((type) => (
              <option key={type} value={type}>
                {t('flows.newNodeOf', { type: t(`flows.type.${type}`) })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small">{t('flows.optionsHint')}</p>
    </fieldset>
  )
}

function CatalogEntries({ node, patch }: { node: ActionNode; patch: (p: NodePatch) => void }) {
  const { t } = useTranslation()
  const set = (entries: CatalogEntry[]) => patch({ entries })
  return (
    <fieldset className="flow-options-box">
      <legend>{t('flows.entries')}</legend>
      {node.entries.length === 0 && <p className="muted small">{t('flows.noEntries')}</p>}
      {node.entries.map((entry, i) => (
        <div className="flow-entry" data-testid="flow-entry" key={i}>
          <input
            data-testid="flow-entry-key"
            value={entry.key}
            maxLength={60}
            placeholder={t('flows.entryKey')}
            aria-label={t('flows.entryKeyOf', { n: i + 1 })}
            onChange={(e) => set(node.entries.map((x, n) => (n === i ? { ...x, key: e.target.value } : x)))}
          />
          <input
            data-testid="flow-entry-text"
            value={entry.text}
            maxLength={1000}
            placeholder={t('flows.entryText')}
            aria-label={t('flows.entryTextOf', { n: i + 1 })}
            onChange={(e) => set(node.entries.map((x, n) => (n === i ? { ...x, text: e.target.value } : x)))}
          />
          <button
            type="button"
            className="btn btn-ghost btn-xs btn-danger-text"
            aria-label={t('flows.entryRemove', { n: i + 1 })}
            onClick={() => set(node.entries.filter((_, n) => n !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        data-testid="flow-add-entry"
        onClick={() => set([...node.entries, { key: '', text: '' }])}
      >
        + {t('flows.addEntry')}
      </button>
    </fieldset>
  )
}

function ActionFields({ def, node, patch }: { def: FlowDefinition; node: ActionNode; patch: (p: NodePatch) => void }) {
  const { t } = useTranslation()
  const asks = node.action === 'ask'
  const lookup = node.action === 'catalog' && node.command !== 'list'
  return (
    <>
      <Field label={t('flows.actionKind')}>
        <select
          data-testid="flow-field-action"
          value={node.action}
          onChange={(e) => patch(actionDefaults(e.target.value as ActionKind))}
        >
          {ACTION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`flows.action.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      {asks && (
        <>
          <div className="form-grid">
            <Field label={t('flows.askField')}>
              <ChoiceSelect
                testId="flow-field-ask-field"
                value={node.field}
                choices={ASK_FIELDS}
                labelPrefix="flows.field"
                emptyLabel={t('flows.choose')}
                onChange={(field) => patch({ field })}
              />
            </Field>
            <Field label={t('flows.check')}>
              <ChoiceSelect
                testId="flow-field-check"
                value={node.check}
                choices={CHECKS}
                labelPrefix="flows.checks"
                emptyLabel={t('flows.checkDefault')}
                onChange={(check) => patch({ check })}
              />
            </Field>
          </div>
          {node.field === 'custom' && (
            <Field label={t('flows.customKey')} hint={t('flows.customKeyHint')}>
              <input
                data-testid="flow-field-custom-key"
                value={node.customKey ?? ''}
                maxLength={64}
                spellCheck={false}
                onChange={(e) => patch({ customKey: e.target.value.trim() || null })}
              />
            </Field>
          )}
        </>
      )}
      {(asks || node.action === 'catalog') && (
        <Field
          label={t(asks ? 'flows.question' : lookup ? 'flows.lookupPrompt' : 'flows.listHeader')}
          hint={t('flows.placeholdersHint')}
        >
          <TextArea value={node.text} testId="flow-field-text" onChange={(text) => patch({ text })} />
        </Field>
      )}
      {node.action === 'tag' && (
        <Field label={t('flows.tag')} hint={t('flows.tagHint')}>
          <input
            data-testid="flow-field-tag"
            value={node.tag ?? ''}
            maxLength={40}
            onChange={(e) => patch({ tag: e.target.value || null })}
          />
        </Field>
      )}
      {node.action === 'webhook' && (
        <Field label={t('flows.url')} hint={t('flows.urlHint')}>
          <input
            data-testid="flow-field-url"
            type="url"
            value={node.url ?? ''}
            maxLength={2000}
            placeholder="https://"
            onChange={(e) => patch({ url: e.target.value || null })}
          />
        </Field>
      )}
      {node.action === 'catalog' && (
        <>
          <Field label={t('flows.command')}>
            <ChoiceSelect
              testId="flow-field-command"
              value={node.command}
              choices={CATALOG_COMMANDS}
              labelPrefix="flows.commands"
              emptyLabel={t('flows.choose')}
              onChange={(command) => patch({ command })}
            />
          </Field>
          <CatalogEntries node={node} patch={patch} />
          {lookup && (
            <Field label={t('flows.storeAs')} hint={t('flows.storeAsHint')}>
              <input
                data-testid="flow-field-store-as"
                value={node.storeAs ?? ''}
                maxLength={64}
                spellCheck={false}
                onChange={(e) => patch({ storeAs: e.target.value.trim() || null })}
              />
            </Field>
          )}
        </>
      )}
      {(asks || lookup) && (
        <div className="form-grid">
          <Field label={t(asks ? 'flows.retryText' : 'flows.notFoundText')} hint={t('flows.retryHint')}>
            <TextArea
              value={node.retryText ?? ''}
              testId="flow-field-retry-text"
              rows={2}
              maxLength={1000}
              onChange={(v) => patch({ retryText: v || null })}
            />
          </Field>
          <Field label={t('flows.maxInvalid')} hint={t('flows.maxInvalidHint')}>
            <IntInput
              testId="flow-field-max-invalid"
              value={node.maxInvalid}
              min={1}
              max={20}
              onChange={(maxInvalid) => patch({ maxInvalid })}
            />
          </Field>
        </div>
      )}
      <NextField def={def} node={node} patch={patch} />
    </>
  )
}

function NextField({ def, node, patch }: { def: FlowDefinition; node: FlowNode; patch: (p: NodePatch) => void }) {
  const { t } = useTranslation()
  if (node.type !== 'message' && node.type !== 'action') return null
  return (
    <Field label={t('flows.next')} hint={t('flows.nextHint')}>
      <NodeSelect
        nodes={def.nodes}
        testId="flow-field-next"
        value={node.next}
        exclude={node.key}
        noneLabel={node.children[0] ? t('flows.nextFirstChild', { key: node.children[0].key }) : t('flows.nextNone')}
        onChange={(next) => patch({ next })}
      />
    </Field>
  )
}

/** "Reached from option 1 of menu-principal · after bienvenida": what leads to the node. */
function ReachedFrom({ def, node, isStart }: { def: FlowDefinition; node: FlowNode; isStart: boolean }) {
  const { t } = useTranslation()
  const refs = referencesTo(def.nodes, node.key)
  const parts = [
    ...(isStart ? [t('flows.reached.start')] : []),
    ...refs.map((r) =>
      r.kind === 'option'
        ? t('flows.reached.option', { number: r.number, label: r.label || '…', from: r.from })
        : t('flows.reached.after', { from: r.from }),
    ),
  ]
  return (
    <p className={`small flow-reached ${parts.length === 0 ? 'flow-reached-none' : 'muted'}`} data-testid="flow-reached">
      {parts.length === 0 ? t('flows.reached.nothing') : t('flows.reached.list', { list: parts.join(' · ') })}
    </p>
  )
}

/** The form of the selected node: common fields, then those of its type. */
export default function NodeEditor({
  def,
  node,
  problems,
  readOnly,
  dispatch,
  onChangeType,
}: {
  def: FlowDefinition
  node: FlowNode
  problems: string[]
  readOnly: boolean
  dispatch: Dispatch
  /** asks before a change of type that would drop options or entries */
  onChangeType: (type: FlowNodeType) => void
}) {
  const { t } = useTranslation()
  const patch = (p: NodePatch) => dispatch({ type: 'update', key: node.key, patch: p })

  return (
    <section className="card flow-editor" data-testid="flow-editor" data-key={node.key} data-type={node.type}>
      <h2 className="flow-editor-title">
        <span className={`flow-type flow-type-${node.type}`}>
          <span aria-hidden="true">{TYPE_ICONS[node.type]}</span> {t(`flows.type.${node.type}`)}
        </span>{' '}
        {node.title || node.key}
      </h2>
      <ReachedFrom def={def} node={node} isStart={def.nodes[0]?.key === node.key} />
      {problems.length > 0 && (
        <ul className="flow-editor-problems" data-testid="flow-editor-problems">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <fieldset className="flow-fieldset" disabled={readOnly}>
        <div className="form-grid">
          <KeyField key={node.key} def={def} node={node} dispatch={dispatch} />
          <Field label={t('flows.nodeType')}>
            <select
              data-testid="flow-field-type"
              value={node.type}
              onChange={(e) => onChangeType(e.target.value as FlowNodeType)}
            >
              {FLOW_NODE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`flows.type.${type}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <Field label={t('flows.nodeTitle')} hint={t('flows.nodeTitleHint')}>
          <input
            data-testid="flow-field-title"
            value={node.title}
            maxLength={80}
            onChange={(e) => patch({ title: e.target.value })}
          />
        </Field>

        {node.type === 'message' && (
          <>
            <Field label={t('flows.messageText')} hint={t('flows.placeholdersHint')}>
              <TextArea value={node.text} testId="flow-field-text" rows={4} onChange={(text) => patch({ text })} />
            </Field>
            <Field label={t('flows.mediaUrl')} hint={t('flows.mediaUrlHint')}>
              <input
                data-testid="flow-field-media"
                type="url"
                value={node.mediaUrl ?? ''}
                maxLength={2000}
                placeholder="https://"
                onChange={(e) => patch({ mediaUrl: e.target.value.trim() || null })}
              />
            </Field>
            <NextField def={def} node={node} patch={patch} />
          </>
        )}

        {node.type === 'menu' && (
          <>
            <Field label={t('flows.menuPrompt')}>
              <TextArea value={node.text} testId="flow-field-text" onChange={(text) => patch({ text })} />
            </Field>
            <MenuOptions def={def} node={node} dispatch={dispatch} />
            <div className="form-grid">
              <Field label={t('flows.invalidText')} hint={t('flows.invalidTextHint')}>
                <TextArea
                  value={node.invalidText ?? ''}
                  testId="flow-field-invalid-text"
                  rows={2}
                  maxLength={1000}
                  placeholder={def.settings.invalidText}
                  onChange={(v) => patch({ invalidText: v || null })}
                />
              </Field>
              <Field label={t('flows.maxInvalid')} hint={t('flows.maxInvalidHint')}>
                <IntInput
                  testId="flow-field-max-invalid"
                  value={node.maxInvalid}
                  min={1}
                  max={20}
                  onChange={(maxInvalid) => patch({ maxInvalid })}
                />
              </Field>
            </div>
          </>
        )}

        {node.type === 'action' && <ActionFields def={def} node={node} patch={patch} />}

        {node.type === 'redirect' && (
          <>
            <Field label={t('flows.area')}>
              <AreaSelect
                testId="flow-field-area"
                value={node.areaId}
                noneLabel={t('flows.chooseArea')}
                onChange={(areaId) => patch({ areaId })}
              />
            </Field>
            <Field label={t('flows.redirectText')} hint={t('flows.placeholdersHint')}>
              <TextArea value={node.text} testId="flow-field-text" onChange={(text) => patch({ text })} />
            </Field>
          </>
        )}

        {node.type === 'end' && (
          <Field label={t('flows.endText')} hint={t('flows.endHint')}>
            <TextArea value={node.text} testId="flow-field-text" onChange={(text) => patch({ text })} />
          </Field>
        )}
      </fieldset>
    </section>
  )
}
