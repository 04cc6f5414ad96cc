import { Card, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../../components/language-switch';
import { SignInForm } from '../components/sign-in-form';

export function SignInRoute() {
  const { t } = useTranslation('auth');
  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }}>
        <Flex justify="space-between" align="start">
          <div>
            <Typography.Title level={3} style={{ marginTop: 0 }}>
              {t('title')}
            </Typography.Title>
            <Typography.Paragraph type="secondary">{t('subtitle')}</Typography.Paragraph>
          </div>
          <LanguageSwitch />
        </Flex>
        <SignInForm />
      </Card>
    </Flex>
  );
}
