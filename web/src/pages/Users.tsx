// Admin: users. Create, top up, enable/disable and change role.
import {
  Banner,
  Button,
  Input,
  InputNumber,
  Modal,
  Select,
  Switch,
  Table,
  Tag,
  Toast,
} from '@douyinfe/semi-ui';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Paged, queryString } from '../api';
import {
  DialogFooter,
  EmptyState,
  ErrorState,
  Field,
  FilterBar,
  focusableRow,
  formatQuota,
  pagination,
  TextFilter,
  useDraft,
  useListParams,
} from '../list';

interface User {
  id: number;
  username: string;
  display_name: string;
  role: number;
  status: number;
  group: string;
  quota: number;
  used_quota: number;
  request_count: number;
}

export function Users() {
  const { t } = useTranslation();
  const list = useListParams('users');
  const filters = useDraft(list.filters);
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState<{
    username: string;
    password: string;
    display_name: string;
    role: number;
  } | null>(null);
  const [topUp, setTopUp] = useState<{ user: User; amount: number } | null>(null);
  const [error, setError] = useState('');

  const users = useQuery({
    queryKey: ['users', list.query],
    queryFn: () => api<Paged<User>>('GET', `/api/user/${queryString(list.query)}`),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const act = useMutation({
    mutationFn: (run: () => Promise<unknown>) => run(),
    onSuccess: refresh,
    onError: (e) => Toast.error((e as Error).message),
  });
  const roleName = (role: number) => (role >= 100 ? t('Root') : role >= 10 ? t('Admin') : t('User'));

  const create = async () => {
    if (!creating) return;
    try {
      await api('POST', '/api/user/', creating);
      setCreating(null);
      Toast.success(t('User created'));
      void refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const columns = [
    { title: t('ID'), dataIndex: 'id' },
    { title: t('Username'), dataIndex: 'username' },
    { title: t('Display name'), dataIndex: 'display_name' },
    { title: t('Role'), dataIndex: 'role', render: (v: number) => <Tag>{roleName(v)}</Tag> },
    { title: t('Group'), dataIndex: 'group' },
    { title: t('Balance'), dataIndex: 'quota', render: (v: number) => formatQuota(v) },
    { title: t('Used'), dataIndex: 'used_quota', render: (v: number) => formatQuota(v) },
    {
      title: t('Enabled'),
      dataIndex: 'status',
      render: (v: number, r: User) => (
        <Switch
          checked={v === 1}
          disabled={r.role >= 100}
          aria-label={t('Enabled: {{name}}', { name: r.username })}
          onChange={(on) => act.mutate(() => api('PUT', '/api/user/', { id: r.id, status: on ? 1 : 2 }))}
        />
      ),
    },
    {
      title: t('Actions'),
      dataIndex: 'username',
      render: (_: string, r: User) => (
        <span style={{ display: 'inline-flex', gap: 4, flexWrap: 'wrap' }}>
          <Button size="small" onClick={() => setTopUp({ user: r, amount: 10 })}>
            {t('Top up')}
          </Button>
          {r.role < 100 && (
            <Button
              size="small"
              onClick={() =>
                act.mutate(() => api('PUT', '/api/user/', { id: r.id, role: r.role >= 10 ? 1 : 10 }))
              }
            >
              {r.role >= 10 ? t('Make user') : t('Make admin')}
            </Button>
          )}
        </span>
      ),
    },
  ];

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t('Users')}</h1>
      <FilterBar
        onSearch={() => list.setFilters(filters.draft)}
        onReset={() => {
          filters.setDraft({});
          list.setFilters({});
        }}
      >
        <TextFilter
          id="user-keyword"
          label={t('Search users')}
          value={filters.draft.keyword}
          onChange={filters.set('keyword')}
        />
      </FilterBar>
      <div className="tg-toolbar">
        <Button
          type="primary"
          theme="solid"
          onClick={() => {
            setError('');
            setCreating({ username: '', password: '', display_name: '', role: 1 });
          }}
        >
          {t('Add user')}
        </Button>
      </div>
      {users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={users.isLoading}
          dataSource={users.data?.items ?? []}
          columns={columns}
          onRow={focusableRow}
          scroll={{ x: 1000 }}
          empty={<EmptyState />}
          pagination={pagination(list, users.data?.total ?? 0, t)}
        />
      )}
      <Modal
        visible={creating !== null}
        title={t('Add user')}
        onCancel={() => setCreating(null)}
        footer={<DialogFooter okText={t('Create')} onOk={create} onCancel={() => setCreating(null)} />}
      >
        {creating && (
          <div className="tg-form">
            {error && <Banner type="danger" description={error} closeIcon={null} />}
            <Field id="new-user-name" label={t('Username')}>
              <Input
                id="new-user-name"
                value={creating.username}
                onChange={(username) => setCreating({ ...creating, username })}
              />
            </Field>
            <Field id="new-user-password" label={t('Password (at least 8 characters)')}>
              <Input
                id="new-user-password"
                mode="password"
                autoComplete="new-password"
                value={creating.password}
                onChange={(password) => setCreating({ ...creating, password })}
              />
            </Field>
            <Field id="new-user-display" label={t('Display name')}>
              <Input
                id="new-user-display"
                value={creating.display_name}
                onChange={(display_name) => setCreating({ ...creating, display_name })}
              />
            </Field>
            <Field id="new-user-role" label={t('Role')}>
              <Select
                id="new-user-role"
                aria-label={t('Role')}
                value={creating.role}
                optionList={[
                  { value: 1, label: t('User') },
                  { value: 10, label: t('Admin') },
                ]}
                onChange={(role) => setCreating({ ...creating, role: Number(role) })}
              />
            </Field>
          </div>
        )}
      </Modal>
      <Modal
        visible={topUp !== null}
        title={topUp ? t('Top up {{name}}', { name: topUp.user.username }) : ''}
        onCancel={() => setTopUp(null)}
        footer={
          <DialogFooter
            okText={t('Top up')}
            onCancel={() => setTopUp(null)}
            onOk={() => {
              if (!topUp) return;
              const quota = topUp.user.quota + Math.round(topUp.amount * 500_000);
              act.mutate(() => api('PUT', '/api/user/', { id: topUp.user.id, quota: Math.max(0, quota) }));
              setTopUp(null);
            }}
          />
        }
      >
        {topUp && (
          <Field id="top-up-amount" label={t('Amount (USD, negative to deduct)')}>
            <InputNumber
              id="top-up-amount"
              value={topUp.amount}
              onChange={(v) => setTopUp({ ...topUp, amount: Number(v) || 0 })}
            />
          </Field>
        )}
      </Modal>
    </section>
  );
}
