import { useTranslation } from 'react-i18next'
import type { FlowVersion } from '../../api/types'
import { fullDateTime } from '../../util'
import InlineError from '../InlineError'

/** The draft and every published / archived version; the others can be opened read-only. */
export default function VersionsPanel({
  versions,
  error,
  viewing,
  onView,
  onReload,
}: {
  versions: FlowVersion[] | null
  error: unknown
  /** the version shown read-only (null: the draft) */
  viewing: number | null
  onView: (number: number | null) => void
  onReload: () => void
}) {
  const { t, i18n } = useTranslation()
  const lang = i18n.resolvedLanguage ?? 'en'
  const sorted = [...(versions ?? [])].sort((a, b) => (a.number === 0 ? -1 : b.number === 0 ? 1 : b.number - a.number))
  return (
    <section className="card flow-editor" data-testid="flow-versions">
      <h2>{t('flows.versions')}</h2>
      <p className="muted small">{t('flows.versionsHelp')}</p>
      <InlineError error={error} onRetry={onReload} />
      {versions === null && error == null && <p className="muted">{t('common.loading')}</p>}
      <ul className="flow-version-list">
        {sorted.map((v) => {
          const current = (viewing ?? 0) === v.number
          return (
            <li
              key={v.number}
              className={`flow-version ${current ? 'flow-version-current' : ''}`}
              data-testid="flow-version"
              data-number={v.number}
              data-state={v.state}
            >
              <div>
                <strong>{v.number === 0 ? t('flows.draft') : t('flows.versionN', { n: v.number })}</strong>{' '}
                <span className={`chip chip-version-${v.state}`}>{t(`flows.state.${v.state}`)}</span>
                <div className="muted small">
                  {v.publishedAt
                    ? t('flows.publishedOn', { when: fullDateTime(v.publishedAt, lang) })
                    : t('flows.updatedOn', { when: fullDateTime(v.updatedAt, lang) })}
                </div>
              </div>
              {current ? (
                <span className="muted small">{t('flows.showing')}</span>
              ) : (
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  data-testid="flow-version-view"
                  onClick={() => onView(v.number === 0 ? null : v.number)}
                >
                  {v.number === 0 ? t('flows.backToDraft') : t('flows.view')}
                </button>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
