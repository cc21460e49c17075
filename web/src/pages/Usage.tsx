// Usage: the caller's balance and ledger (charges, refunds, top-ups), each row linked to its task.
import { Card } from '@douyinfe/semi-ui';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { formatQuota } from '../format';
import { LedgerList } from './LedgerList';

interface Self {
  quota: number;
  used_quota: number;
  request_count: number;
}

export function Usage() {
  const { t } = useTranslation();
  const self = useQuery({ queryKey: ['self'], queryFn: () => api<Self>('GET', '/api/user/self') });
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">{t('Usage')}</h1>
      <div className="tg-balance">
        <Card title={t('Balance')} style={{ minWidth: 160 }}>
          <strong data-testid="balance">{self.data ? formatQuota(self.data.quota) : '…'}</strong>
        </Card>
        <Card title={t('Used')} style={{ minWidth: 160 }}>
          {self.data ? formatQuota(self.data.used_quota) : '…'}
        </Card>
        <Card title={t('Requests')} style={{ minWidth: 160 }}>
          {self.data ? self.data.request_count : '…'}
        </Card>
      </div>
      <LedgerList admin={false} />
    </section>
  );
}
