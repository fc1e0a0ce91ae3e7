import { useTranslation } from 'react-i18next'
import { flatten, parseList } from '../../flowTree'
import type { FlowDefinition, FlowSettings } from '../../api/types'
import { AreaSelect, ListInput, NodeSelect } from './fields'

/** The flow's triggers and fallbacks: keywords, the main menu, the default area, texts. */
export default function SettingsForm({
  def,
  readOnly,
  problems,
  onChange,
}: {
  def: FlowDefinition
  readOnly: boolean
  /** the problems of the whole flow (no node) */
  problems: string[]
  onChange: (patch: Partial<FlowSettings>) => void
}) {
  const { t } = useTranslation()
  const s = def.settings
  const firstMenu = flatten(def.nodes).find((p) => p.node.type === 'menu')?.node.key ?? null

  return (
    <section className="card flow-editor" data-testid="flow-settings">
      <h2>{t('flows.settings')}</h2>
      <p className="muted small">{t('flows.settingsHelp')}</p>
      {problems.length > 0 && (
        <ul className="flow-editor-problems" data-testid="flow-settings-problems">
          {problems.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <fieldset className="flow-fieldset" disabled={readOnly}>
        <label className="field">
          <span>{t('flows.menuKeywords')}</span>
          <ListInput
            testId="flow-setting-menu-keywords"
            value={s.menuKeywords}
            parse={parseList}
            onChange={(menuKeywords) => onChange({ menuKeywords })}
          />
          <span className="muted small">{t('flows.menuKeywordsHint')}</span>
        </label>
        <label className="field">
          <span>{t('flows.humanKeywords')}</span>
          <ListInput
            testId="flow-setting-human-keywords"
            value={s.humanKeywords}
            parse={parseList}
            onChange={(humanKeywords) => onChange({ humanKeywords })}
          />
          <span className="muted small">{t('flows.humanKeywordsHint')}</span>
        </label>
        <div className="form-grid">
          <label className="field">
            <span>{t('flows.mainMenu')}</span>
            <NodeSelect
              nodes={def.nodes}
              testId="flow-setting-menu-key"
              value={s.menuKey}
              only={(n) => n.type === 'menu'}
              noneLabel={firstMenu ? t('flows.firstMenuIs', { key: firstMenu }) : t('flows.noMenu')}
              onChange={(menuKey) => onChange({ menuKey })}
            />
          </label>
          <label className="field">
            <span>{t('flows.defaultArea')}</span>
            <AreaSelect
              testId="flow-setting-default-area"
              value={s.defaultAreaId}
              noneLabel={t('flows.noDefaultArea')}
              onChange={(defaultAreaId) => onChange({ defaultAreaId })}
            />
            <span className="muted small">{t('flows.defaultAreaHint')}</span>
          </label>
        </div>
        <label className="field">
          <span>{t('flows.invalidText')}</span>
          <textarea
            className="field-textarea"
            data-testid="flow-setting-invalid-text"
            rows={2}
            maxLength={1000}
            value={s.invalidText}
            onChange={(e) => onChange({ invalidText: e.target.value })}
          />
          <span className="muted small">{t('flows.settingsInvalidHint')}</span>
        </label>
        <label className="field">
          <span>{t('flows.humanText')}</span>
          <textarea
            className="field-textarea"
            data-testid="flow-setting-human-text"
            rows={2}
            maxLength={1000}
            value={s.humanText}
            onChange={(e) => onChange({ humanText: e.target.value })}
          />
          <span className="muted small">{t('flows.humanTextHint')}</span>
        </label>
      </fieldset>
    </section>
  )
}
