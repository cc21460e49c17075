// Task center: Suno and video tasks. Songs play with cover art and lyrics, videos play inline, and the raw task
// JSON is one click away.
import { Button, Modal, Tag } from '@douyinfe/semi-ui';
import type { ColumnProps } from '@douyinfe/semi-ui/lib/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../format';
import { FilterBar, SelectFilter, TextFilter, useFilterForm, useListParams } from '../list';
import { SignedImage, SignedPlayer } from '../media';
import { ListTable, usePagedQuery } from '../table';
import { LongText, leadColumns, TaskProgress, TaskScopeFilters, tailColumns, unfinished } from './task-parts';

interface Task {
  id: number;
  task_id: string;
  platform: string;
  user_id: number;
  quota: number;
  action: string;
  status: string;
  fail_reason: string;
  submit_time: number;
  finish_time: number;
  progress: string;
  refunded: boolean;
  properties: unknown;
  data: unknown;
  channel_id?: number;
}

interface Clip {
  id?: string;
  title?: string;
  audio_url?: string;
  image_url?: string;
  image_large_url?: string;
  metadata?: { prompt?: string; tags?: string };
}

const TASK_STATUSES = ['NOT_START', 'SUBMITTED', 'QUEUED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'UNKNOWN'];
const PLATFORMS = ['suno', 'openai-video'];
const TASK_ACTIONS = ['MUSIC', 'LYRICS', 'textGenerate', 'generate', 'remixGenerate'];

const clipsOf = (task: Task): Clip[] =>
  Array.isArray(task.data) ? (task.data as Clip[]).filter((c) => c && typeof c === 'object') : [];

const videoOf = (task: Task): { url: string; poster: string } | null => {
  const data = task.data as { content_url?: string; thumbnail_url?: string } | null;
  return data && typeof data === 'object' && data.content_url
    ? { url: data.content_url, poster: data.thumbnail_url ?? '' }
    : null;
};

function Media({ task }: { task: Task }) {
  const { t } = useTranslation();
  const video = videoOf(task);
  if (video) {
    return (
      <SignedPlayer src={video.url}>
        {(onError) => (
          // biome-ignore lint/a11y/useMediaCaption: generated videos come without captions.
          <video
            controls
            preload="metadata"
            src={video.url}
            poster={video.poster || undefined}
            onError={onError}
            style={{ width: '100%', maxHeight: '70vh' }}
            aria-label={t('Video of {{id}}', { id: task.task_id })}
          />
        )}
      </SignedPlayer>
    );
  }
  const clips = clipsOf(task).filter((c) => c.audio_url);
  if (clips.length === 0) return <p>{t('No media for this task.')}</p>;
  return (
    <div>
      {clips.map((clip, index) => (
        <article key={clip.id ?? index} className="tg-clip">
          {clip.image_url && (
            <SignedImage
              src={clip.image_url}
              alt={t('Cover art of {{title}}', { title: clip.title || clip.id })}
            />
          )}
          <div style={{ flex: 1, minWidth: 200 }}>
            <h3 style={{ margin: '0 0 6px' }}>{clip.title || t('Song {{n}}', { n: index + 1 })}</h3>
            {clip.metadata?.tags && <Tag>{clip.metadata.tags}</Tag>}
            <SignedPlayer src={clip.audio_url as string}>
              {(onError) => (
                // biome-ignore lint/a11y/useMediaCaption: the lyrics are shown next to the player.
                <audio
                  controls
                  preload="metadata"
                  src={clip.audio_url}
                  onError={onError}
                  style={{ width: '100%', marginTop: 6 }}
                  aria-label={t('Play {{title}}', { title: clip.title || clip.id })}
                />
              )}
            </SignedPlayer>
            {clip.metadata?.prompt && (
              <details open>
                <summary>{t('Lyrics')}</summary>
                <pre>{clip.metadata.prompt}</pre>
              </details>
            )}
          </div>
        </article>
      ))}
    </div>
  );
}

export function TaskCenter({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const list = useListParams('tasks');
  const form = useFilterForm(list);
  const [media, setMedia] = useState<Task | null>(null);
  const [raw, setRaw] = useState<Task | null>(null);

  const tasks = usePagedQuery<Task>('tasks', `/api/task/${admin ? '' : 'self'}`, list, unfinished);

  const hasMedia = (task: Task) => videoOf(task) !== null || clipsOf(task).some((c) => c.audio_url);
  // Enter on a row: the player when there is a result, else the raw task.
  const open = (task: Task) => (hasMedia(task) ? setMedia(task) : setRaw(task));
  // The widths add up to less than a 1280 px screen holds (1248 px inside the page's padding), so nothing
  // scrolls there; the admin's two extra columns are paid for by a narrower details column.
  const columns: ColumnProps<Task>[] = [
    ...leadColumns<Task>('task_id'),
    {
      title: t('Platform'),
      dataIndex: 'platform',
      width: 85,
      render: (v: string) => <Tag color="purple">{t(`platform.${v}`, { defaultValue: v })}</Tag>,
    },
    {
      title: t('Action'),
      dataIndex: 'action',
      width: 85,
      render: (v: string) => t(`action.${v}`, { defaultValue: v }),
    },
    {
      title: t('Progress'),
      dataIndex: 'progress',
      width: 110,
      render: (v: string, r: Task) => <TaskProgress status={r.status} progress={v} />,
    },
    {
      title: t('Details'),
      dataIndex: 'data',
      width: admin ? 75 : 140,
      render: (_: unknown, r: Task) =>
        hasMedia(r) ? (
          <Button size="small" type="primary" onClick={() => setMedia(r)}>
            {r.platform === 'suno' ? t('Play') : t('Watch')}
          </Button>
        ) : (
          <LongText title={t('Fail reason')} text={r.fail_reason} />
        ),
    },
    { title: t('Submitted'), dataIndex: 'submit_time', width: 100, render: (v: number) => formatTime(v) },
    { title: t('Finished'), dataIndex: 'finish_time', width: 100, render: (v: number) => formatTime(v) },
    ...tailColumns<Task>(admin),
    {
      title: t('Raw JSON'),
      dataIndex: 'properties',
      width: 75,
      render: (_: unknown, r: Task) => (
        <Button size="small" onClick={() => setRaw(r)}>
          {t('JSON')}
        </Button>
      ),
    },
  ];

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">{t('Task center')}</h1>
      <FilterBar form={form}>
        <SelectFilter
          id="task-platform"
          label={t('Platform')}
          value={form.draft.platform}
          onChange={form.set('platform')}
          options={PLATFORMS.map((p) => ({ value: p, label: t(`platform.${p}`) }))}
        />
        <SelectFilter
          id="task-status"
          label={t('Status')}
          value={form.draft.status}
          onChange={form.set('status')}
          options={TASK_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        />
        <SelectFilter
          id="task-action"
          label={t('Action')}
          value={form.draft.action}
          onChange={form.set('action')}
          options={TASK_ACTIONS.map((a) => ({ value: a, label: t(`action.${a}`) }))}
        />
        <TextFilter
          id="task-id"
          label={t('Task ID')}
          value={form.draft.task_id}
          onChange={form.set('task_id')}
        />
        <TaskScopeFilters prefix="task" form={form} admin={admin} />
      </FilterBar>
      <ListTable
        query={tasks}
        list={list}
        columns={columns}
        onOpen={open}
        empty={{
          none: t('No Suno or video tasks yet'),
          hint: t(
            'Submit one with POST /suno/submit/music or POST /v1/videos and an API key (see API keys); it shows here.',
          ),
          filtered: t('No tasks match these filters'),
        }}
      />
      <Modal
        visible={media !== null}
        title={media ? t('Result of {{id}}', { id: media.task_id }) : ''}
        footer={null}
        width="min(800px, 96vw)"
        onCancel={() => setMedia(null)}
      >
        {media && <Media task={media} />}
      </Modal>
      <Modal
        visible={raw !== null}
        title={raw ? t('Task {{id}}', { id: raw.task_id }) : ''}
        footer={null}
        width="min(800px, 96vw)"
        onCancel={() => setRaw(null)}
      >
        {raw && <pre className="tg-json">{JSON.stringify(raw, null, 2)}</pre>}
      </Modal>
    </section>
  );
}
