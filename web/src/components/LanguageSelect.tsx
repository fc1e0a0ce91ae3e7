import { useTranslation } from 'react-i18next'
import { LANGUAGES, setLanguage } from '../i18n'
import type { LanguageCode } from '../i18n'

export default function LanguageSelect({ className }: { className?: string }) {
  const { t, i18n } = useTranslation()
  const current = LANGUAGES.find((l) => l.code === i18n.resolvedLanguage)?.code ?? 'en'
  return (
    <label className={`lang-select ${className ?? ''}`}>
      <span className="visually-hidden">{t('header.language')}</span>
      <select
        data-testid="language-select"
        value={current}
        title={t('header.language')}
        onChange={(e) => setLanguage(e.target.value as LanguageCode)}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  )
}
