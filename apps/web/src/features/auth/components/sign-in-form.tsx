import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../lib/use-error-message';
import { type SignInInput, useSignIn } from '../api/sign-in';

export function SignInForm() {
  const { t } = useTranslation('auth');
  const signIn = useSignIn();
  const errorMessage = useErrorMessage();
  const required = (field: string) => [{ required: true, whitespace: true, message: t('required', { field: t(field) }) }];
  return (
    <Form<SignInInput> layout="vertical" requiredMark={false} onFinish={(values) => signIn.mutate(values)} initialValues={{ corp: 'demo' }}>
      {signIn.isError && <Alert role="alert" type="error" showIcon title={errorMessage(signIn.error)} style={{ marginBottom: 16 }} />}
      <Form.Item name="corp" label={t('corp')} rules={required('corp')}>
        <Input placeholder={t('corpPlaceholder')} autoComplete="organization" />
      </Form.Item>
      <Form.Item name="account" label={t('account')} rules={required('account')}>
        <Input placeholder={t('accountPlaceholder')} autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item name="password" label={t('password')} rules={required('password')}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
        {t('submit')}
      </Button>
    </Form>
  );
}
