// Paging and time-filter rules shared by every dashboard list.
import { badRequest } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface Page {
  page: number;
  pageSize: number;
  offset: number;
}

export interface PageResult<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

function integerParam(name: string, raw: string): number {
  if (!/^-?\d{1,15}$/.test(raw.trim()))
    throw badRequest(`${name} must be an integer, got '${raw.slice(0, 40)}'`);
  return Number(raw);
}

/** The names a client may give the page size, in the order new-api reads them: `page_size`, then `ps`, then `size`. */
const PAGE_SIZE_NAMES = ['page_size', 'ps', 'size'] as const;

export interface PageParams {
  p?: string;
  page_size?: string;
  ps?: string;
  size?: string;
}

/** `p` is 1-based (below 1 reads as 1); the page size defaults to 20 and must lie in 1..100. */
export function parsePage(query: PageParams): Page {
  const page = query.p === undefined || query.p === '' ? 1 : Math.max(1, integerParam('p', query.p));
  let pageSize = DEFAULT_PAGE_SIZE;
  // The first one given wins, as in new-api; an empty value counts as absent.
  const name = PAGE_SIZE_NAMES.find((n) => query[n] !== undefined && query[n] !== '');
  if (name) {
    pageSize = integerParam(name, query[name]!);
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw badRequest(`${name} must be between 1 and ${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
  }
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** Values of 10^11 and more are milliseconds (new-api's MJ pages send those); smaller ones are seconds. */
const MILLISECOND_THRESHOLD = 100_000_000_000;

/** A time filter in unix seconds or milliseconds, returned in milliseconds; empty means no filter. */
export function parseTimestampMs(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const value = integerParam(name, raw);
  if (value < 0) throw badRequest(`${name} must not be negative`);
  return value >= MILLISECOND_THRESHOLD ? value : value * 1000;
}

/** An optional positive integer id filter (`channel_id`, `user_id`). */
export function parseIdFilter(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const value = integerParam(name, raw);
  if (value < 0) throw badRequest(`${name} must not be negative`);
  return value;
}

/** Inclusive end bound: a filter given in whole seconds covers that entire second. */
export function endOfSecondMs(ms: number | null, raw: string | undefined): number | null {
  if (ms === null || raw === undefined) return ms;
  return Number(raw) >= MILLISECOND_THRESHOLD ? ms : ms + 999;
}
