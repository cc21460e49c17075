// Shared pieces of the list pages: filters and paging kept in the URL (shareable), the page size remembered,
// labelled filter inputs, and the empty and error states.
import { Banner, Button, DatePicker, Empty, Input, Select } from '@douyinfe/semi-ui';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

const PAGE_KEYS = new Set(['p', 'page_size', 'view']);
export const PAGE_SIZES = [10, 20, 50, 100];

export function useListParams(name: string) {
  const [params, setParams] = useSearchParams();
  const storageKey = `page-size:${name}`;
  const page = Math.max(1, Number(params.get('p')) || 1);
  const rawSize = Number(params.get('page_size') || localStorage.getItem(storageKey) || 20);
  const pageSize = PAGE_SIZES.includes(rawSize) ? rawSize : 20;
  const filters: Record<string, string> = {};
  params.forEach((value, key) => {
    if (!PAGE_KEYS.has(key) && value) filters[key] = value;
  });
  const view = params.get('view') ?? '';

  const write = (next: Record<string, string | number | undefined>) => {
    const out = new URLSearchParams();
    for (const [key, value] of Object.entries(next)) {
      if (value !== undefined && value !== '') out.set(key, String(value));
    }
    setParams(out);
  };
  return {
    page,
    pageSize,
    filters,
    view,
    /** The API query: filters plus `p` and `page_size`. */
    query: { ...filters, p: page, page_size: pageSize },
    setFilters(next: Record<string, string | undefined>) {
      write({ ...next, page_size: pageSize, view: view || undefined });
    },
    setPage(nextPage: number, nextSize: number) {
      localStorage.setItem(storageKey, String(nextSize));
      write({
        ...filters,
        p: nextSize === pageSize ? nextPage : 1,
        page_size: nextSize,
        view: view || undefined,
      });
    },
    setView(next: string) {
      write({ ...filters, p: page, page_size: pageSize, view: next || undefined });
    },
  };
}

/** A labelled control; `bare` for controls that carry their own aria-label and take no id (date pickers). */
export function Field({
  id,
  label,
  children,
  bare = false,
}: {
  id: string;
  label: string;
  children: ReactNode;
  bare?: boolean;
}) {
  return (
    <div className="tg-field">
      {bare ? <span id={id}>{label}</span> : <label htmlFor={id}>{label}</label>}
      {children}
    </div>
  );
}

export function TextFilter(props: {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={props.id} label={props.label}>
      <Input
        id={props.id}
        aria-label={props.label}
        value={props.value ?? ''}
        onChange={props.onChange}
        showClear
      />
    </Field>
  );
}

export function SelectFilter(props: {
  id: string;
  label: string;
  value: string | undefined;
  options: Array<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field id={props.id} label={props.label}>
      <Select
        id={props.id}
        aria-label={props.label}
        value={props.value ?? ''}
        style={{ width: '100%' }}
        optionList={[{ value: '', label: t('All') }, ...props.options]}
        onChange={(value) => props.onChange(String(value ?? ''))}
      />
    </Field>
  );
}

/** Start and end as unix seconds in the `start_timestamp` / `end_timestamp` filters. */
export function TimeRangeFilter(props: {
  id: string;
  start: string | undefined;
  end: string | undefined;
  onChange: (start: string, end: string) => void;
}) {
  const { t } = useTranslation();
  const value =
    props.start && props.end
      ? [new Date(Number(props.start) * 1000), new Date(Number(props.end) * 1000)]
      : [];
  return (
    <Field id={props.id} label={t('Time range')} bare>
      <DatePicker
        aria-label={t('Time range')}
        type="dateTimeRange"
        value={value}
        style={{ width: '100%' }}
        onChange={(dates) => {
          const [from, to] = (Array.isArray(dates) ? dates : []) as Date[];
          props.onChange(
            from ? String(Math.floor(new Date(from).getTime() / 1000)) : '',
            to ? String(Math.floor(new Date(to).getTime() / 1000)) : '',
          );
        }}
      />
    </Field>
  );
}

/** The filter form: edits stay local until "Search", which writes them to the URL. */
export function useDraft(filters: Record<string, string>) {
  const [draft, setDraft] = useState<Record<string, string>>(filters);
  const set = (key: string) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  return { draft, setDraft, set };
}

export function FilterBar({
  children,
  onSearch,
  onReset,
}: {
  children: ReactNode;
  onSearch: () => void;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  return (
    <form
      className="tg-filters"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch();
      }}
    >
      {children}
      <div className="tg-filter-actions">
        <Button htmlType="submit" type="primary" theme="solid">
          {t('Search')}
        </Button>
        <Button onClick={onReset}>{t('Reset')}</Button>
      </div>
    </form>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Banner
      type="danger"
      title={t('Could not load this page')}
      description={
        <span>
          {(error as Error)?.message ?? String(error)}{' '}
          <Button size="small" onClick={onRetry}>
            {t('Retry')}
          </Button>
        </span>
      }
    />
  );
}

export function EmptyState() {
  const { t } = useTranslation();
  return <Empty title={t('Nothing here yet')} description={t('No records match these filters.')} />;
}

export function formatTime(seconds: number): string {
  if (!seconds) return '—';
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(start: number, end: number): string {
  if (!start || !end || end < start) return 'N/A';
  return `${(end - start).toFixed(1)} s`;
}

/** A duration, in red past a minute (as new-api shows slow tasks). */
export function Duration({ start, end }: { start: number; end: number }) {
  const slow = start > 0 && end - start > 60;
  return <span className={slow ? 'tg-slow' : undefined}>{formatDuration(start, end)}</span>;
}

/** Quota units as dollars (500 000 units = $1, as in new-api). */
export function formatQuota(quota: number): string {
  return `$${(quota / 500_000).toFixed(4)}`;
}

export function percentOf(progress: string): number {
  const n = Number.parseFloat(progress);
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
}

/** Table rows that can be reached with Tab (and read by screen readers as rows). */
export const focusableRow = () => ({ tabIndex: 0 });

export const pagination = (
  list: ReturnType<typeof useListParams>,
  total: number,
  t: (key: string) => string,
) => ({
  currentPage: list.page,
  pageSize: list.pageSize,
  total,
  pageSizeOpts: PAGE_SIZES,
  showSizeChanger: true,
  onChange: (page: number, size: number) => list.setPage(page, size),
  'aria-label': t('Pages'),
});

/** Dialog buttons named by their visible (translated) text; Semi's own footer labels them "confirm"/"cancel". */
export function DialogFooter({
  okText,
  onOk,
  onCancel,
}: {
  okText: string;
  onOk: () => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div>
      {onCancel && <Button onClick={onCancel}>{t('Cancel')}</Button>}
      <Button type="primary" theme="solid" onClick={onOk}>
        {okText}
      </Button>
    </div>
  );
}
