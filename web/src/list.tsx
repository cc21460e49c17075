// Shared pieces of the list pages: filters and paging kept in the URL (shareable), the page size remembered,
// labelled filter inputs, the filter form, and the empty and error states.
import { Banner, Button, Empty, Input, Select } from '@douyinfe/semi-ui';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { DatePicker } from './date-picker';
import { Field, labelId } from './field';

const PAGE_KEYS = new Set(['p', 'page_size', 'view']);
export const PAGE_SIZES = [10, 20, 50, 100];

export type ListParams = ReturnType<typeof useListParams>;

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
    <Field id={props.id} label={props.label} bare>
      <Select
        id={props.id}
        aria-labelledby={labelId(props.id)}
        value={props.value ?? ''}
        style={{ width: '100%' }}
        optionList={[{ value: '', label: t('All') }, ...props.options]}
        onChange={(value) => props.onChange(String(value ?? ''))}
      />
    </Field>
  );
}

/** Start and end as unix seconds in the form's `start_timestamp` / `end_timestamp` filters. */
export function TimeRangeFilter({ id, form }: { id: string; form: FilterForm }) {
  const { t } = useTranslation();
  const { start_timestamp: start, end_timestamp: end } = form.draft;
  const value = start && end ? [new Date(Number(start) * 1000), new Date(Number(end) * 1000)] : [];
  const seconds = (date: Date | undefined) =>
    date ? String(Math.floor(new Date(date).getTime() / 1000)) : '';
  return (
    <Field id={id} label={t('Time range')} bare>
      <DatePicker
        aria-labelledby={labelId(id)}
        type="dateTimeRange"
        value={value}
        style={{ width: '100%' }}
        onChange={(dates) => {
          const [from, to] = (Array.isArray(dates) ? dates : []) as Date[];
          form.setRange(seconds(from), seconds(to));
        }}
      />
    </Field>
  );
}

/** The filter form: edits stay local until "Search", which writes them to the URL; "Reset" clears both. */
export function useFilterForm(list: ListParams) {
  const [draft, setDraft] = useState<Record<string, string>>(list.filters);
  return {
    draft,
    /** A setter for one filter, for the inputs' onChange. */
    set: (key: string) => (value: string) => setDraft((d) => ({ ...d, [key]: value })),
    setRange: (start: string, end: string) =>
      setDraft((d) => ({ ...d, start_timestamp: start, end_timestamp: end })),
    search: () => list.setFilters(draft),
    reset: () => {
      setDraft({});
      list.setFilters({});
    },
  };
}

export type FilterForm = ReturnType<typeof useFilterForm>;

export function FilterBar({ form, children }: { form: FilterForm; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <form
      className="tg-filters"
      onSubmit={(event) => {
        event.preventDefault();
        form.search();
      }}
    >
      {children}
      <div className="tg-filter-actions">
        <Button htmlType="submit" type="primary" theme="solid">
          {t('Search')}
        </Button>
        <Button onClick={form.reset}>{t('Reset')}</Button>
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

/** What an empty list says: what there is none of, and what to do about it. */
export interface EmptyText {
  /** "No … yet". */
  none: string;
  /** How the first one comes about. */
  hint: ReactNode;
  /** "No … match these filters". */
  filtered: string;
}

/** A list with no rows says what is missing and what to do; when filters emptied it, that they did. */
export function EmptyState({ text, filtered }: { text: EmptyText; filtered: boolean }) {
  const { t } = useTranslation();
  return filtered ? (
    <Empty title={text.filtered} description={t('Press Reset to see them all.')} />
  ) : (
    <Empty title={text.none} description={text.hint} />
  );
}
