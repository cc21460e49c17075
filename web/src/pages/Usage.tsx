// Usage: the caller's balance and ledger (charges, refunds, top-ups), each row linked to its task.
import { Card, Table, Tag } from '@douyinfe/semi-ui';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Paged, queryString } from '../api';
import {
  EmptyState,
  ErrorState,
  FilterBar,
  focusableRow,
  formatQuota,
  formatTime,
  pagination,
  SelectFilter,
  TextFilter,
  useDraft,
  useListParams,
} from '../list';

interface LedgerRow {
  id: number;
  created_at: number;
  task_id: string;
  platform: string;
  model: string;
  kind: string;
  quota: number;
  content: string;
}

interface Self {
  quota: number;
  used_quota: number;
  request_count: number;
}

const KIND_COLORS: Record<string, 'red' | 'green' | 'blue' | 'grey'> = {
  charge: 'red',
  refund: 'green',
  topup: 'blue',
  adjust: 'grey',
};

export function Usage() {
  const { t } = useTranslation();
  const list = useListParams('usage');
  const { draft, setDraft, set } = useDraft(list.filters);
  const self = useQuery({ queryKey: ['self'], queryFn: () => api<Self>('GET', '/api/user/self') });
  const ledger = useQuery({
    queryKey: ['ledger', list.query],
    queryFn: () => api<Paged<LedgerRow>>('GET', `/api/log/self${queryString(list.query)}`),
    placeholderData: keepPreviousData,
  });

  const taskLink = (row: LedgerRow) => {
    if (!row.task_id) return '—';
    const to =
      row.platform === 'midjourney'
        ? `/midjourney?mj_id=${encodeURIComponent(row.task_id)}`
        : `/tasks?task_id=${encodeURIComponent(row.task_id)}`;
    return <Link to={to}>{row.task_id}</Link>;
  };

  const columns = [
    { title: t('Time'), dataIndex: 'created_at', render: (v: number) => formatTime(v) },
    {
      title: t('Kind'),
      dataIndex: 'kind',
      render: (v: string) => (
        <Tag color={KIND_COLORS[v] ?? 'grey'}>{t(`kind.${v}`, { defaultValue: v })}</Tag>
      ),
    },
    {
      title: t('Amount'),
      dataIndex: 'quota',
      render: (v: number, r: LedgerRow) => `${r.kind === 'charge' ? '−' : '+'}${formatQuota(v)}`,
    },
    { title: t('Model'), dataIndex: 'model' },
    { title: t('Task'), dataIndex: 'task_id', render: (_: string, r: LedgerRow) => taskLink(r) },
    { title: t('Note'), dataIndex: 'content' },
  ];

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
      <FilterBar
        onSearch={() => list.setFilters(draft)}
        onReset={() => {
          setDraft({});
          list.setFilters({});
        }}
      >
        <SelectFilter
          id="usage-kind"
          label={t('Kind')}
          value={draft.kind}
          onChange={set('kind')}
          options={['charge', 'refund', 'topup', 'adjust'].map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
        <TextFilter id="usage-task" label={t('Task ID')} value={draft.task_id} onChange={set('task_id')} />
      </FilterBar>
      {ledger.isError ? (
        <ErrorState error={ledger.error} onRetry={() => void ledger.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={ledger.isLoading}
          dataSource={ledger.data?.items ?? []}
          columns={columns}
          onRow={focusableRow}
          scroll={{ x: 900 }}
          empty={<EmptyState />}
          pagination={pagination(list, ledger.data?.total ?? 0, t)}
        />
      )}
    </section>
  );
}
