// Dashboard sessions: the cookie holds an opaque id; the table holds its hash, so a database leak opens nothing.
import type { DbContext } from './db.js';

export async function createSession(
  ctx: DbContext,
  idHash: string,
  userId: number,
  now: number,
  ttlMs: number,
): Promise<void> {
  await ctx.db
    .insertInto('sessions')
    .values({ id_hash: idHash, user_id: userId, created_at: now, expires_at: now + ttlMs })
    .execute();
}

export async function findSessionUserId(ctx: DbContext, idHash: string, now: number): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('sessions')
    .select('user_id')
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? Number(row.user_id) : null;
}

export async function deleteSession(ctx: DbContext, idHash: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a user, but the one whose id hash is `keep` (the caller's own, when given). */
export async function deleteUserSessions(ctx: DbContext, userId: number, keep?: string): Promise<void> {
  let statement = ctx.db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep) statement = statement.where('id_hash', '!=', keep);
  await statement.execute();
}

export async function deleteExpiredSessions(ctx: DbContext, now: number): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
}
