// The poller's statements over `task_polls`, the narrow table holding each unfinished task's poll schedule and
// lease. A claim leases due tasks to one poll round and schedules their next poll in the same write, without
// touching the wide task rows; every later write of polled state is fenced by that lease and by the version it
// read (task-writes.ts).
import { type ExpressionBuilder, type QueryCreator, sql, type UpdateObject } from 'kysely';
import { chunks } from '../core/concurrency.js';
import { type DbContext, inTransaction } from './db.js';
import { isDeadlock } from './insert.js';
import { executePrebuilt, prebuilt, selectRows } from './prebuilt.js';
import type { Database, TaskRow } from './schema.js';

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
 * What a round holds of a claimed task while its status call runs. The wide row (`tasksByIds`) is read once the
 * answer is in: held through the call, 100k of them were promoted to V8's old space and set the round's peak RSS.
 */
export type ClaimedTask = Pick<TaskRow, (typeof CLAIMED_COLUMNS)[number]>;
/** The version and digest let a round skip the row of a task whose answer did not change (engine/poll-plan.ts). */
const CLAIMED_COLUMNS = [
  'id',
  'channel_id',
  'upstream_id',
  'action',
  'submit_time',
  'updated_at',
  'version',
  'poll_digest',
] as const;

/**
 * Leases up to `limit` due tasks (oldest due first) to `owner` and answers what the round needs of them
 * (`ClaimedTask`). Their next poll is set to the interval their poll count calls for, never sooner than the lease
 * ends, so no other instance polls them meanwhile. Only `task_polls` rows are written. PostgreSQL claims and reads
 * in one statement; SQLite claims in one and reads in a second; MySQL, which has no `UPDATE … RETURNING`, locks the
 * ids first.
 */
export async function claimDueTasks(
  ctx: DbContext,
  owner: string,
  now: number,
  limit: number,
  schedule: PollSchedule = DEFAULT_SCHEDULE,
): Promise<ClaimedTask[]> {
  const lease = (eb: ExpressionBuilder<Database, 'task_polls'>) => ({
    lease_owner: owner,
    lease_until: now + schedule.leaseMs,
    poll_attempts: eb('poll_attempts', '+', 1),
    next_poll_at: sql<number>`${sql.lit(now)} + ${intervalSql(schedule)}`,
  });
  // Claims skip locked rows instead of waiting for them, so their lock order cannot deadlock (unlike renewals).
  const due = (db: QueryCreator<Database>) =>
    db
      .selectFrom('task_polls')
      .select('id')
      .where('next_poll_at', '<=', now)
      .orderBy('next_poll_at')
      .limit(limit);
  try {
    if (ctx.dialect === 'postgres') {
      return await ctx.db
        .with('claimed', (db) =>
          db
            .updateTable('task_polls')
            .set(lease)
            .where('id', 'in', due(db).forUpdate().skipLocked())
            .where('next_poll_at', '<=', now)
            .returning('id'),
        )
        .selectFrom('tasks')
        .select(CLAIMED_COLUMNS)
        .where('id', 'in', (eb) => eb.selectFrom('claimed').select('claimed.id'))
        .execute();
    }
    if (ctx.dialect === 'sqlite') {
      const claimed = await ctx.db
        .updateTable('task_polls')
        .set(lease)
        .where('id', 'in', due(ctx.db))
        // SQLite has no row locks: the re-check makes a concurrent claim of the same row a no-op.
        .where('next_poll_at', '<=', now)
        .returning('id')
        .execute();
      return await byIds<ClaimedTask>(
        ctx,
        claimed.map((r) => r.id),
        CLAIMED_COLUMNS,
      );
    }
    const ids = await inTransaction(
      ctx,
      async (trx) => {
        // Other instances skip rows this one is claiming instead of waiting for them.
        const dueIds = (await due(trx.db).forUpdate().skipLocked().execute()).map((r) => r.id);
        if (dueIds.length > 0)
          await trx.db
            .updateTable('task_polls')
            .set(lease)
            .where('id', 'in', dueIds)
            .where('next_poll_at', '<=', now)
            .execute();
        return dueIds;
      },
      { readCommitted: true },
    );
    return await byIds<ClaimedTask>(ctx, ids, CLAIMED_COLUMNS);
  } catch (error) {
    // A deadlock victim claims nothing this round; its tasks stay due for the next one.
    if (isDeadlock(error)) return [];
    throw error;
  }
}

/** The task rows of `ids`, in no particular order (a task no longer there is left out). */
export function tasksByIds(ctx: DbContext, ids: number[]): Promise<TaskRow[]> {
  return byIds<TaskRow>(ctx, ids, null);
}

/**
 * `columns` (all when null) of the tasks `ids`. On SQLite the ids travel as one JSON parameter: one statement text
 * for any number of ids, so it is prepared once (a list of 2,000 placeholders is too long to keep, see
 * sqlite-statements.ts).
 */
async function byIds<R>(
  ctx: DbContext,
  ids: number[],
  columns: readonly (keyof TaskRow)[] | null,
): Promise<R[]> {
  if (ids.length === 0) return [];
  if (ctx.dialect !== 'sqlite') {
    const tasks = ctx.db.selectFrom('tasks');
    // PostgreSQL takes the ids as one array: one short statement to parse and plan, not 500 placeholders.
    const query =
      ctx.dialect === 'postgres'
        ? tasks.where(sql<boolean>`id = any(${ids}::bigint[])`)
        : tasks.where('id', 'in', ids);
    return (await (columns ? query.select(columns) : query.selectAll()).execute()) as R[];
  }
  const list = columns ? columns.map((column) => `"${column}"`).join(', ') : '*';
  return selectRows<R>(ctx, `select ${list} from "tasks" where "id" in (select "value" from json_each(?))`, [
    JSON.stringify(ids),
  ]);
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

/** Puts a new task on the poll schedule, due at `at` (with the task's insert, in its transaction). */
export async function schedulePoll(ctx: DbContext, id: number, at: number): Promise<void> {
  const text = prebuilt(ctx.dialect, 'schedule-poll', (q) => {
    const columns = ['id', 'next_poll_at', 'poll_attempts'].map(q.name).join(', ');
    return `insert into ${q.name('task_polls')} (${columns}) values (${q.param()}, ${q.param()}, 0)`;
  });
  await executePrebuilt(ctx, text, [id, at]);
}

/** Polls an unfinished task first at `at`, unleased and at the quick end of the schedule (an accepted submit). */
export async function restartPoll(ctx: DbContext, id: number, at: number): Promise<void> {
  const text = prebuilt(ctx.dialect, 'restart-poll', (q) => {
    const sets = [
      `${q.name('next_poll_at')} = ${q.param()}`,
      `${q.name('lease_owner')} = null`,
      `${q.name('lease_until')} = null`,
      `${q.name('poll_attempts')} = 0`,
    ];
    return `update ${q.name('task_polls')} set ${sets.join(', ')} where ${q.name('id')} = ${q.param()}`;
  });
  await executePrebuilt(ctx, text, [at, id]);
}

/**
 * What the task writer's committed task rows mean for their schedule, in the same transaction and after those
 * rows: `finished` tasks leave it, `moved` ones are polled at its quick end again. Where the engine has row locks
 * both sets are first locked together in id order, like renewals and releases lock theirs, so none of them wait
 * on each other in a cycle.
 */
export async function settlePolls(ctx: DbContext, finished: number[], moved: number[]): Promise<void> {
  if (ctx.dialect !== 'sqlite' && finished.length + moved.length > 1) {
    const all = [...finished, ...moved].sort((a, b) => a - b);
    await inChunks(all, async (chunk) => {
      const q = ctx.db
        .selectFrom('task_polls')
        .select('id')
        .where('id', 'in', chunk)
        .orderBy('id')
        .forUpdate();
      return (await q.execute()).length;
    });
  }
  await inChunks(finished, async (chunk) => {
    const result = await ctx.db.deleteFrom('task_polls').where('id', 'in', chunk).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  await inChunks(moved, async (chunk) => {
    const update = ctx.db.updateTable('task_polls').set({ poll_attempts: 0 }).where('id', 'in', chunk);
    return Number((await update.executeTakeFirst()).numUpdatedRows);
  });
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
    .selectFrom('task_polls')
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
 * Updates `owner`'s leases among `ids` (final tasks have none), locking the rows in id order where the engine has
 * row locks: the task writer settles its rows in id order too, so a renewal, a release and a round's writes never
 * wait on each other in a cycle (PostgreSQL answered that with 40P01 when renewals piled up). SQLite has no row
 * locks.
 */
function updateOwned(
  ctx: DbContext,
  owner: string,
  ids: number[],
  values: UpdateObject<Database, 'task_polls'>,
): Promise<number> {
  return inChunks(ids, async (chunk) => {
    let update = ctx.db.updateTable('task_polls').set(values).where('lease_owner', '=', owner);
    if (ctx.dialect === 'postgres') {
      // An UPDATE has no ORDER BY on PostgreSQL: a locking subquery sorted by id takes the locks in that order.
      const inOrder = ctx.db
        .selectFrom('task_polls')
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
export const IDS_PER_STATEMENT = 10_000;

/** Runs `work` over `ids` in slices one statement can bind, adding up what each answers. */
async function inChunks(ids: number[], work: (chunk: number[]) => Promise<number>): Promise<number> {
  let total = 0;
  for (const chunk of chunks(ids, IDS_PER_STATEMENT)) total += await work(chunk);
  return total;
}

/**
 * Gives `owner`'s leased tasks back at shutdown: due now and unleased, so another instance polls them at
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
