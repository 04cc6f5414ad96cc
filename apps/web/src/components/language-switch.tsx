import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '../lib/locales';

const NAMES: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

/** Each language is named in itself, so a reader of either can find theirs. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation('common');
  return (
    <Segmented<Locale>
      aria-label={t('language')}
      size="small"
      value={i18n.language as Locale}
      options={LOCALES.map((locale) => ({ label: NAMES[locale], value: locale }))}
      onChange={(locale) => void i18n.changeLanguage(locale)}
    />
  );
}
