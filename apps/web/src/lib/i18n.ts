import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { authI18n } from '../features/auth/auth.i18n';
import { shellI18n } from '../features/shell/shell.i18n';
import { commonI18n } from './common.i18n';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from './locales';

const STORAGE_KEY = 'atrium.locale';

/** The user's last choice survives a reload; it is a preference, not a secret. */
function initialLocale(): Locale {
  const saved = window.localStorage.getItem(STORAGE_KEY);
  return isLocale(saved) ? saved : DEFAULT_LOCALE;
}

const bundles = { common: commonI18n, auth: authI18n, shell: shellI18n };
const resources = Object.fromEntries(
  LOCALES.map((locale) => [locale, Object.fromEntries(Object.entries(bundles).map(([ns, bundle]) => [ns, bundle[locale]]))]),
);

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLocale(),
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  defaultNS: 'common',
  interpolation: { escapeValue: false },
});

i18n.on('languageChanged', (locale) => {
  window.localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
});
document.documentElement.lang = i18n.language;

export { i18n };
