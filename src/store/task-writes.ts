// Fenced writes of task rows: a write lands only if the task still has the version its writer read, is not final,
// and (for the poller) its `task_polls` row is still leased to the writer. One task at a time, or a batch, which
// PostgreSQL writes with one statement per shape of patch.
import { CompiledQuery } from 'kysely';
import { chunks } from '../core/concurrency.js';
import type { DbContext } from './db.js';
import { executePrebuilt, prebuilt } from './prebuilt.js';
import type { TaskPatch } from './schema.js';
import { storableText } from './storable.js';
import { IDS_PER_STATEMENT } from './task-leases.js';

export interface Fence {
  version: number;
  /** The poller's claim token; push callbacks have none. */
  leaseOwner?: string;
  now: number;
}

/**
 * Writes `patch` only if the task still has the version the writer read (and, for the poller, its `task_polls`
 * row is still leased to it) and is not final yet. Returns whether the write happened. The task's `task_polls` row
 * is the caller's to settle (the task writer's `settlePolls`). The hottest write there is (every changed task of
 * every poll round), so its SQL is built once per shape of patch and kept, not put together by the query builder
 * each time.
 */
export async function writeTaskFenced(
  ctx: DbContext,
  id: number,
  patch: TaskPatch,
  fence: Fence,
): Promise<boolean> {
  const columns = patchColumns(patch);
  const leased = fence.leaseOwner !== undefined;
  const parameters: unknown[] = columns.map((column) => patch[column]);
  parameters.push(fence.version + 1, id, fence.version);
  if (leased) parameters.push(fence.leaseOwner, fence.now);
  const text = prebuilt(ctx.dialect, `fenced-update|${leased ? 1 : 0}|${columns.join(',')}`, (q) => {
    const sets = [...columns, 'version'].map((column) => `${q.name(column)} = ${q.param()}`);
    const where = [`${q.name('id')} = ${q.param()}`, `${q.name('version')} = ${q.param()}`];
    where.push(`${q.name('status')} not in ('SUCCESS', 'FAILURE')`);
    if (leased) {
      const polls = q.name('task_polls');
      const lease = [
        `${polls}.${q.name('id')} = ${q.name('tasks')}.${q.name('id')}`,
        `${q.name('lease_owner')} = ${q.param()}`,
        `${q.name('lease_until')} >= ${q.param()}`,
      ];
      where.push(`exists (select 1 from ${polls} where ${lease.join(' and ')})`);
    }
    return `update ${q.name('tasks')} set ${sets.join(', ')} where ${where.join(' and ')}`;
  });
  return (await executePrebuilt(ctx, text, parameters)) === 1;
}

/** One fenced write of a batch: the task, the columns to write, and the fence it was read under. */
export interface FencedWrite {
  id: number;
  patch: TaskPatch;
  fence: Omit<Fence, 'now'>;
}

/** Rows per batched update: bounds one statement's JSON parameter however large the batch (a poll batch is ~500). */
export const ROWS_PER_STATEMENT = 1_000;

/**
 * `writeTaskFenced` for many tasks in the caller's transaction, answering per write whether it happened. The rows
 * are written in id order, so concurrent batches cannot deadlock. PostgreSQL writes them with one statement per
 * shape of patch (and lease owner) instead of one per task: one round trip per changed task was most of a poll
 * round's time there.
 */
export async function writeTasksFenced(
  ctx: DbContext,
  writes: readonly FencedWrite[],
  now: number,
): Promise<boolean[]> {
  const done: boolean[] = new Array(writes.length).fill(false);
  const order = writes.map((_, i) => i).sort((a, b) => writes[a].id - writes[b].id);
  const ids = order.map((i) => writes[i].id);
  // A task twice in a batch: its second write must see its first, as one at a time (never so in a poll round).
  const repeats = ids.some((id, k) => k > 0 && ids[k - 1] === id);
  if (ctx.dialect !== 'postgres' || repeats) {
    // SQLite runs in-process (no round trips to save); MySQL has no RETURNING to tell which rows were written.
    for (const i of order) {
      const { id, patch, fence } = writes[i];
      done[i] = await writeTaskFenced(ctx, id, patch, { ...fence, now });
    }
    return done;
  }
  // An UPDATE … FROM locks its rows in no defined order: lock them all in id order first.
  const lock = 'select "id" from "tasks" where "id" = any($1::bigint[]) order by "id" for update';
  for (const chunk of chunks(ids, IDS_PER_STATEMENT))
    await ctx.db.executeQuery(CompiledQuery.raw(lock, [chunk]));
  const shapes = new Map<string, { columns: (keyof TaskPatch)[]; owner?: string; rows: number[] }>();
  for (const i of order) {
    const { patch, fence } = writes[i];
    const columns = patchColumns(patch).sort();
    const key = JSON.stringify([columns, fence.leaseOwner ?? null]);
    const shape = shapes.get(key) ?? { columns, owner: fence.leaseOwner, rows: [] };
    shape.rows.push(i);
    shapes.set(key, shape);
  }
  for (const { columns, owner, rows } of shapes.values()) {
    const text = batchedUpdate(columns, owner !== undefined);
    for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) {
      // Each record holds the id, the version as read, and the patch; the update sets version + 1.
      const records = chunk.map((i) => {
        const { id, patch, fence } = writes[i];
        const values = columns.map((column) => [column, patch[column]]);
        return Object.fromEntries([...values, ['id', id], ['version', fence.version]]);
      });
      const parameters: unknown[] = [JSON.stringify(records, wellFormed)];
      if (owner !== undefined) parameters.push(owner, now);
      const result = await ctx.db.executeQuery<{ id: number }>(CompiledQuery.raw(text, parameters));
      const written = new Set(result.rows.map((row) => Number(row.id)));
      for (const i of chunk) done[i] = written.has(writes[i].id);
    }
  }
  return done;
}

/** The columns a patch writes (an undefined value writes nothing). */
const patchColumns = (patch: TaskPatch) =>
  Object.keys(patch).filter((key) => patch[key as keyof TaskPatch] !== undefined) as (keyof TaskPatch)[];

/**
 * PostgreSQL's fenced update of many rows of one shape, from a JSON array of records: `jsonb_populate_recordset`
 * types each field by the tasks table's own column type, so no type list is kept here. `returning` names the
 * rows whose fence held.
 */
function batchedUpdate(columns: (keyof TaskPatch)[], leased: boolean): string {
  return prebuilt('postgres', `fenced-batch|${leased ? 1 : 0}|${columns.join(',')}`, (q) => {
    const [tasks, v] = [q.name('tasks'), q.name('v')];
    const col = (table: string, column: string) => `${table}.${q.name(column)}`;
    const sets = columns.map((column) => `${q.name(column)} = ${col(v, column)}`);
    sets.push(`${q.name('version')} = ${col(v, 'version')} + 1`);
    const source = `jsonb_populate_recordset(null::${tasks}, ${q.param()}::jsonb) as ${v}`;
    // Every column is qualified: the records have all of the tasks table's columns.
    const where = [
      `${col(tasks, 'id')} = ${col(v, 'id')}`,
      `${col(tasks, 'version')} = ${col(v, 'version')}`,
      `${col(tasks, 'status')} not in ('SUCCESS', 'FAILURE')`,
    ];
    if (leased) {
      const polls = q.name('task_polls');
      const lease = [
        `${col(polls, 'id')} = ${col(tasks, 'id')}`,
        `${col(polls, 'lease_owner')} = ${q.param()}`,
        `${col(polls, 'lease_until')} >= ${q.param()}`,
      ];
      where.push(`exists (select 1 from ${polls} where ${lease.join(' and ')})`);
    }
    const update = `update ${tasks} set ${sets.join(', ')} from ${source}`;
    return `${update} where ${where.join(' and ')} returning ${col(tasks, 'id')}`;
  });
}

/** A lone UTF-16 surrogate or a NUL is not valid in jsonb: U+FFFD instead, as pg sends it in a plain parameter. */
const wellFormed = (_key: string, value: unknown) =>
  typeof value === 'string' ? storableText(value) : value;
