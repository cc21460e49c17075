// API keys: create (the full key is shown once, with a copy button), edit quota, expiry and model limits,
// enable/disable, delete.
import { Banner, Button, Input, InputNumber, Modal, Switch, Tag, Toast } from '@douyinfe/semi-ui';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { DatePicker } from '../date-picker';
import { ConfirmDelete, DialogFooter, FormDialog, useAction } from '../dialogs';
import { Field, labelId } from '../field';
import { formatQuota, formatTime, QUOTA_PER_USD } from '../format';
import { useListParams } from '../list';
import { ListTable, usePagedQuery } from '../table';

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

/** The dialog's fields; `id` is set when editing an existing key. The quota is in US dollars. */
interface Draft {
  id?: number;
  name: string;
  unlimited_quota: boolean;
  remain_quota: number;
  expired_time: number;
  model_limits: string;
}

const EMPTY: Draft = { name: '', unlimited_quota: true, remain_quota: 0, expired_time: -1, model_limits: '' };

const draftOf = (token: Token): Draft => ({
  id: token.id,
  name: token.name,
  unlimited_quota: token.unlimited_quota,
  remain_quota: token.remain_quota / QUOTA_PER_USD,
  expired_time: token.expired_time,
  model_limits: token.model_limits_enabled ? token.model_limits : '',
});

export function Tokens() {
  const { t } = useTranslation();
  const list = useListParams('tokens');
  const action = useAction('tokens');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<string | null>(null);

  const tokens = usePagedQuery<Token>('tokens', '/api/token/', list);
  const edit = (next: Draft) => {
    setError('');
    setDraft(next);
  };

  const save = async () => {
    if (!draft) return;
    if (!draft.name.trim()) {
      setError(t('A name is required.'));
      return;
    }
    const body = {
      name: draft.name.trim(),
      unlimited_quota: draft.unlimited_quota,
      remain_quota: draft.unlimited_quota ? 0 : Math.round(draft.remain_quota * QUOTA_PER_USD),
      expired_time: draft.expired_time,
      model_limits_enabled: draft.model_limits.trim() !== '',
      model_limits: draft.model_limits.trim(),
    };
    try {
      if (draft.id) {
        await api('PUT', '/api/token/', { id: draft.id, ...body });
        Toast.success(t('Key saved'));
      } else {
        const token = await api<Token & { key: string }>('POST', '/api/token/', body);
        setCreated(token.key);
      }
      setDraft(null);
      void action.reload();
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
            action.run(() => api('PUT', '/api/token/?status_only=true', { id: r.id, status: on ? 1 : 2 }))
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
        <span className="tg-actions">
          <Button size="small" onClick={() => edit(draftOf(r))}>
            {t('Edit')}
          </Button>
          <ConfirmDelete
            title={t('Delete the key {{name}}?', { name: r.name })}
            onConfirm={() => action.run(() => api('DELETE', `/api/token/${id}`))}
          />
        </span>
      ),
    },
  ];

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('API keys')}</h1>
      <div className="tg-toolbar">
        <Button type="primary" theme="solid" onClick={() => edit(EMPTY)}>
          {t('Create key')}
        </Button>
      </div>
      <ListTable
        query={tokens}
        list={list}
        columns={columns}
        width={1000}
        onOpen={(token) => edit(draftOf(token))}
        empty={{
          none: t('No API keys yet'),
          hint: t('Press Create key for one; the relay routes take it as a Bearer token.'),
          filtered: t('No API keys match these filters'),
        }}
      />
      <FormDialog
        visible={draft !== null}
        title={draft?.id ? t('Edit key') : t('Create key')}
        okText={draft?.id ? t('Save') : t('Create')}
        error={error}
        onOk={save}
        onCancel={() => setDraft(null)}
      >
        {draft && (
          <>
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
                aria-labelledby={labelId('token-expiry')}
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
          </>
        )}
      </FormDialog>
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
