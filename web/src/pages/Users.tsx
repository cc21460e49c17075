// Admin: users. Create, top up, enable/disable and change role.
import { Button, Input, InputNumber, Modal, Select, Switch, Tag, Toast } from '@douyinfe/semi-ui';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { DialogFooter, FormDialog, useAction } from '../dialogs';
import { Field, labelId } from '../field';
import { formatQuota, QUOTA_PER_USD } from '../format';
import { FilterBar, TextFilter, useFilterForm, useListParams } from '../list';
import { ListTable, usePagedQuery } from '../table';

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
  const filters = useFilterForm(list);
  const action = useAction('users');
  const [creating, setCreating] = useState<{
    username: string;
    password: string;
    display_name: string;
    role: number;
  } | null>(null);
  const [topUp, setTopUp] = useState<{ user: User; amount: number } | null>(null);
  const [error, setError] = useState('');

  const users = usePagedQuery<User>('users', '/api/user/', list);
  const roleName = (role: number) => (role >= 100 ? t('Root') : role >= 10 ? t('Admin') : t('User'));

  const create = async () => {
    if (!creating) return;
    try {
      await api('POST', '/api/user/', creating);
      setCreating(null);
      Toast.success(t('User created'));
      void action.reload();
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
          onChange={(on) => action.run(() => api('PUT', '/api/user/', { id: r.id, status: on ? 1 : 2 }))}
        />
      ),
    },
    {
      title: t('Actions'),
      dataIndex: 'username',
      render: (_: string, r: User) => (
        <span className="tg-actions">
          <Button size="small" onClick={() => setTopUp({ user: r, amount: 10 })}>
            {t('Top up')}
          </Button>
          {r.role < 100 && (
            <Button
              size="small"
              onClick={() =>
                action.run(() => api('PUT', '/api/user/', { id: r.id, role: r.role >= 10 ? 1 : 10 }))
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
      <FilterBar form={filters}>
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
      <ListTable
        query={users}
        list={list}
        columns={columns}
        width={1000}
        onOpen={(user) => setTopUp({ user, amount: 10 })}
        empty={{
          none: t('No users yet'),
          hint: t('Press Add user for one.'),
          filtered: t('No users match these filters'),
        }}
      />
      <FormDialog
        visible={creating !== null}
        title={t('Add user')}
        okText={t('Create')}
        error={error}
        onOk={create}
        onCancel={() => setCreating(null)}
      >
        {creating && (
          <>
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
            <Field id="new-user-role" label={t('Role')} bare>
              <Select
                id="new-user-role"
                aria-labelledby={labelId('new-user-role')}
                value={creating.role}
                optionList={[
                  { value: 1, label: t('User') },
                  { value: 10, label: t('Admin') },
                ]}
                onChange={(role) => setCreating({ ...creating, role: Number(role) })}
              />
            </Field>
          </>
        )}
      </FormDialog>
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
              // A delta, not the new total: the balance shown may be stale by the time this lands.
              const delta = Math.round(topUp.amount * QUOTA_PER_USD);
              action.run(() => api('PUT', '/api/user/', { id: topUp.user.id, quota_delta: delta }));
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
