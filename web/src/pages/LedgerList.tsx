// The ledger as a filtered, server-paged table: a user's own rows on the usage page, everyone's (with a user
// column and filter) on the admin ledger page. Each row links to its task; Enter on a row opens the task.
import { Tag } from '@douyinfe/semi-ui';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatQuota, formatTime } from '../format';
import { FilterBar, SelectFilter, TextFilter, TimeRangeFilter, useFilterForm, useListParams } from '../list';
import { ListTable, usePagedQuery } from '../table';

interface LedgerRow {
  id: number;
  created_at: number;
  user_id: number;
  task_id: string;
  platform: string;
  model: string;
  kind: string;
  quota: number;
  content: string;
}

const KINDS = ['charge', 'refund', 'topup', 'adjust'];
const KIND_COLORS: Record<string, 'red' | 'green' | 'blue' | 'grey'> = {
  charge: 'red',
  refund: 'green',
  topup: 'blue',
  adjust: 'grey',
};

/** Where a ledger row's task is listed. */
const taskPath = (row: LedgerRow) =>
  row.platform === 'midjourney'
    ? `/midjourney?mj_id=${encodeURIComponent(row.task_id)}`
    : `/tasks?task_id=${encodeURIComponent(row.task_id)}`;

export function LedgerList({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const prefix = admin ? 'ledger' : 'usage';
  const list = useListParams(prefix);
  const form = useFilterForm(list);
  const ledger = usePagedQuery<LedgerRow>('ledger', admin ? '/api/log/' : '/api/log/self', list);

  const columns = [
    { title: t('Time'), dataIndex: 'created_at', render: (v: number) => formatTime(v) },
    ...(admin ? [{ title: t('User'), dataIndex: 'user_id' }] : []),
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
      render: (v: number, r: LedgerRow) =>
        `${r.kind === 'charge' || r.kind === 'adjust' ? '−' : '+'}${formatQuota(v)}`,
    },
    { title: t('Model'), dataIndex: 'model' },
    {
      title: t('Task'),
      dataIndex: 'task_id',
      render: (v: string, r: LedgerRow) => (v ? <Link to={taskPath(r)}>{v}</Link> : '—'),
    },
    { title: t('Note'), dataIndex: 'content' },
  ];

  return (
    <>
      <FilterBar form={form}>
        {admin && (
          <TextFilter
            id={`${prefix}-user`}
            label={t('User ID')}
            value={form.draft.user_id}
            onChange={form.set('user_id')}
          />
        )}
        <SelectFilter
          id={`${prefix}-kind`}
          label={t('Kind')}
          value={form.draft.kind}
          onChange={form.set('kind')}
          options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))}
        />
        <TextFilter
          id={`${prefix}-task`}
          label={t('Task ID')}
          value={form.draft.task_id}
          onChange={form.set('task_id')}
        />
        <TimeRangeFilter id={`${prefix}-time`} form={form} />
      </FilterBar>
      <ListTable
        query={ledger}
        list={list}
        columns={columns}
        width={admin ? 1000 : 900}
        onOpen={(row) => row.task_id && navigate(taskPath(row))}
        empty={
          admin
            ? {
                none: t('No ledger rows yet'),
                hint: t('Top up a user on the Users page; charges and refunds of tasks are listed here too.'),
                filtered: t('No ledger rows match these filters'),
              }
            : {
                none: t('No balance changes yet'),
                hint: t('Top-ups from an admin, and the charges and refunds of your tasks, are listed here.'),
                filtered: t('No balance changes match these filters'),
              }
        }
      />
    </>
  );
}
