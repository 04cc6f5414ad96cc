import { useTranslation } from 'react-i18next';
import { ApiError } from './api-client';

/** The user's-language sentence for a failure, chosen by the server's stable code. */
export function useErrorMessage(): (error: unknown) => string {
  const { t, i18n } = useTranslation('common');
  return (error) => {
    const code = error instanceof ApiError ? error.code : 'unknown';
    if (code === 'RATE_LIMITED' && error instanceof ApiError && error.retryAfterSeconds === undefined) {
      return t('errors.RATE_LIMITED_noWait');
    }
    const key = `errors.${code}`;
    return i18n.exists(key, { ns: 'common' })
      ? t(key, { seconds: error instanceof ApiError ? error.retryAfterSeconds : undefined })
      : t('errors.unknown', { code });
  };
}
