import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { client, unwrap } from '../api/client'
import { channelsQuery } from '../api/queries'
import type { BotRule, BotSettings, BotTry } from '../api/types'
import { useAreas } from '../areas'
import { useAuth } from '../auth'
import InlineError from '../components/InlineError'
import { useSocketEvent } from '../socket'
import { errorMessage } from '../util'

type Match = NonNullable<BotRule['match']>
const MATCHES: readonly Match[] = ['contains', 'exact', 'regex']

interface RuleForm {
  /** null: adding a new rule; else its index in the list being edited */
  index: number | null
  match: Match
  pattern: string
  answer: string
  target: 'none' | 'node' | 'area'
  nodeKey: string
  areaId: number | null
  active: boolean
}

const EMPTY_RULE: RuleForm = {
  index: null,
  match: 'contains',
  pattern: '',
  answer: '',
  target: 'none',
  nodeKey: '',
  areaId: null,
  active: true,
}

const botKey = (channelId: number | null) => ['bot', channelId ?? 'default'] as const

function toRule(f: RuleForm): BotRule {
  return {
    match: f.match,
    pattern: f.pattern.trim(),
    answer: f.answer.trim(),
    nodeKey: f.target === 'node' ? f.nodeKey || null : null,
    areaId: f.target === 'area' ? f.areaId : null,
    active: f.active,
  }
}

function toForm(rule: BotRule, index: number): RuleForm {
  return {
    index,
    match: rule.match ?? 'contains',
    pattern: rule.pattern,
    answer: rule.answer ?? '',
    target: rule.nodeKey ? 'node' : rule.areaId ? 'area' : 'none',
    nodeKey: rule.nodeKey ?? '',
    areaId: rule.areaId ?? null,
    active: rule.active ?? true,
  }
}

/** The simple bot of a channel: welcome and out-of-hours messages, keyword rules (tried in
 *  order, before the flow) and a box to try a message. Admins and supervisors edit. */
export default function BotPage() {
  const { t } = useTranslation()
  const { user } = useAuth()
  const { areas, nameOf } = useAreas()
  const qc = useQueryClient()
  const channelsQ = useQuery(channelsQuery)
  const [channelId, setChannelId] = useState<number | null>(null)
  const botQ = useQuery({
    queryKey: botKey(channelId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET('/api/bot', {
          params: { query: channelId === null ? {} : { channel: channelId } },
          signal,
        }),
      ),
  })
  useSocketEvent<{ channelId?: number }>('bot:updated', () => {
    void qc.invalidateQueries({ queryKey: ['bot'] })
  })

  // Unsaved edits; null shows the saved settings (live: `bot:updated` refetches them).
  const [edits, setEdits] = useState<BotSettings | null>(null)
  const draft = edits ?? botQ.data ?? null
  const dirty = edits !== null
  const [form, setForm] = useState<RuleForm>(EMPTY_RULE)
  const [tryText, setTryText] = useState('')
  const [tried, setTried] = useState<BotTry | null>(null)

  const save = useMutation({
    mutationFn: (bot: BotSettings) =>
      unwrap(
        client.PUT('/api/bot', {
          params: { query: { channel: bot.channelId } },
          body: {
            welcomeMessage: bot.welcomeMessage,
            outOfHoursMessage: bot.outOfHoursMessage,
            rules: bot.rules.map((r) => toRule(toForm(r, 0))),
          },
        }),
      ),
    onSuccess: (saved) => {
      qc.setQueryData(botKey(channelId), saved)
      setEdits(null)
    },
  })
  const tryIt = useMutation({
    mutationFn: (text: string) =>
      unwrap(
        client.POST('/api/bot/try', {
          params: { query: draft ? { channel: draft.channelId } : {} },
          body: { text, rules: (draft?.rules ?? []).map((r) => toRule(toForm(r, 0))) },
        }),
      ),
    onSuccess: setTried,
  })

  if (!user) return null
  const mayEdit = user.role === 'ADMIN' || user.role === 'SUPERVISOR'
  const activeAreas = (areas ?? []).filter((a) => a.active)

  const edit = (change: Partial<BotSettings>) => {
    if (!draft) return
    setEdits({ ...draft, ...change })
    setTried(null)
  }
  const setRules = (rules: BotRule[]) =>
    edit({ rules: rules.map((r, i) => ({ ...r, position: i + 1 })) as BotSettings['rules'] })
  const rules: BotRule[] = draft?.rules ?? []

  const move = (index: number, delta: -1 | 1) => {
    const to = index + delta
    if (to < 0 || to >= rules.length) return
    const next = [...rules]
    const [moved] = next.splice(index, 1)
    if (!moved) return
    next.splice(to, 0, moved)
    setRules(next)
  }

  const submitRule = (e: FormEvent) => {
    e.preventDefault()
    const rule = toRule(form)
    if (form.index === null) setRules([...rules, rule])
    else setRules(rules.map((r, i) => (i === form.index ? rule : r)))
    setForm(EMPTY_RULE)
  }

  const pickChannel = (value: string) => {
    setChannelId(value ? Number(value) : null)
    setEdits(null)
    setForm(EMPTY_RULE)
    setTried(null)
  }

  const targetLabel = (r: BotRule) =>
    r.nodeKey
      ? t('bot.jumpsTo', { node: r.nodeKey })
      : r.areaId
        ? t('bot.handsOverTo', { area: nameOf(r.areaId) ?? `#${r.areaId}` })
        : '—'

  const canAdd =
    form.pattern.trim() !== '' &&
    (form.answer.trim() !== '' ||
      (form.target === 'node' && form.nodeKey !== '') ||
      (form.target === 'area' && form.areaId !== null))

  return (
    <div className="admin-page bot-page" data-testid="bot-page">
      <div className="admin-head">
        <h1>{t('bot.title')}</h1>
        <label className="field">
          <span>{t('bot.channel')}</span>
          <select
            data-testid="bot-channel"
            value={channelId ?? draft?.channelId ?? ''}
            onChange={(e) => pickChannel(e.target.value)}
          >
            {(channelsQ.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" data-testid="bot-help">
        {t('bot.help')}
      </p>
      <InlineError error={botQ.error} onRetry={() => void botQ.refetch()} />
      {draft === null ? (
        botQ.error == null && <div className="muted pad">{t('common.loading')}</div>
      ) : (
        <>
          <div className="card admin-create">
            <h2>{t('bot.messages')}</h2>
            <label className="field">
              <span>{t('bot.welcome')}</span>
              <textarea
                className="field-textarea"
                data-testid="bot-welcome"
                rows={2}
                maxLength={4096}
                disabled={!mayEdit}
                value={draft.welcomeMessage ?? ''}
                placeholder={t('bot.welcomeHint')}
                onChange={(e) => edit({ welcomeMessage: e.target.value })}
              />
            </label>
            <label className="field">
              <span>{t('bot.outOfHours')}</span>
              <textarea
                className="field-textarea"
                data-testid="bot-out-of-hours"
                rows={2}
                maxLength={4096}
                disabled={!mayEdit}
                value={draft.outOfHoursMessage ?? ''}
                placeholder={t('bot.outOfHoursHint')}
                onChange={(e) => edit({ outOfHoursMessage: e.target.value })}
              />
            </label>
            <p className="muted small">
              {draft.flowName ? t('bot.flowIs', { flow: draft.flowName }) : t('bot.noFlow')}
            </p>
          </div>

          <div className="card admin-table-card">
            <h2 className="pad">{t('bot.rules')}</h2>
            {rules.length === 0 ? (
              <div className="muted pad" data-testid="bot-rules-empty">
                {t('bot.noRules')}
              </div>
            ) : (
              <table className="admin-table" data-testid="bot-rules">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>{t('bot.match')}</th>
                    <th>{t('bot.pattern')}</th>
                    <th>{t('bot.answer')}</th>
                    <th>{t('bot.then')}</th>
                    <th>
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rules.map((r, i) => (
                    <tr
                      key={`${i}-${r.pattern}`}
                      data-testid="bot-rule"
                      className={tried?.position === i + 1 ? 'row-highlight' : undefined}
                    >
                      <td className="cell-order">
                        {i + 1}
                        {mayEdit && (
                          <>
                            <button
                              type="button"
                              className="btn btn-ghost btn-xs"
                              aria-label={t('bot.up')}
                              data-testid="bot-rule-up"
                              disabled={i === 0}
                              onClick={() => move(i, -1)}
                            >
                              ↑
                            </button>
                            <button
                              type="button"
                              className="btn btn-ghost btn-xs"
                              aria-label={t('bot.down')}
                              data-testid="bot-rule-down"
                              disabled={i === rules.length - 1}
                              onClick={() => move(i, 1)}
                            >
                              ↓
                            </button>
                          </>
                        )}
                      </td>
                      <td>{t(`bot.matchKind.${r.match ?? 'contains'}`)}</td>
                      <td>
                        <code>{r.pattern}</code>
                        {r.active === false && <span className="muted small"> ({t('bot.off')})</span>}
                      </td>
                      <td>{r.answer}</td>
                      <td>{targetLabel(r)}</td>
                      <td className="cell-actions">
                        {mayEdit && (
                          <>
                            <button
                              type="button"
                              className="btn btn-ghost btn-sm"
                              data-testid="bot-rule-edit"
                              onClick={() => setForm(toForm(r, i))}
                            >
                              {t('common.edit')}
                            </button>
                            <button
                              type="button"
                              className="btn btn-ghost btn-sm btn-danger-text"
                              data-testid="bot-rule-delete"
                              onClick={() => setRules(rules.filter((_, j) => j !== i))}
                            >
                              {t('common.delete')}
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>

          {mayEdit && (
            <form className="card admin-create" onSubmit={submitRule} data-testid="bot-rule-form">
              <h2>{form.index === null ? t('bot.newRule') : t('bot.editRule', { n: form.index + 1 })}</h2>
              <div className="form-row">
                <label className="field">
                  <span>{t('bot.match')}</span>
                  <select
                    data-testid="bot-rule-match"
                    value={form.match}
                    onChange={(e) => setForm({ ...form, match: e.target.value as Match })}
                  >
                    {MATCHES.map((m) => (
                      <option key={m} value={m}>
                        {t(`bot.matchKind.${m}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field field-grow">
                  <span>{t('bot.pattern')}</span>
                  <input
                    data-testid="bot-rule-pattern"
                    value={form.pattern}
                    maxLength={200}
                    placeholder={form.match === 'regex' ? 'hor(a|ario)s?' : t('bot.patternHint')}
                    onChange={(e) => setForm({ ...form, pattern: e.target.value })}
                  />
                </label>
                <label className="field">
                  <span>{t('bot.active')}</span>
                  <input
                    type="checkbox"
                    data-testid="bot-rule-active"
                    checked={form.active}
                    onChange={(e) => setForm({ ...form, active: e.target.checked })}
                  />
                </label>
              </div>
              <label className="field">
                <span>{t('bot.answer')}</span>
                <textarea
                  className="field-textarea"
                  data-testid="bot-rule-answer"
                  rows={2}
                  maxLength={4096}
                  value={form.answer}
                  onChange={(e) => setForm({ ...form, answer: e.target.value })}
                />
              </label>
              <div className="form-row">
                <label className="field">
                  <span>{t('bot.then')}</span>
                  <select
                    data-testid="bot-rule-target"
                    value={form.target}
                    onChange={(e) => setForm({ ...form, target: e.target.value as RuleForm['target'] })}
                  >
                    <option value="none">{t('bot.targetNone')}</option>
                    <option value="node" disabled={draft.nodes.length === 0}>
                      {t('bot.targetNode')}
                    </option>
                    <option value="area">{t('bot.targetArea')}</option>
                  </select>
                </label>
                {form.target === 'node' && (
                  <label className="field field-grow">
                    <span>{t('bot.node')}</span>
                    <select
                      data-testid="bot-rule-node"
                      value={form.nodeKey}
                      onChange={(e) => setForm({ ...form, nodeKey: e.target.value })}
                    >
                      <option value="">{t('bot.chooseNode')}</option>
                      {draft.nodes.map((n) => (
                        <option key={n.key} value={n.key}>
                          {n.label}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
                {form.target === 'area' && (
                  <label className="field field-grow">
                    <span>{t('bot.area')}</span>
                    <select
                      data-testid="bot-rule-area"
                      value={form.areaId ?? ''}
                      onChange={(e) =>
                        setForm({ ...form, areaId: e.target.value ? Number(e.target.value) : null })
                      }
                    >
                      <option value="">{t('bot.chooseArea')}</option>
                      {activeAreas.map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.name}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </div>
              <div className="form-row">
                <button type="submit" className="btn" data-testid="bot-rule-add" disabled={!canAdd}>
                  {form.index === null ? t('bot.addRule') : t('bot.updateRule')}
                </button>
                {form.index !== null && (
                  <button type="button" className="btn btn-ghost" onClick={() => setForm(EMPTY_RULE)}>
                    {t('common.cancel')}
                  </button>
                )}
              </div>
            </form>
          )}

          {mayEdit && (
            <div className="form-row">
              <button
                type="button"
                className="btn btn-primary"
                data-testid="bot-save"
                disabled={!dirty || save.isPending}
                onClick={() => save.mutate(draft)}
              >
                {save.isPending ? t('common.saving') : t('common.save')}
              </button>
              {dirty && <span className="muted small">{t('bot.unsaved')}</span>}
              {!dirty && save.isSuccess && (
                <span className="muted small" data-testid="bot-saved">
                  {t('bot.saved')}
                </span>
              )}
            </div>
          )}
          {save.error != null && (
            <p className="form-error" role="alert" data-testid="bot-error">
              {errorMessage(save.error, t)}
            </p>
          )}

          <form
            className="card admin-create"
            data-testid="bot-try"
            onSubmit={(e) => {
              e.preventDefault()
              if (tryText.trim()) tryIt.mutate(tryText)
            }}
          >
            <h2>{t('bot.tryTitle')}</h2>
            <div className="form-row">
              <input
                className="field-grow"
                data-testid="bot-try-text"
                value={tryText}
                maxLength={4096}
                placeholder={t('bot.tryHint')}
                onChange={(e) => setTryText(e.target.value)}
              />
              <button type="submit" className="btn" data-testid="bot-try-run" disabled={!tryText.trim()}>
                {t('bot.try')}
              </button>
            </div>
            {tried && (
              <p data-testid="bot-try-result">
                {tried.matched && tried.rule
                  ? t('bot.tryMatched', { n: tried.position, pattern: tried.rule.pattern })
                  : t('bot.tryNoMatch')}
                {tried.rule?.answer ? ` — “${tried.rule.answer}”` : ''}
              </p>
            )}
            {tryIt.error != null && (
              <p className="form-error" role="alert">
                {errorMessage(tryIt.error, t)}
              </p>
            )}
          </form>
        </>
      )}
    </div>
  )
}
