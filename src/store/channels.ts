// Channels (upstreams). The key is read here for forwarding only; no view ever carries it.
import { type ChannelType, DEFAULT_CHANNEL_MODELS } from '../core/channel-types.js';
import { randomString } from '../core/ids.js';
import { ChannelStatus } from '../core/roles.js';
import type { DbContext, Dialect } from './db.js';
import { insertReturningId } from './insert.js';
import { executePrebuilt, prebuilt } from './prebuilt.js';
import type { ChannelRow, NewChannel } from './schema.js';

export type ChannelValues = Omit<NewChannel, 'id' | 'created_at' | 'updated_at'>;

/** A new channel: what is given, and for the rest what an admin creating it through the API gets. */
export function newChannelValues(
  given: Pick<ChannelValues, 'type' | 'name' | 'base_url'> & Partial<ChannelValues>,
): ChannelValues {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return {
    key: '',
    group: 'default',
    priority: 0,
    weight: 0,
    status: ChannelStatus.enabled,
    status_reason: '',
    auto_ban: 1,
    proxy: '',
    push: 0,
    push_secret: randomString(32),
    timeout_minutes: 0,
    failure_count: 0,
    test_time: 0,
    response_time: 0,
    used_quota: 0,
    ...(defined as Partial<ChannelValues>),
    type: given.type,
    name: given.name,
    base_url: given.base_url,
    models: given.models || DEFAULT_CHANNEL_MODELS[given.type as ChannelType].join(','),
  };
}

export async function createChannel(ctx: DbContext, values: ChannelValues, now: number): Promise<number> {
  return insertReturningId(
    ctx.dialect,
    ctx.db.insertInto('channels').values({ ...values, created_at: now, updated_at: now }),
  );
}

export function findChannel(ctx: DbContext, id: number): Promise<ChannelRow | undefined> {
  return ctx.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAllChannels(ctx: DbContext): Promise<ChannelRow[]> {
  return ctx.db.selectFrom('channels').selectAll().orderBy('id').execute();
}

export interface ChannelFilter {
  type?: string;
  /** Any of these statuses. */
  statuses?: readonly number[];
}

export async function listChannels(
  ctx: DbContext,
  filter: ChannelFilter,
  offset: number,
  limit: number,
): Promise<{ rows: ChannelRow[]; total: number }> {
  let query = ctx.db.selectFrom('channels');
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.statuses) query = query.where('status', 'in', filter.statuses);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

export async function updateChannel(
  ctx: DbContext,
  id: number,
  changes: Partial<ChannelValues>,
  now: number,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('channels')
    .set({ ...changes, updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteChannel(ctx: DbContext, id: number): Promise<boolean> {
  const result = await ctx.db.deleteFrom('channels').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** A channel test: when it ran, and how long the upstream took (null when it could not be reached). */
export async function recordChannelTest(
  ctx: DbContext,
  id: number,
  responseMs: number | null,
  now: number,
): Promise<void> {
  await ctx.db
    .updateTable('channels')
    .set(responseMs === null ? { test_time: now } : { test_time: now, response_time: responseMs })
    .where('id', '=', id)
    .execute();
}

/** One more consecutive key/account failure; returns the new count (0 when the channel is gone). */
export async function countChannelFailure(ctx: DbContext, id: number, now: number): Promise<number> {
  // Atomic in SQL, so failures seen by several instances at once all count.
  await ctx.db
    .updateTable('channels')
    .set((eb) => ({ failure_count: eb('failure_count', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .execute();
  const row = await ctx.db
    .selectFrom('channels')
    .select('failure_count')
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(row?.failure_count ?? 0);
}

/** A success: the failures are no longer consecutive. Writes nothing when there were none. */
export async function resetChannelFailures(ctx: DbContext, id: number, now: number): Promise<void> {
  await ctx.db
    .updateTable('channels')
    .set({ failure_count: 0, updated_at: now })
    .where('id', '=', id)
    .where('failure_count', '<>', 0)
    .execute();
}

/**
 * Status 3 with its reason, only for an enabled auto_ban channel still at the threshold: a manual disable, a
 * success in between, or another instance that got there first all leave it alone. True when this call did it.
 */
export async function autoDisableChannel(
  ctx: DbContext,
  id: number,
  threshold: number,
  reason: string,
  now: number,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('channels')
    .set({ status: ChannelStatus.autoDisabled, status_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', ChannelStatus.enabled)
    .where('auto_ban', '=', 1)
    .where('failure_count', '>=', threshold)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Moves a channel's `used_quota` (a task's charge counts there once its channel accepted it; a refund takes it
 * back). Written once, like the charge's own statements: a submit runs it every time.
 */
export async function addChannelUsage(ctx: DbContext, id: number, delta: number): Promise<void> {
  if (delta === 0) return;
  await executePrebuilt(ctx, channelUsageSql(ctx.dialect), [delta, id]);
}

const channelUsageSql = (dialect: Dialect) =>
  prebuilt(dialect, 'channel-usage', (q) => {
    const used = q.name('used_quota');
    return `update ${q.name('channels')} set ${used} = ${used} + ${q.param()} where ${q.name('id')} = ${q.param()}`;
  });
