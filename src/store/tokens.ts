// API keys (new-api's "tokens"): only a hash of the key is kept, plus a prefix and suffix to recognise it by.
import type { DbContext } from './db.js';
import { insertReturningId } from './insert.js';
import type { TokenRow } from './schema.js';

export interface TokenSettings {
  name: string;
  remainQuota: number;
  unlimitedQuota: boolean;
  expiredTime: number;
  modelLimitsEnabled: boolean;
  modelLimits: string;
  allowIps: string;
  group: string;
}

/** A key without limits: unlimited quota, no expiry, every model, any IP, the user's group. */
export const unlimitedKey = (name: string): TokenSettings => ({
  name,
  remainQuota: 0,
  unlimitedQuota: true,
  expiredTime: -1,
  modelLimitsEnabled: false,
  modelLimits: '',
  allowIps: '',
  group: '',
});

export async function createToken(
  ctx: DbContext,
  userId: number,
  keyHash: string,
  key: string,
  settings: TokenSettings,
  now: number,
): Promise<number> {
  return insertReturningId(
    ctx.dialect,
    ctx.db.insertInto('tokens').values({
      user_id: userId,
      name: settings.name,
      key_hash: keyHash,
      key_prefix: key.slice(0, 7),
      key_suffix: key.slice(-4),
      status: 1,
      remain_quota: settings.remainQuota,
      used_quota: 0,
      unlimited_quota: settings.unlimitedQuota ? 1 : 0,
      expired_time: settings.expiredTime,
      model_limits_enabled: settings.modelLimitsEnabled ? 1 : 0,
      model_limits: settings.modelLimits,
      allow_ips: settings.allowIps,
      group: settings.group,
      created_at: now,
      accessed_at: 0,
    }),
  );
}

export function findTokenByKeyHash(ctx: DbContext, keyHash: string): Promise<TokenRow | undefined> {
  return ctx.db.selectFrom('tokens').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

/** A key of this user, or nothing: another user's key id reads as unknown. */
export function findUserToken(ctx: DbContext, userId: number, id: number): Promise<TokenRow | undefined> {
  return ctx.db
    .selectFrom('tokens')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function listUserTokens(
  ctx: DbContext,
  userId: number,
  offset: number,
  limit: number,
): Promise<{ rows: TokenRow[]; total: number }> {
  const query = ctx.db.selectFrom('tokens').where('user_id', '=', userId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

export async function updateToken(
  ctx: DbContext,
  userId: number,
  id: number,
  changes: Partial<TokenSettings> & { status?: number },
): Promise<void> {
  await ctx.db
    .updateTable('tokens')
    .set({
      name: changes.name,
      status: changes.status,
      remain_quota: changes.remainQuota,
      unlimited_quota: changes.unlimitedQuota === undefined ? undefined : changes.unlimitedQuota ? 1 : 0,
      expired_time: changes.expiredTime,
      model_limits_enabled:
        changes.modelLimitsEnabled === undefined ? undefined : changes.modelLimitsEnabled ? 1 : 0,
      model_limits: changes.modelLimits,
      allow_ips: changes.allowIps,
      group: changes.group,
    })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteUserToken(ctx: DbContext, userId: number, id: number): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom('tokens')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
