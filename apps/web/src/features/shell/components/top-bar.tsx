import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Flex, Layout, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../../../components/language-switch';
import { useMe } from '../api/get-me';
import { useSignOut } from '../api/sign-out';

export function TopBar() {
  const { t } = useTranslation(['shell', 'common']);
  const me = useMe();
  const signOut = useSignOut();
  return (
    <Layout.Header style={{ background: '#fff', borderBottom: '1px solid #f0f0f0', paddingInline: 24 }}>
      <Flex justify="space-between" align="center" style={{ height: '100%' }}>
        <Typography.Text strong style={{ fontSize: 18 }}>
          {t('common:appName')}
        </Typography.Text>
        <Space size="middle">
          <LanguageSwitch />
          <Space>
            <Avatar size="small" icon={<UserOutlined />} />
            <Typography.Text data-testid="user-name">{me.data?.name}</Typography.Text>
          </Space>
          <Button icon={<LogoutOutlined />} onClick={() => signOut.mutate()} loading={signOut.isPending}>
            {t('signOut')}
          </Button>
        </Space>
      </Flex>
    </Layout.Header>
  );
}
