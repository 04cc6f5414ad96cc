import { Empty, Layout, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMe } from '../api/get-me';
import { TopBar } from '../components/top-bar';

/** The signed-in frame; chat, directory and the consoles fill it in later slices. */
export function ShellRoute() {
  const { t } = useTranslation('shell');
  const me = useMe();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <TopBar />
      <Layout.Content style={{ display: 'grid', placeItems: 'center' }}>
        <Empty description={<Typography.Text>{me.data ? t('welcome', { name: me.data.name }) : t('empty')}</Typography.Text>}>
          <Typography.Text type="secondary">{t('empty')}</Typography.Text>
        </Empty>
      </Layout.Content>
    </Layout>
  );
}
