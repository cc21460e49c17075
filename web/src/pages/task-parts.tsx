// Pieces both task pages show: the status and refunded tags, the progress bar, and long text behind a click.
import { Button, Modal, Progress, Tag } from '@douyinfe/semi-ui';
import { useTranslation } from 'react-i18next';
import { percentOf } from '../format';
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
