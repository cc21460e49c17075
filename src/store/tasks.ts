// Tasks of every platform in one table. Listing queries here; the poller's lease statements come with the engine.
import type { DbContext } from './db.js';
import { insertReturningId } from './insert.js';
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
    next_poll_at: null,
    lease_owner: null,
    lease_until: null,
    poll_attempts: 0,
    version: 0,
    vanished_since: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

export function insertTask(ctx: DbContext, task: NewTask): Promise<number> {
  return insertReturningId(ctx.dialect, ctx.db.insertInto('tasks').values(task));
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

export async function listTasks(
  ctx: DbContext,
  filter: TaskListFilter,
  offset: number,
  limit: number,
): Promise<{ rows: TaskRow[]; total: number }> {
  let query = ctx.db.selectFrom('tasks');
  query = filter.platform
    ? query.where('platform', '=', filter.platform)
    : query.where('platform', 'in', filter.platforms);
  if (filter.userId != null) query = query.where('user_id', '=', filter.userId);
  if (filter.channelId != null) query = query.where('channel_id', '=', filter.channelId);
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.action?.length) query = query.where('action', 'in', filter.action);
  if (filter.startMs != null) query = query.where('submit_time', '>=', filter.startMs);
  if (filter.endMs != null) query = query.where('submit_time', '<=', filter.endMs);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
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

export function recentUserTasks(
  ctx: DbContext,
  userId: number,
  platform: string,
  limit: number,
): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('user_id', '=', userId)
    .where('platform', '=', platform)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
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
