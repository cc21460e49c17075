// Midjourney tasks: own tasks (all of them for admins, with channel and user filters), as a table or a gallery.
// While any task on the page is unfinished the page refetches itself, so progress moves without a reload.
import { Button, Modal, Radio, RadioGroup, Tag } from '@douyinfe/semi-ui';
import type { ColumnProps } from '@douyinfe/semi-ui/lib/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../format';
import {
  EmptyState,
  ErrorState,
  FilterBar,
  SelectFilter,
  TextFilter,
  useFilterForm,
  useListParams,
} from '../list';
import { MediaProblem, SignedImage, useFailed } from '../media';
import { ListTable, Pager, usePagedQuery } from '../table';
import {
  LongText,
  leadColumns,
  StatusCell,
  showText,
  TaskProgress,
  TaskScopeFilters,
  tailColumns,
  unfinished,
} from './task-parts';

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

const STATUSES = ['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'MODAL'];
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

/** A gallery card's thumbnail: a button that opens the preview, or why the image cannot be shown. */
function Thumb({ task, onOpen }: { task: MjTask; onOpen: () => void }) {
  const { t } = useTranslation();
  const [failed, fail] = useFailed(task.image_url);
  // Not inside the button: the notice has a button of its own.
  if (failed) return <MediaProblem url={task.image_url} className="tg-thumb-empty" />;
  return (
    <button
      type="button"
      className="tg-thumb"
      onClick={onOpen}
      aria-label={t('Preview image of {{id}}', { id: task.mj_id })}
    >
      <img src={task.image_url} alt={task.prompt || task.mj_id} loading="lazy" onError={fail} />
    </button>
  );
}

export function MjTasks({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const list = useListParams('mj');
  const form = useFilterForm(list);
  const [preview, setPreview] = useState<MjTask | null>(null);
  const gallery = list.view === 'gallery';

  const tasks = usePagedQuery<MjTask>('mj', `/api/mj/${admin ? '' : 'self'}`, list, unfinished);
  const items = tasks.data?.items ?? [];
  const empty = {
    none: t('No Midjourney tasks yet'),
    hint: t('Submit one with POST /mj/submit/imagine and an API key (see API keys); it shows here.'),
    filtered: t('No Midjourney tasks match these filters'),
  };
  const actionLabel = (action: string) => t(`action.${action}`, { defaultValue: action });
  // Enter on a row: the image when there is one, else the prompt and the fail reason.
  const open = (task: MjTask) =>
    task.image_url
      ? setPreview(task)
      : showText(
          t('Task {{id}}', { id: task.mj_id }),
          [task.prompt, task.fail_reason].filter(Boolean).join('\n\n'),
        );

  // The widths add up to less than a 1280 px screen holds (1248 px inside the page's padding), so nothing
  // scrolls there; the admin's two extra columns are paid for by narrower prompt and fail reason columns.
  const columns: ColumnProps<MjTask>[] = [
    ...leadColumns<MjTask>('mj_id'),
    {
      title: t('Action'),
      dataIndex: 'action',
      width: 105,
      render: (v: string) => <Tag>{actionLabel(v)}</Tag>,
    },
    {
      title: t('Progress'),
      dataIndex: 'progress',
      width: 110,
      render: (v: string, r: MjTask) => <TaskProgress status={r.status} progress={v} />,
    },
    {
      title: t('Image'),
      dataIndex: 'image_url',
      width: 115,
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
      width: admin ? 120 : 200,
      render: (v: string) => <LongText title={t('Prompt')} text={v} />,
    },
    {
      title: t('Fail reason'),
      dataIndex: 'fail_reason',
      width: admin ? 100 : 150,
      render: (v: string) => <LongText title={t('Fail reason')} text={v} />,
    },
    { title: t('Submitted'), dataIndex: 'submit_time', width: 100, render: (v: number) => formatTime(v) },
    ...tailColumns<MjTask>(admin),
  ];

  return (
    <section aria-labelledby="mj-title">
      <h1 id="mj-title">{t('Midjourney tasks')}</h1>
      <FilterBar form={form}>
        <TextFilter id="mj-id" label={t('Task ID')} value={form.draft.mj_id} onChange={form.set('mj_id')} />
        <SelectFilter
          id="mj-status"
          label={t('Status')}
          value={form.draft.status}
          onChange={form.set('status')}
          options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <SelectFilter
          id="mj-action"
          label={t('Action')}
          value={form.draft.action}
          onChange={form.set('action')}
          options={ACTIONS.map((a) => ({ value: a, label: actionLabel(a) }))}
        />
        <TaskScopeFilters prefix="mj" form={form} admin={admin} />
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
      {!gallery ? (
        <ListTable query={tasks} list={list} columns={columns} onOpen={open} empty={empty} />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : (
        <>
          {!tasks.isLoading && items.length === 0 ? (
            <EmptyState text={empty} filtered={Object.keys(list.filters).length > 0} />
          ) : (
            <ul className="tg-gallery" aria-label={t('Gallery')}>
              {items.map((task) => (
                <li key={task.id} className="tg-card" data-task={task.mj_id}>
                  {task.image_url ? (
                    <Thumb task={task} onOpen={() => setPreview(task)} />
                  ) : (
                    <div className="tg-thumb-empty">{t('No image yet')}</div>
                  )}
                  <div>
                    <StatusCell status={task.status} refunded={task.refunded} />
                  </div>
                  <TaskProgress status={task.status} progress={task.progress} />
                  <LongText title={t('Prompt')} text={task.prompt} />
                </li>
              ))}
            </ul>
          )}
          <Pager list={list} total={tasks.data?.total ?? 0} />
        </>
      )}
      <Modal
        visible={preview !== null}
        title={preview ? t('Image of {{id}}', { id: preview.mj_id }) : ''}
        footer={null}
        width="min(960px, 96vw)"
        onCancel={() => setPreview(null)}
      >
        {preview && (
          <SignedImage className="tg-preview" src={preview.image_url} alt={preview.prompt || preview.mj_id} />
        )}
      </Modal>
    </section>
  );
}
