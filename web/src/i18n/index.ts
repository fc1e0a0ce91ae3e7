import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'

export const LANGUAGES = [
  { code: 'es', label: 'Español' },
  { code: 'en', label: 'English' },
  { code: 'pt-BR', label: 'Português (Brasil)' },
] as const

export type LanguageCode = (typeof LANGUAGES)[number]['code']

const STORAGE_KEY = 'helpline.lang'

function isLanguage(value: string | null): value is LanguageCode {
  return LANGUAGES.some((l) => l.code === value)
}

/** Saved choice, else the browser language (es* → es, pt* → pt-BR, else en). */
export function detectLanguage(): LanguageCode {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY)
    if (isLanguage(saved)) return saved
  } catch {
    // localStorage may be unavailable (privacy mode); fall through.
  }
  const nav = (navigator.language || 'en').toLowerCase()
  if (nav.startsWith('es')) return 'es'
  if (nav.startsWith('pt')) return 'pt-BR'
  return 'en'
}

export function setLanguage(code: LanguageCode): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, code)
  } catch {
    // ignore
  }
  void i18n.changeLanguage(code)
}

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng
})

// Only the active language is fetched (its JSON is a chunk of its own); another one is
// fetched when chosen, and i18next switches once it has arrived.
const loaders: Record<LanguageCode, () => Promise<{ default: Record<string, unknown> }>> = {
  es: () => import('./es.json'),
  en: () => import('./en.json'),
  'pt-BR': () => import('./pt-BR.json'),
}

const lazyLocales = {
  type: 'backend' as const,
  init() {},
  read(language: string, _namespace: string, done: (err: unknown, data?: Record<string, unknown>) => void) {
    const load = isLanguage(language) ? loaders[language] : undefined
    if (!load) return done(new Error(`no locale ${language}`))
    load().then(
      (m) => done(null, m.default),
      (err: unknown) => done(err),
    )
  },
}

/** Resolves once the active language's strings are loaded: main.tsx renders after it. */
export const i18nReady = i18n
  .use(lazyLocales)
  .use(initReactI18next)
  .init({
    lng: detectLanguage(),
    // Every locale has every key (scripts/check-locales.mjs), so no fallback is fetched.
    fallbackLng: false,
    supportedLngs: LANGUAGES.map((l) => l.code),
    // i18next would otherwise also look for a bare "pt" file.
    load: 'currentOnly',
    interpolation: { escapeValue: false },
    returnNull: false,
    react: { useSuspense: false },
  })
