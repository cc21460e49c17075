// Pieces both task pages show: the status and refunded tags, the progress bar, long text behind a click, and the
// columns both tables begin (task id, status) and end with (duration, channel, user, cost).
import { Button, Modal, Progress, Tag, Typography } from '@douyinfe/semi-ui';
import type { ColumnProps } from '@douyinfe/semi-ui/lib/es/table';
import { useTranslation } from 'react-i18next';
import { Duration, formatQuota, percentOf } from '../format';
import i18n from '../i18n';
import { type FilterForm, TextFilter, TimeRangeFilter } from '../list';

export const FINISHED = new Set(['SUCCESS', 'FAILURE']);
export const unfinished = (task: { status: string }) => !FINISHED.has(task.status);

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

export function StatusCell({ status, refunded }: { status: string; refunded: boolean }) {
  return (
    <span>
      <StatusTag status={status} /> <RefundedTag refunded={refunded} />
    </span>
  );
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

/** A task id cut short by an ellipsis: the whole id is in its title, in a selection of it, and on the copy button. */
export function TaskId({ id }: { id: string }) {
  return (
    <span className="tg-id">
      <span className="tg-id-text" title={id}>
        {id}
      </span>
      <Typography.Text copyable={{ content: id }} />
    </span>
  );
}

/**
 * The two columns that say which task a row is and how it stands, first in both task tables. The id stays fixed on
 * the left, so on a phone it remains in sight while the rest of the row scrolls sideways.
 */
export function leadColumns<T extends { status: string; refunded: boolean }>(
  idIndex: keyof T & string,
): ColumnProps<T>[] {
  return [
    {
      title: i18n.t('Task ID'),
      dataIndex: idIndex,
      // Wide enough for a whole 16-digit Midjourney id; longer ids are cut short.
      width: 168,
      fixed: 'left',
      render: (v: string) => <TaskId id={v} />,
    },
    {
      title: i18n.t('Status'),
      dataIndex: 'status',
      width: 100,
      render: (v: string, r: T) => <StatusCell status={v} refunded={r.refunded} />,
    },
  ];
}

/** The columns both task tables end with: how long the task took, for admins its channel and user, its cost. */
export function tailColumns<T extends { submit_time: number; finish_time: number }>(
  admin: boolean,
): ColumnProps<T>[] {
  return [
    {
      title: i18n.t('Duration'),
      dataIndex: 'duration',
      width: 85,
      render: (_: unknown, r: T) => <Duration start={r.submit_time} end={r.finish_time} />,
    },
    ...(admin
      ? [
          { title: i18n.t('Channel'), dataIndex: 'channel_id', width: 78 },
          { title: i18n.t('User'), dataIndex: 'user_id', width: 55 },
        ]
      : []),
    { title: i18n.t('Cost'), dataIndex: 'quota', width: 80, render: (v: number) => formatQuota(v) },
  ];
}

/** A dialog with the whole of a text. */
export function showText(title: string, text: string) {
  Modal.info({
    title,
    content: <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{text}</div>,
    okText: i18n.t('Close'),
    hasCancel: false,
  });
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
      onClick={() => showText(title, text)}
    >
      <span className="tg-prompt">{text}</span>
    </Button>
  );
}

/** The end of both task pages' filter bars: the time range, and for admins the channel and user filters. */
export function TaskScopeFilters({
  prefix,
  form,
  admin,
}: {
  prefix: string;
  form: FilterForm;
  admin: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <TimeRangeFilter id={`${prefix}-time`} form={form} />
      {admin && (
        <>
          <TextFilter
            id={`${prefix}-channel`}
            label={t('Channel ID')}
            value={form.draft.channel_id}
            onChange={form.set('channel_id')}
          />
          <TextFilter
            id={`${prefix}-user`}
            label={t('User ID')}
            value={form.draft.user_id}
            onChange={form.set('user_id')}
          />
        </>
      )}
    </>
  );
}
