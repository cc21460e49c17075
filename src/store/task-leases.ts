// The poller's statements. A claim leases due tasks to one poll round and schedules their next poll in the same
// write; every later write of polled state is fenced by that lease and by the version it read.
import { CompiledQuery, type ExpressionBuilder, sql, type UpdateObject } from 'kysely';
import { chunks } from '../core/concurrency.js';
import { type DbContext, inTransaction } from './db.js';
import { isDeadlock } from './insert.js';
import { prebuilt } from './prebuilt.js';
import type { Database, TaskPatch, TaskRow } from './schema.js';

export interface PollSchedule {
  /** How long a claim owns its tasks; longer than any upstream call of a round. */
  leaseMs: number;
  /** Poll intervals by how often the task was polled already: [polls so far below, interval ms]. */
  steps: ReadonlyArray<readonly [number, number]>;
  /** Interval once every step is passed. */
  slowestMs: number;
}

export const DEFAULT_SCHEDULE: PollSchedule = {
  leaseMs: 15_000,
  steps: [
    [20, 15_000],
    [60, 30_000],
  ],
  slowestMs: 60_000,
};

/**
 * Leases up to `limit` due tasks (oldest due first) to `owner` and answers them as claimed. Their next poll is set
 * to the interval their poll count calls for, never sooner than the lease ends, so no other instance polls them
 * meanwhile. SQLite and PostgreSQL claim in one statement that returns the rows; MySQL, which has no
 * `UPDATE … RETURNING` and cannot update a table it selects from, locks the ids first and reads the rows after.
 */
export async function claimDueTasks(
  ctx: DbContext,
  owner: string,
  now: number,
  limit: number,
  schedule: PollSchedule = DEFAULT_SCHEDULE,
): Promise<TaskRow[]> {
  const lease = (eb: ExpressionBuilder<Database, 'tasks'>) => ({
    lease_owner: owner,
    lease_until: now + schedule.leaseMs,
    poll_attempts: eb('poll_attempts', '+', 1),
    next_poll_at: sql<number>`${sql.lit(now)} + ${intervalSql(schedule)}`,
  });
  // Claims skip locked rows instead of waiting for them, so their lock order cannot deadlock (unlike renewals).
  const due = (db: DbContext['db']) =>
    db.selectFrom('tasks').select('id').where('next_poll_at', '<=', now).orderBy('next_poll_at').limit(limit);
  try {
    if (ctx.dialect !== 'mysql') {
      return (await ctx.db
        .updateTable('tasks')
        .set(lease)
        .where('id', 'in', ctx.dialect === 'postgres' ? due(ctx.db).forUpdate().skipLocked() : due(ctx.db))
        // SQLite has no row locks: the re-check makes a concurrent claim of the same row a no-op.
        .where('next_poll_at', '<=', now)
        .returningAll()
        .execute()) as TaskRow[];
    }
    const ids = await inTransaction(
      ctx,
      async (trx) => {
        // Other instances skip rows this one is claiming instead of waiting for them.
        const dueIds = (await due(trx.db).forUpdate().skipLocked().execute()).map((r) => r.id);
        if (dueIds.length > 0)
          await trx.db
            .updateTable('tasks')
            .set(lease)
            .where('id', 'in', dueIds)
            .where('next_poll_at', '<=', now)
            .execute();
        return dueIds;
      },
      { readCommitted: true },
    );
    if (ids.length === 0) return [];
    return await ctx.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .execute();
  } catch (error) {
    // A deadlock victim claims nothing this round; its tasks stay due for the next one.
    if (isDeadlock(error)) return [];
    throw error;
  }
}

/** The schedule as SQL over the row's poll count (our own integers, so they are inlined as literals). */
function intervalSql(schedule: PollSchedule) {
  const atLeastLease = (ms: number) => sql.lit(Math.max(ms, schedule.leaseMs));
  // One fixed interval (POLL_INTERVAL_MS): `case` with no `when` is not SQL.
  if (schedule.steps.length === 0) return sql<number>`${atLeastLease(schedule.slowestMs)}`;
  const steps = schedule.steps.map(
    ([below, ms]) => sql`when poll_attempts < ${sql.lit(below)} then ${atLeastLease(ms)}`,
  );
  return sql<number>`(case ${sql.join(steps, sql` `)} else ${atLeastLease(schedule.slowestMs)} end)`;
}

export interface Fence {
  version: number;
  /** The poller's claim token; push callbacks have none. */
  leaseOwner?: string;
  now: number;
}

/**
 * Writes `patch` only if the task still has the version the writer read (and, for the poller, is still leased to
 * it) and is not final yet. Returns whether the write happened. The hottest write there is (every changed task
 * of every poll round), so its SQL is built once per shape of patch and kept, not put together by the query
 * builder each time.
 */
export async function writeTaskFenced(
  ctx: DbContext,
  id: number,
  patch: TaskPatch,
  fence: Fence,
): Promise<boolean> {
  const columns = Object.keys(patch).filter(
    (key) => patch[key as keyof TaskPatch] !== undefined,
  ) as (keyof TaskPatch)[];
  const leased = fence.leaseOwner !== undefined;
  const parameters: unknown[] = columns.map((column) => patch[column]);
  parameters.push(fence.version + 1, id, fence.version);
  if (leased) parameters.push(fence.leaseOwner, fence.now);
  const text = prebuilt(ctx.dialect, `fenced-update|${leased ? 1 : 0}|${columns.join(',')}`, (q) => {
    const sets = [...columns, 'version'].map((column) => `${q.name(column)} = ${q.param()}`);
    const where = [`${q.name('id')} = ${q.param()}`, `${q.name('version')} = ${q.param()}`];
    where.push(`${q.name('status')} not in ('SUCCESS', 'FAILURE')`);
    if (leased)
      where.push(`${q.name('lease_owner')} = ${q.param()}`, `${q.name('lease_until')} >= ${q.param()}`);
    return `update ${q.name('tasks')} set ${sets.join(', ')} where ${where.join(' and ')}`;
  });
  const result = await ctx.db.executeQuery(CompiledQuery.raw(text, parameters));
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** Unfinished tasks of a channel (for failing them when the channel is deleted). */
export function unfinishedTasksOfChannel(ctx: DbContext, channelId: number): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('status', 'not in', ['SUCCESS', 'FAILURE'])
    .execute();
}

/** How long the oldest due task has been waiting, in ms (0 when none is due). */
export async function oldestDueLagMs(ctx: DbContext, now: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('tasks')
    .select((eb) => eb.fn.min<number>('next_poll_at').as('oldest'))
    .where('next_poll_at', '<=', now)
    .executeTakeFirst();
  return row?.oldest ? Math.max(0, now - Number(row.oldest)) : 0;
}

/** Lease end pushed to `until`, and the next poll never before it (a claim looks only at `next_poll_at`). */
function notBefore(until: number) {
  return sql<number>`(case when next_poll_at < ${sql.lit(until)} then ${sql.lit(until)} else next_poll_at end)`;
}

/**
 * Extends `owner`'s lease on the tasks still in hand, in one statement, so a round whose calls outlive the lease
 * keeps them. Fenced by owner: a task another instance claimed meanwhile is left alone. Returns how many held.
 */
export async function renewLeases(
  ctx: DbContext,
  owner: string,
  ids: number[],
  now: number,
  leaseMs: number,
): Promise<number> {
  const until = now + leaseMs;
  return updateOwned(ctx, owner, ids, { lease_until: until, next_poll_at: notBefore(until) });
}

/**
 * Updates `owner`'s unfinished tasks among `ids`, locking them in id order where the engine has row locks: the
 * task writer also writes in id order, so a renewal, a release and a round's writes never wait on each other in
 * a cycle (PostgreSQL answered that with 40P01 when renewals piled up). SQLite has no row locks.
 */
function updateOwned(
  ctx: DbContext,
  owner: string,
  ids: number[],
  values: UpdateObject<Database, 'tasks'>,
): Promise<number> {
  return inChunks(ids, async (chunk) => {
    let update = ctx.db
      .updateTable('tasks')
      .set(values)
      .where('lease_owner', '=', owner)
      .where('status', 'not in', ['SUCCESS', 'FAILURE']);
    if (ctx.dialect === 'postgres') {
      // An UPDATE has no ORDER BY on PostgreSQL: a locking subquery sorted by id takes the locks in that order.
      const inOrder = ctx.db
        .selectFrom('tasks')
        .select('id')
        .where('id', 'in', chunk)
        .where('lease_owner', '=', owner)
        .orderBy('id')
        .forUpdate();
      update = update.where('id', 'in', inOrder);
    } else {
      update = update.where('id', 'in', chunk);
      if (ctx.dialect === 'mysql') update = update.orderBy('id');
    }
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}

/** Bound parameters per statement: every engine's limit (SQLite 32,766, PostgreSQL and MySQL 65,535) is higher. */
const IDS_PER_STATEMENT = 10_000;

/** Runs `work` over `ids` in slices one statement can bind, adding up what each answers. */
async function inChunks(ids: number[], work: (chunk: number[]) => Promise<number>): Promise<number> {
  let total = 0;
  for (const chunk of chunks(ids, IDS_PER_STATEMENT)) total += await work(chunk);
  return total;
}

/**
 * Gives `owner`'s unfinished tasks back at shutdown: due now and unleased, so another instance polls them at
 * once instead of after the lease expiry. The owner's late writes then fail their fence.
 */
export async function releaseLeases(
  ctx: DbContext,
  owner: string,
  ids: number[],
  now: number,
): Promise<number> {
  return updateOwned(ctx, owner, ids, { lease_owner: null, lease_until: null, next_poll_at: now });
}

/** Unfinished tasks whose channel no longer exists (a delete whose own failing of them was interrupted). */
export function orphanedTasks(ctx: DbContext, limit: number): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('status', 'not in', ['SUCCESS', 'FAILURE'])
    .where('channel_id', '>', 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('channels').select('channels.id').whereRef('channels.id', '=', 'tasks.channel_id')),
      ),
    )
    .limit(limit)
    .execute();
}
