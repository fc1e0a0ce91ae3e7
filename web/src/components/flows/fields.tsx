import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useAreas } from '../../areas'
import { flatten } from '../../flowTree'
import type { Channel, FlowNode } from '../../api/types'

/** A select over fixed values labelled `t(labelPrefix + '.' + value)`; '' stands for none. */
export function ChoiceSelect<T extends string>({
  testId,
  value,
  choices,
  labelPrefix,
  emptyLabel,
  onChange,
}: {
  testId: string
  value: T | null | undefined
  choices: readonly T[]
  labelPrefix: string
  emptyLabel: string
  onChange: (value: T | null) => void
}) {
  const { t } = useTranslation()
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      onChange={(e) => onChange((e.target.value || null) as T | null)}
    >
      <option value="">{emptyLabel}</option>
      {choices.map((c) => (
        <option key={c} value={c}>
          {t(`${labelPrefix}.${c as string}`)}
        </option>
      ))}
    </select>
  )
}

/**
 * A list of words typed comma-separated ("menu, menú, 0"). The text is kept as typed while
 * editing (a trailing comma stays); the parent gets the parsed list on every change.
 */
export function ListInput({
  value,
  onChange,
  parse,
  testId,
  placeholder,
  disabled,
  ariaLabel,
}: {
  value: string[]
  onChange: (next: string[]) => void
  parse: (text: string) => string[]
  testId?: string
  placeholder?: string
  disabled?: boolean
  ariaLabel?: string
}) {
  const [text, setText] = useState(() => value.join(', '))
  // Replaced from outside (another node, discard…): show the new list.
  const joined = value.join('\n')
  const [shown, setShown] = useState(joined)
  if (joined !== shown) {
    setShown(joined)
    if (parse(text).join('\n') !== joined) setText(value.join(', '))
  }
  return (
    <input
      data-testid={testId}
      value={text}
      placeholder={placeholder}
      disabled={disabled}
      aria-label={ariaLabel}
      onChange={(e) => {
        setText(e.target.value)
        onChange(parse(e.target.value))
      }}
      onBlur={() => setText(value.join(', '))}
    />
  )
}

/** An integer field that only reports valid numbers in [min, max] (the text stays as typed). */
export function IntInput({
  value,
  min,
  max,
  onChange,
  testId,
  disabled,
  ariaLabel,
  className,
}: {
  value: number
  min: number
  max: number
  onChange: (n: number) => void
  testId?: string
  disabled?: boolean
  ariaLabel?: string
  className?: string
}) {
  const [text, setText] = useState(String(value))
  const [shown, setShown] = useState(value)
  if (value !== shown) {
    setShown(value)
    if (Number(text) !== value || text.trim() === '') setText(String(value))
  }
  const n = Number(text)
  const valid = text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max
  return (
    <input
      className={`${className ?? ''} ${valid ? '' : 'input-bad'}`}
      data-testid={testId}
      inputMode="numeric"
      value={text}
      disabled={disabled}
      aria-label={ariaLabel}
      aria-invalid={!valid}
      onChange={(e) => {
        setText(e.target.value)
        const next = Number(e.target.value)
        if (e.target.value.trim() !== '' && Number.isInteger(next) && next >= min && next <= max) {
          onChange(next)
        }
      }}
      onBlur={() => setText(String(value))}
    />
  )
}

/** A node of the flow (or none): for `next`, option targets and the main menu. */
export function NodeSelect({
  nodes,
  value,
  onChange,
  noneLabel,
  exclude,
  only,
  testId,
  disabled,
  ariaLabel,
  extra,
}: {
  nodes: FlowNode[]
  value: string | null
  onChange: (key: string | null) => void
  noneLabel: string
  exclude?: string
  only?: (n: FlowNode) => boolean
  testId?: string
  disabled?: boolean
  ariaLabel?: string
  /** more choices before the nodes (e.g. "hand over to a person") */
  extra?: { value: string; label: string }[]
}) {
  const { t } = useTranslation()
  const listed = flatten(nodes).filter((p) => p.node.key !== exclude && (!only || only(p.node)))
  const missing = value !== null && !listed.some((p) => p.node.key === value) && !extra?.some((x) => x.value === value)
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      disabled={disabled}
      aria-label={ariaLabel}
      onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
    >
      <option value="">{noneLabel}</option>
      {extra?.map((x) => (
        <option key={x.value} value={x.value}>
          {x.label}
        </option>
      ))}
      {missing && <option value={value}>{t('flows.missingNode', { key: value })}</option>}
      {listed.map((p) => (
        <option key={p.node.key} value={p.node.key}>
          {p.node.title ? `${p.node.title} (${p.node.key})` : p.node.key} · {t(`flows.type.${p.node.type}`)}
        </option>
      ))}
    </select>
  )
}

/** An area (or none); inactive ones are marked, an unknown id is kept visible. */
export function AreaSelect({
  value,
  onChange,
  noneLabel,
  testId,
  disabled,
}: {
  value: number | null
  onChange: (id: number | null) => void
  noneLabel: string
  testId?: string
  disabled?: boolean
}) {
  const { t } = useTranslation()
  const { areas } = useAreas()
  const known = value === null || (areas ?? []).some((a) => a.id === value)
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    >
      <option value="">{noneLabel}</option>
      {!known && <option value={value ?? ''}>{t('flows.unknownArea', { id: value })}</option>}
      {(areas ?? []).map((a) => (
        <option key={a.id} value={a.id}>
          {a.name}
          {a.active ? '' : ` (${t('flows.inactive')})`}
        </option>
      ))}
    </select>
  )
}

/** A channel picker where "" is every channel (a default flow). */
export function ChannelSelect({
  channels,
  value,
  onChange,
  testId,
}: {
  channels: Channel[] | null
  value: number | null
  onChange: (id: number | null) => void
  testId?: string
}) {
  const { t } = useTranslation()
  return (
    <select
      data-testid={testId}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
    >
      <option value="">{t('flows.allChannels')}</option>
      {channels?.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </select>
  )
}
