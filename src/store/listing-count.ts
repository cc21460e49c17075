// The `total` of a listing page without counting every matching row for every page (docs/benchmarks.md):
//   1. a page that is not full ends the listing, so the total is its offset plus its rows: exact, no count;
//   2. otherwise the matches are counted up to EXACT_BELOW + 1 rows (a bounded, index-only read): below that
//      bound the count is exact and costs at most that many index entries;
//   3. a larger total is counted in full once and kept for TTL_MS per filter in this process, so paging through
//      a million-row listing counts once, not once per page. Such a total may be up to TTL_MS old (a page's
//      rows are always current): off by the tasks that arrived or changed status in the last few seconds.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { DbContext } from './db.js';
import type { Database } from './schema.js';

export const COUNT_SETTINGS = { exactBelow: 10_000, ttlMs: 5_000, maxEntries: 1_000 };

const caches = new WeakMap<object, Map<string, { total: number; until: number }>>();

/** `selectFrom('tasks')` with the listing's filters, nothing selected yet. */
export type FilteredTasks = SelectQueryBuilder<Database, 'tasks', Record<never, never>>;

export async function listingTotal(
  ctx: DbContext,
  cacheKey: string,
  where: FilteredTasks,
  page: { offset: number; limit: number; rows: number },
): Promise<number> {
  if (page.rows > 0 && page.rows < page.limit) return page.offset + page.rows;
  if (page.rows === 0 && page.offset === 0) return 0;
  let cache = caches.get(ctx.db);
  if (!cache) {
    cache = new Map();
    caches.set(ctx.db, cache);
  }
  const now = performance.now();
  const hit = cache.get(cacheKey);
  if (hit && hit.until > now) return hit.total;
  const { exactBelow, ttlMs, maxEntries } = COUNT_SETTINGS;
  const bounded = where.select(sql<number>`1`.as('one')).limit(exactBelow + 1);
  const counted = await ctx.db
    .selectFrom(bounded.as('b'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(counted.n) <= exactBelow) return Number(counted.n);
  const full = await where.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(full.n);
  if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, { total, until: performance.now() + ttlMs });
  return total;
}
