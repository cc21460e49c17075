// Channels (upstreams). The key is read here for forwarding only; no view ever carries it.
import type { DbContext } from './db.js';
import { insertReturningId } from './insert.js';
import type { ChannelRow, NewChannel } from './schema.js';

export type ChannelValues = Omit<NewChannel, 'id' | 'created_at' | 'updated_at'>;

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
  status?: number;
}

export async function listChannels(
  ctx: DbContext,
  filter: ChannelFilter,
  offset: number,
  limit: number,
): Promise<{ rows: ChannelRow[]; total: number }> {
  let query = ctx.db.selectFrom('channels');
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
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

export async function recordChannelTest(
  ctx: DbContext,
  id: number,
  responseMs: number,
  now: number,
): Promise<void> {
  await ctx.db
    .updateTable('channels')
    .set({ test_time: now, response_time: responseMs })
    .where('id', '=', id)
    .execute();
}
