// Tasks of every platform in one table. Listing queries here; the poller's lease statements come with the engine.
import { CompiledQuery, sql } from 'kysely';
import type { DbContext, Dialect } from './db.js';
import { type FilteredTasks, listingTotal } from './listing-count.js';
import { prebuilt, selectFirst } from './prebuilt.js';
import type { NewTask, TaskRow } from './schema.js';

type Required = Pick<NewTask, 'task_id' | 'platform' | 'action' | 'user_id' | 'submit_time'>;

/** A full row from the fields that matter, every other column at its empty value. */
export function taskValues(fields: Required & Partial<NewTask>, now: number): NewTask {
  return {
    upstream_id: '',
    model: '',
    token_id: 0,
    channel_id: 0,
    group: 'default',
    quota: 0,
    refunded: 0,
    status: 'NOT_START',
    progress: '0%',
    code: 1,
    fail_reason: '',
    start_time: 0,
    finish_time: 0,
    prompt: '',
    prompt_en: '',
    description: '',
    state: '',
    image_url: '',
    video_url: '',
    video_urls: '[]',
    buttons: '[]',
    properties: '{}',
    data: '{}',
    notify_hook: '',
    parent_task_id: '',
    version: 0,
    vanished_since: 0,
    notify_pending: 0,
    poll_digest: '',
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

/** Inserts a full task row (see `taskValues`) and answers its id; the SQL is built once per set of columns. */
export async function insertTask(ctx: DbContext, task: NewTask): Promise<number> {
  const columns = Object.keys(task).filter((key) => task[key as keyof NewTask] !== undefined);
  const text = prebuilt(ctx.dialect, `insert-task|${columns.join(',')}`, (q) => {
    const values = columns.map(() => q.param()).join(', ');
    const returning = ctx.dialect === 'postgres' ? ` returning ${q.name('id')}` : '';
    return `insert into ${q.name('tasks')} (${columns.map(q.name).join(', ')}) values (${values})${returning}`;
  });
  const parameters = columns.map((column) => task[column as keyof NewTask]);
  const result = await ctx.db.executeQuery<{ id: number }>(CompiledQuery.raw(text, parameters));
  return Number(ctx.dialect === 'postgres' ? result.rows[0].id : result.insertId);
}

export function findTaskByPublicId(ctx: DbContext, taskId: string): Promise<TaskRow | undefined> {
  return ctx.db.selectFrom('tasks').selectAll().where('task_id', '=', taskId).executeTakeFirst();
}

export interface TaskListFilter {
  /** The family of platforms the page lists (Midjourney, or the task center's). */
  platforms: readonly string[];
  userId?: number | null;
  channelId?: number | null;
  platform?: string;
  taskId?: string;
  status?: string;
  action?: readonly string[];
  startMs?: number | null;
  endMs?: number | null;
}

/**
 * The listing's filters on `tasks`; every combination has an index (migration 003, docs/benchmarks.md). `paging`:
 * the query walks ids in order, so on SQLite a family of several platforms (the task center's) is checked with
 * `+platform`, which keeps the planner off the platform index: that index would make it sort every matching row
 * for one page, where walking an id-ordered index (or the table) backwards and checking the platform stops after
 * the page. Counts keep the plain term: there the platform index is the cheapest read.
 */
export function filteredTasks(ctx: DbContext, filter: TaskListFilter, paging = false): FilteredTasks {
  let query: FilteredTasks = ctx.db.selectFrom('tasks');
  if (filter.platform) query = query.where('platform', '=', filter.platform);
  else if (paging && ctx.dialect === 'sqlite' && filter.platforms.length > 1)
    query = query.where(sql<string>`+platform`, 'in', filter.platforms);
  else query = query.where('platform', 'in', filter.platforms);
  if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
  if (filter.channelId != null) query = query.where('channel_id', '=', filter.channelId);
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.action?.length) query = query.where('action', 'in', filter.action);
  // Likewise a time range on SQLite: its index serves the count; a page walks ids and checks the time.
  const submitTime = paging && ctx.dialect === 'sqlite' ? sql<number>`+submit_time` : sql.ref('submit_time');
  if (filter.startMs != null) query = query.where(submitTime, '>=', filter.startMs);
  if (filter.endMs != null) query = query.where(submitTime, '<=', filter.endMs);
  return query;
}

/** The ids of one page, newest first, read from an index alone where the filters allow. */
export function pageIds(ctx: DbContext, filter: TaskListFilter, offset: number, limit: number) {
  return filteredTasks(ctx, filter, true).select('id').orderBy('id', 'desc').limit(limit).offset(offset);
}

/** The rows of one page. `id in (…)` drives SQLite and PostgreSQL from the page; MySQL refuses LIMIT there. */
export function pageRows(ctx: DbContext, filter: TaskListFilter, offset: number, limit: number) {
  const ids = pageIds(ctx, filter, offset, limit);
  return ctx.dialect === 'mysql'
    ? ctx.db
        .selectFrom(ids.as('page'))
        .innerJoin('tasks', 'tasks.id', 'page.id')
        .selectAll('tasks')
        .orderBy('tasks.id', 'desc')
    : ctx.db.selectFrom('tasks').selectAll().where('id', 'in', ids).orderBy('id', 'desc');
}

/**
 * One page, newest first, and the total (listing-count.ts: exact below 10,000 matches and on a listing's last
 * page, otherwise counted at most once per 5 s per filter). The page's ids come from the index alone; only
 * those rows are read, so a deep page skips index entries, not whole rows.
 */
export async function listTasks(
  ctx: DbContext,
  filter: TaskListFilter,
  offset: number,
  limit: number,
): Promise<{ rows: TaskRow[]; total: number }> {
  const rows = await pageRows(ctx, filter, offset, limit).execute();
  const where = filteredTasks(ctx, filter);
  const total = await listingTotal(ctx, JSON.stringify(filter), where, { offset, limit, rows: rows.length });
  return { rows, total };
}

/** A task of this user on this platform, or nothing: another user's id reads as unknown. */
export function findUserTask(
  ctx: DbContext,
  userId: number,
  platform: string,
  taskId: string,
): Promise<TaskRow | undefined> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('user_id', '=', userId)
    .where('platform', '=', platform)
    .executeTakeFirst();
}

const userTaskSql = new WeakMap<readonly string[], Partial<Record<Dialect, string>>>();

/**
 * `findUserTask` reading only `columns`, with SQL built once per column list (prebuilt.ts): the hot fetch routes
 * skip the query builder, and SQLite reads a fraction of the row.
 */
export async function findUserTaskColumns<C extends keyof TaskRow>(
  ctx: DbContext,
  userId: number,
  platform: string,
  taskId: string,
  columns: readonly C[],
): Promise<Pick<TaskRow, C> | undefined> {
  // Looked up by the column list's identity: joining it into prebuilt's key on every call showed in profiles.
  const texts = userTaskSql.get(columns) ?? {};
  let text = texts[ctx.dialect];
  if (text === undefined) {
    text = prebuilt(ctx.dialect, `user-task|${columns.join(',')}`, (q) => {
      const where = ['task_id', 'user_id', 'platform']
        .map((c) => `${q.name(c)} = ${q.param()}`)
        .join(' and ');
      return `select ${columns.map(q.name).join(', ')} from ${q.name('tasks')} where ${where} limit 1`;
    });
    texts[ctx.dialect] = text;
    userTaskSql.set(columns, texts);
  }
  return selectFirst<Pick<TaskRow, C>>(ctx, text, [taskId, userId, platform]);
}

/** Marks a task whose submit is still under way as alive (its `updated_at`), while it has no upstream id. */
export async function touchUnsubmitted(ctx: DbContext, id: number, now: number): Promise<void> {
  await ctx.db
    .updateTable('tasks')
    .set({ updated_at: now })
    .where('id', '=', id)
    .where('upstream_id', '=', '')
    .execute();
}

export function findUserTasksByIds(
  ctx: DbContext,
  userId: number,
  platform: string,
  taskIds: string[],
): Promise<TaskRow[]> {
  if (taskIds.length === 0) return Promise.resolve([]);
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', userId)
    .where('platform', '=', platform)
    .where('task_id', 'in', taskIds)
    .orderBy('id', 'desc')
    .execute();
}

/**
 * One page of the user's tasks on a platform in row order, starting after the row `afterId` (OpenAI's cursor
 * lists): the (user_id, platform, id) index serves both orders.
 */
export function userTasksPage(
  ctx: DbContext,
  userId: number,
  platform: string,
  page: { afterId?: number; order: 'asc' | 'desc'; limit: number },
): Promise<TaskRow[]> {
  let query = ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', userId)
    .where('platform', '=', platform);
  if (page.afterId !== undefined) query = query.where('id', page.order === 'asc' ? '>' : '<', page.afterId);
  return query.orderBy('id', page.order).limit(page.limit).execute();
}

/** The user's unfinished tasks, oldest first (midjourney-proxy's queue). */
export function unfinishedUserTasks(
  ctx: DbContext,
  userId: number,
  platform: string,
  statuses: readonly string[],
  limit: number,
): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', userId)
    .where('platform', '=', platform)
    .where('status', 'in', statuses)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
}

/** The task a channel's upstream knows by this id (push callbacks name tasks this way). */
export function findTaskByUpstreamId(
  ctx: DbContext,
  channelId: number,
  upstreamId: string,
): Promise<TaskRow | undefined> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('channel_id', '=', channelId)
    .where('upstream_id', '=', upstreamId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
