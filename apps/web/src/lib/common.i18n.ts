import type { Locale } from './locales';

/** Strings every screen shares, and the server's error codes in words. */
export const commonI18n: Record<Locale, Record<string, unknown>> = {
  'zh-CN': {
    appName: 'Atrium',
    language: '语言',
    errors: {
      INVALID_CREDENTIALS: '企业、账号或密码不正确',
      ACCOUNT_DISABLED: '该账号已停用，请联系管理员',
      RATE_LIMITED: '尝试次数过多，请 {{seconds}} 秒后再试',
      RATE_LIMITED_noWait: '尝试次数过多，请稍后再试',
      VALIDATION_FAILED: '请检查填写的内容',
      UNAUTHENTICATED: '登录已失效，请重新登录',
      TOKEN_EXPIRED: '登录已过期，请重新登录',
      NETWORK: '无法连接服务器，请检查网络',
      unknown: '出错了（{{code}}），请稍后再试',
    },
    boundary: { title: '页面出错了', retry: '重新加载' },
  },
  en: {
    appName: 'Atrium',
    language: 'Language',
    errors: {
      INVALID_CREDENTIALS: 'The corp, account or password is incorrect',
      ACCOUNT_DISABLED: 'This account is disabled; ask your administrator',
      RATE_LIMITED: 'Too many attempts; try again in {{seconds}} seconds',
      RATE_LIMITED_noWait: 'Too many attempts; try again later',
      VALIDATION_FAILED: 'Please check what you entered',
      UNAUTHENTICATED: 'You are signed out; please sign in again',
      TOKEN_EXPIRED: 'Your session expired; please sign in again',
      NETWORK: 'Cannot reach the server; check your connection',
      unknown: 'Something went wrong ({{code}}); please try again',
    },
    boundary: { title: 'This page failed', retry: 'Reload' },
  },
};
