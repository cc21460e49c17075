// Admin: channels. Create, edit, test, enable/disable, delete. The key is write-only: it is never shown, and an
// empty key on edit keeps the current one.
import { Button, Input, InputNumber, Select, Switch, Tag, Toast, Typography } from '@douyinfe/semi-ui';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ConfirmDelete, FormDialog, useAction } from '../dialogs';
import { Field, labelId } from '../field';
import { formatQuota, formatTime } from '../format';
import { FilterBar, SelectFilter, useFilterForm, useListParams } from '../list';
import { ListTable, usePagedQuery } from '../table';

interface Channel {
  id: number;
  type: string;
  name: string;
  base_url: string;
  models: string;
  group: string;
  priority: number;
  weight: number;
  status: number;
  status_reason: string;
  timeout_minutes: number;
  test_time: number;
  response_time: number;
  used_quota: number;
  proxy: string;
  auto_ban: boolean;
  push: boolean;
}

interface Draft {
  id?: number;
  type: string;
  name: string;
  base_url: string;
  key: string;
  models: string;
  group: string;
  priority: number;
  weight: number;
  timeout_minutes: number;
  /** As the API shows it, password masked: sent back unchanged, it keeps the stored proxy. */
  proxy: string;
  auto_ban: boolean;
  push: boolean;
}

const TYPES = ['midjourney', 'midjourney-plus', 'suno', 'openai-video'];
const EMPTY: Draft = {
  type: 'midjourney-plus',
  name: '',
  base_url: '',
  key: '',
  models: '',
  group: 'default',
  priority: 0,
  weight: 0,
  timeout_minutes: 0,
  proxy: '',
  auto_ban: true,
  push: false,
};

/**
 * The edit dialog's fields for a channel, and only those: the status stays as it is (an auto-disabled channel
 * keeps its reason), and the key stays empty (write-only), which keeps the current one.
 */
const channelDraft = (c: Channel): Draft => ({
  id: c.id,
  type: c.type,
  name: c.name,
  base_url: c.base_url,
  key: '',
  models: c.models,
  group: c.group,
  priority: c.priority,
  weight: c.weight,
  timeout_minutes: c.timeout_minutes,
  proxy: c.proxy,
  auto_ban: c.auto_ban,
  push: c.push,
});

export function Channels() {
  const { t } = useTranslation();
  const list = useListParams('channels');
  const filters = useFilterForm(list);
  const action = useAction('channels');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');

  const channels = usePagedQuery<Channel>('channels', '/api/channel/', list);
  const edit = (next: Draft) => {
    setError('');
    setDraft(next);
  };

  const save = async () => {
    if (!draft) return;
    if (!draft.name.trim() || !draft.base_url.trim()) {
      setError(t('Name and base URL are required.'));
      return;
    }
    const body = {
      ...draft,
      name: draft.name.trim(),
      base_url: draft.base_url.trim(),
      proxy: draft.proxy.trim(),
    };
    try {
      if (draft.id) await api('PUT', '/api/channel/', body);
      else await api('POST', '/api/channel/', body);
      Toast.success(draft.id ? t('Channel saved') : t('Channel created'));
      setDraft(null);
      void action.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const test = (channel: Channel) =>
    action.run(async () => {
      const result = await api<{ ok: boolean; time: number; message: string; status: number }>(
        'GET',
        `/api/channel/test/${channel.id}`,
      );
      if (result.ok) Toast.success(t('Test passed in {{time}} s', { time: result.time.toFixed(2) }));
      else Toast.error(t('Test failed: {{message}}', { message: result.message || result.status }));
    });

  const columns = [
    { title: t('ID'), dataIndex: 'id' },
    { title: t('Name'), dataIndex: 'name' },
    { title: t('Type'), dataIndex: 'type', render: (v: string) => <Tag color="blue">{v}</Tag> },
    {
      title: t('Status'),
      dataIndex: 'status',
      render: (v: number, r: Channel) => (
        <span>
          <Switch
            checked={v === 1}
            aria-label={t('Enabled: {{name}}', { name: r.name })}
            onChange={(on) => action.run(() => api('PUT', '/api/channel/', { id: r.id, status: on ? 1 : 2 }))}
          />{' '}
          {v === 3 && <Tag color="red">{t('Auto-disabled')}</Tag>}
          {/* Why it was disabled (the failures and the last upstream answer): what the admin must fix first. */}
          {v === 3 && r.status_reason && (
            <Typography.Text type="tertiary" size="small" style={{ display: 'block', maxWidth: 280 }}>
              {r.status_reason}
            </Typography.Text>
          )}
        </span>
      ),
    },
    { title: t('Group'), dataIndex: 'group' },
    { title: t('Priority'), dataIndex: 'priority' },
    {
      title: t('Response time'),
      dataIndex: 'response_time',
      render: (v: number, r: Channel) => (r.test_time ? `${v} ms (${formatTime(r.test_time)})` : '—'),
    },
    { title: t('Used'), dataIndex: 'used_quota', render: (v: number) => formatQuota(v) },
    {
      title: t('Actions'),
      dataIndex: 'base_url',
      render: (_: string, r: Channel) => (
        <span className="tg-actions">
          <Button size="small" onClick={() => test(r)}>
            {t('Test')}
          </Button>
          <Button size="small" onClick={() => edit(channelDraft(r))}>
            {t('Edit')}
          </Button>
          <ConfirmDelete
            title={t('Delete the channel {{name}}? Its unfinished tasks fail and are refunded.', {
              name: r.name,
            })}
            onConfirm={() => action.run(() => api('DELETE', `/api/channel/${r.id}`))}
          />
        </span>
      ),
    },
  ];

  const text = (key: keyof Draft, label: string, extra: Record<string, unknown> = {}) =>
    draft && (
      <Field id={`channel-${key}`} label={label}>
        <Input
          id={`channel-${key}`}
          value={String(draft[key] ?? '')}
          onChange={(value) => setDraft({ ...draft, [key]: value })}
          {...extra}
        />
      </Field>
    );
  const number = (key: 'priority' | 'weight' | 'timeout_minutes', label: string) =>
    draft && (
      <Field id={`channel-${key}`} label={label}>
        <InputNumber
          id={`channel-${key}`}
          value={draft[key]}
          onChange={(value) => setDraft({ ...draft, [key]: Number(value) || 0 })}
        />
      </Field>
    );

  const toggle = (key: 'auto_ban' | 'push', label: string) =>
    draft && (
      <Field id={`channel-${key}`} label={label}>
        <Switch
          id={`channel-${key}`}
          checked={draft[key]}
          onChange={(on) => setDraft({ ...draft, [key]: on })}
        />
      </Field>
    );

  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">{t('Channels')}</h1>
      <FilterBar form={filters}>
        <SelectFilter
          id="channel-filter-type"
          label={t('Type')}
          value={filters.draft.type}
          onChange={filters.set('type')}
          options={TYPES.map((v) => ({ value: v, label: v }))}
        />
        <SelectFilter
          id="channel-filter-status"
          label={t('Status')}
          value={filters.draft.status}
          onChange={filters.set('status')}
          options={[
            { value: '1', label: t('Enabled') },
            { value: '2', label: t('Disabled') },
            { value: '3', label: t('Auto-disabled') },
          ]}
        />
      </FilterBar>
      <div className="tg-toolbar">
        <Button type="primary" theme="solid" onClick={() => edit(EMPTY)}>
          {t('Add channel')}
        </Button>
      </div>
      <ListTable
        query={channels}
        list={list}
        columns={columns}
        width={1100}
        onOpen={(channel) => edit(channelDraft(channel))}
        empty={{
          none: t('No channels yet'),
          hint: t('Press Add channel: a task needs a channel of its platform to go upstream.'),
          filtered: t('No channels match these filters'),
        }}
      />
      <FormDialog
        visible={draft !== null}
        title={draft?.id ? t('Edit channel') : t('Add channel')}
        okText={draft?.id ? t('Save') : t('Create')}
        error={error}
        onOk={save}
        onCancel={() => setDraft(null)}
      >
        {draft && (
          <>
            <Field id="channel-type" label={t('Type')} bare>
              <Select
                id="channel-type"
                aria-labelledby={labelId('channel-type')}
                value={draft.type}
                optionList={TYPES.map((v) => ({ value: v, label: v }))}
                onChange={(value) => setDraft({ ...draft, type: String(value) })}
              />
            </Field>
            {text('name', t('Name'))}
            {text('base_url', t('Base URL'), { placeholder: 'https://…' })}
            {text('key', t('Key'), {
              mode: 'password',
              autoComplete: 'new-password',
              placeholder: draft.id ? t('Leave empty to keep the current key') : '',
            })}
            {text('models', t('Models (comma-separated, empty: defaults)'))}
            {text('group', t('Groups (comma-separated)'))}
            {number('priority', t('Priority'))}
            {number('weight', t('Weight'))}
            {number('timeout_minutes', t('Timeout (minutes, 0: default)'))}
            {text('proxy', t('Proxy (http://, https:// or socks5://; empty: direct)'), {
              placeholder: 'socks5://user:password@127.0.0.1:1080',
            })}
            {toggle('auto_ban', t('Disable automatically after repeated key or account failures'))}
            {toggle('push', t('Accept the upstream’s callbacks (push)'))}
          </>
        )}
      </FormDialog>
    </section>
  );
}
