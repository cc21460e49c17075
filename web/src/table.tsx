// The list pages' table: a server-paged query, its error and empty states, the pager, and keyboard navigation
// (arrow keys move between rows, Enter opens the row, Home/End jump to the ends).
import { Pagination, Table } from '@douyinfe/semi-ui';
import type { ColumnProps } from '@douyinfe/semi-ui/lib/es/table';
import { keepPreviousData, type UseQueryResult, useQuery } from '@tanstack/react-query';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Paged, queryString } from './api';
import { EmptyState, type EmptyText, ErrorState, type ListParams, PAGE_SIZES } from './list';

/** How often a page with unfinished tasks refetches itself, so progress moves without a reload. */
const LIVE_MS = 1500;

/**
 * One page of `path` with the list's filters. With `unfinished`, the query refetches itself while any row on
 * the page is unfinished. `key` comes first in the query key, so invalidating `[key]` reloads every page.
 */
export function usePagedQuery<T>(
  key: string,
  path: string,
  list: ListParams,
  unfinished?: (row: T) => boolean,
): UseQueryResult<Paged<T>> {
  return useQuery({
    queryKey: [key, path, list.query],
    queryFn: () => api<Paged<T>>('GET', `${path}${queryString(list.query)}`),
    placeholderData: keepPreviousData,
    refetchInterval: unfinished
      ? (query) => (query.state.data?.items.some(unfinished) ? LIVE_MS : false)
      : undefined,
  });
}

const ROW_ATTRIBUTE = 'data-kbd-row';

/** Props for a focusable table row: arrows move, Enter calls `onOpen`. Keys pressed on controls inside stay theirs. */
export function rowKeys<T>(record: T | undefined, onOpen?: (record: T) => void) {
  return {
    tabIndex: 0,
    [ROW_ATTRIBUTE]: '',
    onKeyDown: (event: KeyboardEvent<HTMLTableRowElement>) => {
      if (event.target !== event.currentTarget) return;
      const row = event.currentTarget;
      const rows = Array.from(
        row.parentElement?.querySelectorAll<HTMLElement>(`:scope > [${ROW_ATTRIBUTE}]`) ?? [],
      );
      const at = rows.indexOf(row);
      const target =
        event.key === 'ArrowDown'
          ? rows[at + 1]
          : event.key === 'ArrowUp'
            ? rows[at - 1]
            : event.key === 'Home'
              ? rows[0]
              : event.key === 'End'
                ? rows[rows.length - 1]
                : undefined;
      if (target) {
        event.preventDefault();
        target.focus();
      } else if (event.key === 'Enter' && onOpen && record !== undefined) {
        event.preventDefault();
        onOpen(record);
      }
    },
  };
}

export function pagination(list: ListParams, total: number, label: string) {
  return {
    currentPage: list.page,
    pageSize: list.pageSize,
    total,
    pageSizeOpts: PAGE_SIZES,
    showSizeChanger: true,
    onChange: (page: number, size: number) => list.setPage(page, size),
    'aria-label': label,
  };
}

/** The pager on its own, for views that are not a table (the gallery). */
export function Pager({ list, total }: { list: ListParams; total: number }) {
  const { t } = useTranslation();
  return (
    <Pagination
      style={{ marginTop: 12 }}
      {...pagination(list, total, t('Pages'))}
      onPageSizeChange={(size) => list.setPage(1, size)}
    />
  );
}

/** A server-paged table, or the error state when the page failed to load. */
export function ListTable<T extends object>({
  query,
  list,
  columns,
  width,
  onOpen,
  empty,
}: {
  query: UseQueryResult<Paged<T>>;
  list: ListParams;
  columns: ColumnProps<T>[];
  /** The table's scroll width: narrower screens scroll it sideways. Without it, the sum of the columns' widths. */
  width?: number;
  /** What Enter on a focused row opens (its detail, preview or edit dialog). */
  onOpen?: (record: T) => void;
  /** What the list says when it has no rows. */
  empty: EmptyText;
}) {
  const { t } = useTranslation();
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <Table<T>
      rowKey="id"
      loading={query.isLoading}
      dataSource={query.data?.items ?? []}
      columns={columns}
      onRow={(record) => rowKeys(record, onOpen)}
      scroll={{ x: width ?? columns.reduce((sum, column) => sum + Number(column.width ?? 0), 0) }}
      // Nothing until the first answer: "No … yet" while loading would be a false statement.
      empty={
        query.data === undefined ? (
          <span />
        ) : (
          <EmptyState text={empty} filtered={Object.keys(list.filters).length > 0} />
        )
      }
      pagination={pagination(list, query.data?.total ?? 0, t('Pages'))}
    />
  );
}
