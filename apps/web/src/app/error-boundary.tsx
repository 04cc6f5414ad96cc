import { Button, Result } from 'antd';
import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

function Fallback() {
  const { t } = useTranslation('common');
  return (
    <Result
      status="error"
      title={t('boundary.title')}
      extra={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t('boundary.retry')}
        </Button>
      }
    />
  );
}

/** An unexpected error shows a way back instead of a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    return this.state.failed ? <Fallback /> : this.props.children;
  }
}
