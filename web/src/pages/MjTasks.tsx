// Midjourney tasks: own tasks (all of them for admins, with channel and user filters), as a table or a gallery.
// While any task on the page is unfinished the page refetches itself, so progress moves without a reload.
import {
  Button,
  Modal,
  Pagination,
  Progress,
  Radio,
  RadioGroup,
  Table,
  Tag,
  Typography,
} from '@douyinfe/semi-ui';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Paged, queryString } from '../api';
import {
  Duration,
  EmptyState,
  ErrorState,
  FilterBar,
  focusableRow,
  formatQuota,
  formatTime,
  pagination,
  percentOf,
  SelectFilter,
  TextFilter,
  TimeRangeFilter,
  useDraft,
  useListParams,
} from '../list';

export interface MjTask {
  id: number;
  mj_id: string;
  action: string;
  prompt: string;
  prompt_en: string;
  status: string;
  progress: string;
  image_url: string;
  submit_time: number;
  start_time: number;
  finish_time: number;
  fail_reason: string;
  quota: number;
  refunded: boolean;
  user_id?: number;
  channel_id?: number;
}

export const STATUSES = ['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'MODAL'];
const ACTIONS = [
  'IMAGINE',
  'UPSCALE',
  'VARIATION',
  'HIGH_VARIATION',
  'LOW_VARIATION',
  'PAN',
  'DESCRIBE',
  'BLEND',
  'SHORTEN',
  'REROLL',
  'INPAINT',
  'ZOOM',
  'CUSTOM_ZOOM',
  'SWAP_FACE',
  'UPLOAD',
];
export const FINISHED = new Set(['SUCCESS', 'FAILURE']);

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const color =
    status === 'SUCCESS'
      ? 'green'
      : status === 'FAILURE'
        ? 'red'
        : status === 'IN_PROGRESS'
          ? 'blue'
          : status === 'MODAL'
            ? 'orange'
            : 'grey';
  return (
    <span data-status={status}>
      <Tag color={color}>
        {t(`status.${status || 'UNKNOWN'}`, { defaultValue: status || t('status.UNKNOWN') })}
      </Tag>
    </span>
  );
}

export function RefundedTag({ refunded }: { refunded: boolean }) {
  const { t } = useTranslation();
  return refunded ? (
    <span data-refunded="true">
      <Tag color="amber">{t('Refunded')}</Tag>
    </span>
  ) : null;
}

export function TaskProgress({ status, progress }: { status: string; progress: string }) {
  const { t } = useTranslation();
  const percent = status === 'SUCCESS' ? 100 : percentOf(progress);
  return (
    <Progress
      percent={percent}
      showInfo
      stroke={status === 'FAILURE' ? 'var(--semi-color-warning)' : undefined}
      aria-label={t('Progress')}
      style={{ minWidth: 90 }}
    />
  );
}

/** Long text cut short in the table; a click shows all of it. */
export function LongText({ title, text }: { title: string; text: string }) {
  const { t } = useTranslation();
  if (!text) return <span>—</span>;
  return (
    <Button
      theme="borderless"
      size="small"
      aria-label={t('Show full text: {{title}}', { title })}
      onClick={() =>
        Modal.info({
          title,
          content: <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{text}</div>,
          okText: t('Close'),
          hasCancel: false,
        })
      }
    >
      <span className="tg-prompt">{text}</span>
    </Button>
  );
}

export function MjTasks({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const list = useListParams('mj');
  const { draft, setDraft, set } = useDraft(list.filters);
  const [preview, setPreview] = useState<MjTask | null>(null);
  const gallery = list.view === 'gallery';

  const tasks = useQuery({
    queryKey: ['mj', admin, list.query],
    queryFn: () => api<Paged<MjTask>>('GET', `/api/mj/${admin ? '' : 'self'}${queryString(list.query)}`),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.items.some((task) => !FINISHED.has(task.status)) ? 1500 : false,
  });
  const items = tasks.data?.items ?? [];
  const actionLabel = (action: string) => t(`action.${action}`, { defaultValue: action });

  const columns = [
    { title: t('Submitted'), dataIndex: 'submit_time', render: (v: number) => formatTime(v) },
    {
      title: t('Duration'),
      dataIndex: 'finish_time',
      render: (_: unknown, r: MjTask) => <Duration start={r.submit_time} end={r.finish_time} />,
    },
    ...(admin
      ? [
          { title: t('Channel'), dataIndex: 'channel_id' },
          { title: t('User'), dataIndex: 'user_id' },
        ]
      : []),
    {
      title: t('Action'),
      dataIndex: 'action',
      render: (v: string) => <Tag>{actionLabel(v)}</Tag>,
    },
    {
      title: t('Task ID'),
      dataIndex: 'mj_id',
      render: (v: string) => <Typography.Text copyable>{v}</Typography.Text>,
    },
    {
      title: t('Status'),
      dataIndex: 'status',
      render: (v: string, r: MjTask) => (
        <span>
          <StatusTag status={v} /> <RefundedTag refunded={r.refunded} />
        </span>
      ),
    },
    {
      title: t('Progress'),
      dataIndex: 'progress',
      render: (v: string, r: MjTask) => <TaskProgress status={r.status} progress={v} />,
    },
    {
      title: t('Image'),
      dataIndex: 'image_url',
      render: (v: string, r: MjTask) =>
        v ? (
          <Button size="small" onClick={() => setPreview(r)}>
            {t('View image')}
          </Button>
        ) : (
          t('None')
        ),
    },
    {
      title: t('Prompt'),
      dataIndex: 'prompt',
      render: (v: string) => <LongText title={t('Prompt')} text={v} />,
    },
    {
      title: t('Fail reason'),
      dataIndex: 'fail_reason',
      render: (v: string) => <LongText title={t('Fail reason')} text={v} />,
    },
    { title: t('Cost'), dataIndex: 'quota', render: (v: number) => formatQuota(v) },
  ];

  return (
    <section aria-labelledby="mj-title">
      <h1 id="mj-title">{t('Midjourney tasks')}</h1>
      <FilterBar
        onSearch={() => list.setFilters(draft)}
        onReset={() => {
          setDraft({});
          list.setFilters({});
        }}
      >
        <TextFilter id="mj-id" label={t('Task ID')} value={draft.mj_id} onChange={set('mj_id')} />
        <SelectFilter
          id="mj-status"
          label={t('Status')}
          value={draft.status}
          onChange={set('status')}
          options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <SelectFilter
          id="mj-action"
          label={t('Action')}
          value={draft.action}
          onChange={set('action')}
          options={ACTIONS.map((a) => ({ value: a, label: actionLabel(a) }))}
        />
        <TimeRangeFilter
          id="mj-time"
          start={draft.start_timestamp}
          end={draft.end_timestamp}
          onChange={(start, end) => setDraft((d) => ({ ...d, start_timestamp: start, end_timestamp: end }))}
        />
        {admin && (
          <TextFilter
            id="mj-channel"
            label={t('Channel ID')}
            value={draft.channel_id}
            onChange={set('channel_id')}
          />
        )}
        {admin && (
          <TextFilter id="mj-user" label={t('User ID')} value={draft.user_id} onChange={set('user_id')} />
        )}
      </FilterBar>
      <div className="tg-toolbar">
        <RadioGroup
          type="button"
          aria-label={t('View')}
          value={gallery ? 'gallery' : 'table'}
          onChange={(event) => list.setView(event.target.value === 'gallery' ? 'gallery' : '')}
        >
          <Radio value="table">{t('Table')}</Radio>
          <Radio value="gallery">{t('Gallery')}</Radio>
        </RadioGroup>
        <Button onClick={() => void tasks.refetch()}>{t('Refresh')}</Button>
      </div>
      {tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : gallery ? (
        <>
          {!tasks.isLoading && items.length === 0 ? (
            <EmptyState />
          ) : (
            <ul className="tg-gallery" aria-label={t('Gallery')} style={{ listStyle: 'none', padding: 0 }}>
              {items.map((task) => (
                <li key={task.id} className="tg-card" data-task={task.mj_id}>
                  {task.image_url ? (
                    <button
                      type="button"
                      className="tg-thumb"
                      onClick={() => setPreview(task)}
                      aria-label={t('Preview image of {{id}}', { id: task.mj_id })}
                    >
                      <img src={task.image_url} alt={task.prompt || task.mj_id} loading="lazy" />
                    </button>
                  ) : (
                    <div className="tg-thumb-empty">{t('No image yet')}</div>
                  )}
                  <div>
                    <StatusTag status={task.status} /> <RefundedTag refunded={task.refunded} />
                  </div>
                  <TaskProgress status={task.status} progress={task.progress} />
                  <LongText title={t('Prompt')} text={task.prompt} />
                </li>
              ))}
            </ul>
          )}
          <Pagination
            style={{ marginTop: 12 }}
            {...pagination(list, tasks.data?.total ?? 0, t)}
            onPageSizeChange={(size) => list.setPage(1, size)}
          />
        </>
      ) : (
        <Table
          rowKey="id"
          loading={tasks.isLoading}
          dataSource={items}
          columns={columns}
          onRow={focusableRow}
          scroll={{ x: 1200 }}
          empty={<EmptyState />}
          pagination={pagination(list, tasks.data?.total ?? 0, t)}
        />
      )}
      <Modal
        visible={preview !== null}
        title={preview ? t('Image of {{id}}', { id: preview.mj_id }) : ''}
        footer={null}
        width="min(960px, 96vw)"
        onCancel={() => setPreview(null)}
      >
        {preview && (
          <img className="tg-preview" src={preview.image_url} alt={preview.prompt || preview.mj_id} />
        )}
      </Modal>
    </section>
  );
}
