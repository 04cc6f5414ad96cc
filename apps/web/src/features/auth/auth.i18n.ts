import type { Locale } from '../../lib/locales';

export const authI18n: Record<Locale, Record<string, unknown>> = {
  'zh-CN': {
    title: '登录 Atrium',
    subtitle: '企业协作平台',
    corp: '企业',
    corpPlaceholder: '企业代码，如 demo',
    account: '账号',
    accountPlaceholder: '账号，如 admin',
    password: '密码',
    submit: '登录',
    required: '请输入{{field}}',
  },
  en: {
    title: 'Sign in to Atrium',
    subtitle: 'Enterprise collaboration',
    corp: 'Corp',
    corpPlaceholder: 'Corp code, e.g. demo',
    account: 'Account',
    accountPlaceholder: 'Account, e.g. admin',
    password: 'Password',
    submit: 'Sign in',
    required: 'Enter your {{field}}',
  },
};
