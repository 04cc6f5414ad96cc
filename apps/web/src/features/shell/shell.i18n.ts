import type { Locale } from '../../lib/locales';

export const shellI18n: Record<Locale, Record<string, unknown>> = {
  'zh-CN': {
    signOut: '退出登录',
    welcome: '欢迎，{{name}}',
    empty: '消息、通讯录和工作台即将上线',
  },
  en: {
    signOut: 'Sign out',
    welcome: 'Welcome, {{name}}',
    empty: 'Chat, directory and workbench are coming next',
  },
};
