/** The languages the client speaks; zh-CN first, as Chinese enterprise software does. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);
