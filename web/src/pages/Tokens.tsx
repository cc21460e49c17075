// API keys: create (the full key is shown once, with a copy button), enable/disable, quota, expiry, model limits,
// delete.
import {
  Banner,
  Button,
  DatePicker,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
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
  focusableRow,
  formatQuota,
  formatTime,
  pagination,
  useListParams,
} from '../list';

interface Token {
  id: number;
  name: string;
  key: string;
  status: number;
  created_time: number;
  expired_time: number;
  remain_quota: number;
  unlimited_quota: boolean;
  used_quota: number;
  model_limits_enabled: boolean;
  model_limits: string;
}

interface Draft {
  name: string;
  unlimited_quota: boolean;
  remain_quota: number;
  expired_time: number;
  model_limits: string;
}

const EMPTY: Draft = { name: '', unlimited_quota: true, remain_quota: 0, expired_time: -1, model_limits: '' };

export function Tokens() {
  const { t } = useTranslation();
  const list = useListParams('tokens');
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<string | null>(null);

  const tokens = useQuery({
    queryKey: ['tokens', list.query],
    queryFn: () => api<Paged<Token>>('GET', `/api/token/${queryString(list.query)}`),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const act = useMutation({
    mutationFn: (run: () => Promise<unknown>) => run(),
    onSuccess: refresh,
    onError: (e) => Toast.error((e as Error).message),
  });

  const create = async () => {
    if (!draft) return;
    if (!draft.name.trim()) {
      setError(t('A name is required.'));
      return;
    }
    try {
      const token = await api<Token & { key: string }>('POST', '/api/token/', {
        name: draft.name.trim(),
        unlimited_quota: draft.unlimited_quota,
        remain_quota: draft.unlimited_quota ? 0 : Math.round(draft.remain_quota * 500_000),
        expired_time: draft.expired_time,
        model_limits_enabled: draft.model_limits.trim() !== '',
        model_limits: draft.model_limits.trim(),
      });
      setDraft(null);
      setCreated(token.key);
      void refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      Toast.success(t('Copied'));
    } catch {
      Toast.warning(t('Copy failed: select the key and copy it by hand.'));
    }
  };

  const columns = [
    { title: t('Name'), dataIndex: 'name' },
    { title: t('Key'), dataIndex: 'key', render: (v: string) => <code>{v}</code> },
    {
      title: t('Status'),
      dataIndex: 'status',
      render: (v: number, r: Token) => (
        <Switch
          checked={v === 1}
          aria-label={t('Enabled: {{name}}', { name: r.name })}
          onChange={(on) =>
            act.mutate(() => api('PUT', '/api/token/?status_only=true', { id: r.id, status: on ? 1 : 2 }))
          }
        />
      ),
    },
    {
      title: t('Quota left'),
      dataIndex: 'remain_quota',
      render: (v: number, r: Token) => (r.unlimited_quota ? <Tag>{t('Unlimited')}</Tag> : formatQuota(v)),
    },
    { title: t('Used'), dataIndex: 'used_quota', render: (v: number) => formatQuota(v) },
    {
      title: t('Expires'),
      dataIndex: 'expired_time',
      render: (v: number) => (v === -1 ? t('Never') : formatTime(v)),
    },
    {
      title: t('Model limits'),
      dataIndex: 'model_limits',
      render: (v: string, r: Token) => (r.model_limits_enabled ? v : t('All models')),
    },
    { title: t('Created'), dataIndex: 'created_time', render: (v: number) => formatTime(v) },
    {
      title: t('Actions'),
      dataIndex: 'id',
      render: (id: number, r: Token) => (
        <Popconfirm
          title={t('Delete the key {{name}}?', { name: r.name })}
          okText={t('Delete')}
          cancelText={t('Cancel')}
          onConfirm={() => act.mutate(() => api('DELETE', `/api/token/${id}`))}
        >
          <Button type="danger" size="small">
            {t('Delete')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('API keys')}</h1>
      <div className="tg-toolbar">
        <Button
          type="primary"
          theme="solid"
          onClick={() => {
            setError('');
            setDraft(EMPTY);
          }}
        >
          {t('Create key')}
        </Button>
      </div>
      {tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={tokens.isLoading}
          dataSource={tokens.data?.items ?? []}
          columns={columns}
          onRow={focusableRow}
          scroll={{ x: 1000 }}
          empty={<EmptyState />}
          pagination={pagination(list, tokens.data?.total ?? 0, t)}
        />
      )}
      <Modal
        visible={draft !== null}
        title={t('Create key')}
        onCancel={() => setDraft(null)}
        footer={<DialogFooter okText={t('Create')} onOk={create} onCancel={() => setDraft(null)} />}
      >
        {draft && (
          <div className="tg-form">
            {error && <Banner type="danger" description={error} closeIcon={null} />}
            <Field id="token-name" label={t('Name')}>
              <Input id="token-name" value={draft.name} onChange={(name) => setDraft({ ...draft, name })} />
            </Field>
            <Field id="token-unlimited" label={t('Unlimited quota')}>
              <Switch
                id="token-unlimited"
                aria-label={t('Unlimited quota')}
                checked={draft.unlimited_quota}
                onChange={(on) => setDraft({ ...draft, unlimited_quota: on })}
              />
            </Field>
            {!draft.unlimited_quota && (
              <Field id="token-quota" label={t('Quota (USD)')}>
                <InputNumber
                  id="token-quota"
                  min={0}
                  value={draft.remain_quota}
                  onChange={(v) => setDraft({ ...draft, remain_quota: Number(v) || 0 })}
                />
              </Field>
            )}
            <Field id="token-expiry" label={t('Expires (empty: never)')} bare>
              <DatePicker
                type="dateTime"
                aria-label={t('Expires (empty: never)')}
                value={draft.expired_time > 0 ? new Date(draft.expired_time * 1000) : undefined}
                onChange={(d) =>
                  setDraft({
                    ...draft,
                    expired_time: d ? Math.floor(new Date(d as Date).getTime() / 1000) : -1,
                  })
                }
              />
            </Field>
            <Field id="token-models" label={t('Model limits (comma-separated, empty: all)')}>
              <Input
                id="token-models"
                value={draft.model_limits}
                onChange={(model_limits) => setDraft({ ...draft, model_limits })}
              />
            </Field>
          </div>
        )}
      </Modal>
      <Modal
        visible={created !== null}
        title={t('Your new key')}
        onCancel={() => setCreated(null)}
        footer={<DialogFooter okText={t('Done')} onOk={() => setCreated(null)} />}
      >
        <Banner
          type="warning"
          description={t('This key is shown only once. Copy it now.')}
          closeIcon={null}
        />
        <p>
          <code data-testid="new-key" style={{ wordBreak: 'break-all' }}>
            {created}
          </code>
        </p>
        <Button onClick={() => created && void copy(created)}>{t('Copy')}</Button>
      </Modal>
    </section>
  );
}
