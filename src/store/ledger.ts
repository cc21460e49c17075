// Money moves only here. Each function is one transaction that changes the balances and writes the ledger row
// together; the ledger's unique (task_id, kind) key makes a second charge or refund of a task impossible.

import { AppError } from '../core/errors.js';
import { type DbContext, type Dialect, inTransaction } from './db.js';
import { isUniqueViolation } from './insert.js';
import { executePrebuilt, prebuilt } from './prebuilt.js';
import type { LedgerKind, LedgerRow } from './schema.js';

export interface Reservation {
  userId: number;
  /** 0 when no API key is involved (an admin-made task). */
  tokenId: number;
  taskId: string;
  platform: string;
  model: string;
  quota: number;
  content: string;
}

/**
 * Takes `quota` from the user's balance and the key's remaining quota before any upstream call, refusing to go
 * below zero on either. Writes the `charge` row. A zero price moves nothing and writes nothing.
 */
export async function reserveQuota(ctx: DbContext, r: Reservation, now: number): Promise<void> {
  if (r.quota <= 0) return;
  await inTransaction(ctx, async (trx) => {
    if (
      (await executePrebuilt(trx, chargeUserSql(trx.dialect), [r.quota, r.quota, r.userId, r.quota])) !== 1
    ) {
      const row = await trx.db
        .selectFrom('users')
        .select('quota')
        .where('id', '=', r.userId)
        .executeTakeFirst();
      throw new AppError('insufficient_quota', 403, { need: r.quota, have: row?.quota ?? 0 });
    }
    if (
      r.tokenId &&
      (await executePrebuilt(trx, chargeTokenSql(trx.dialect), [
        r.quota,
        r.quota,
        now,
        r.tokenId,
        r.quota,
      ])) !== 1
    )
      throw new AppError('token_quota_exhausted', 403);
    await writeRow(trx, { ...r, kind: 'charge', delta: -r.quota }, now);
  });
}

// A submit's charge runs these every time: their SQL is written once (prebuilt.ts), not by the query builder.
const chargeUserSql = (dialect: Dialect) =>
  prebuilt(dialect, 'charge-user', (q) => {
    const [quota, used, count, id] = ['quota', 'used_quota', 'request_count', 'id'].map(q.name);
    return `update ${q.name('users')} set ${quota} = ${quota} - ${q.param()}, ${used} = ${used} + ${q.param()}, ${count} = ${count} + 1 where ${id} = ${q.param()} and ${quota} >= ${q.param()}`;
  });

// The key's last use (`accessed_time`) is its last charge, as in new-api: set by the update a charge makes anyway.
const chargeTokenSql = (dialect: Dialect) =>
  prebuilt(dialect, 'charge-token', (q) => {
    const [remain, used, accessed, unlimited, id] = [
      'remain_quota',
      'used_quota',
      'accessed_at',
      'unlimited_quota',
      'id',
    ].map(q.name);
    return `update ${q.name('tokens')} set ${remain} = ${remain} - ${q.param()}, ${used} = ${used} + ${q.param()}, ${accessed} = ${q.param()} where ${id} = ${q.param()} and (${unlimited} = 1 or ${remain} >= ${q.param()})`;
  });

const LEDGER_COLUMNS = [
  'created_at',
  'user_id',
  'token_id',
  'task_id',
  'platform',
  'model',
  'kind',
  'quota',
  'delta',
  'content',
] as const;

const ledgerInsertSql = (dialect: Dialect) =>
  prebuilt(dialect, 'ledger-insert', (q) => {
    const values = LEDGER_COLUMNS.map(() => q.param()).join(', ');
    return `insert into ${q.name('ledger')} (${LEDGER_COLUMNS.map(q.name).join(', ')}) values (${values})`;
  });

export type Restoration = Reservation;

/**
 * Gives a task's reservation back: the upstream refused it or could not be reached, or it failed later. The
 * content says which. Returns false when this task was already refunded: then nothing moves.
 */
export async function refundQuota(ctx: DbContext, r: Restoration, now: number): Promise<boolean> {
  if (r.quota <= 0) return false;
  try {
    return await inTransaction(ctx, async (trx) => {
      // The ledger row goes first: when it already exists the unique key aborts the transaction before any balance moves.
      await writeRow(trx, { ...r, kind: 'refund', delta: r.quota }, now);
      await trx.db
        .updateTable('users')
        .set((eb) => ({ quota: eb('quota', '+', r.quota), used_quota: eb('used_quota', '-', r.quota) }))
        .where('id', '=', r.userId)
        .execute();
      if (r.tokenId) {
        await trx.db
          .updateTable('tokens')
          .set((eb) => ({
            remain_quota: eb('remain_quota', '+', r.quota),
            used_quota: eb('used_quota', '-', r.quota),
          }))
          .where('id', '=', r.tokenId)
          .execute();
      }
      await trx.db
        .updateTable('tasks')
        .set({ refunded: 1, updated_at: now })
        .where('task_id', '=', r.taskId)
        .execute();
      return true;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** An admin's change of a user's balance by `delta`: `topup` when it grows, `adjust` when it shrinks. Never below zero. */
export async function changeBalance(
  ctx: DbContext,
  userId: number,
  delta: number,
  content: string,
  now: number,
): Promise<void> {
  if (delta === 0) return;
  await inTransaction(ctx, async (trx) => {
    const result = await trx.db
      .updateTable('users')
      .set((eb) => ({ quota: eb('quota', '+', delta), updated_at: now }))
      .where('id', '=', userId)
      .where('quota', '>=', -delta)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new AppError('invalid_request', 400, { detail: 'the balance cannot go below zero' });
    }
    await writeRow(
      trx,
      {
        userId,
        tokenId: 0,
        taskId: null,
        platform: '',
        model: '',
        quota: Math.abs(delta),
        kind: delta > 0 ? 'topup' : 'adjust',
        delta,
        content,
      },
      now,
    );
  });
}

/**
 * An admin's "set the balance to `quota`": the ledger row is the difference from the balance read inside the
 * transaction, so a charge or refund that landed since anyone last looked is kept in the ledger's sum.
 */
export async function setBalance(
  ctx: DbContext,
  userId: number,
  quota: number,
  content: string,
  now: number,
): Promise<void> {
  await inTransaction(
    ctx,
    async (trx) => {
      // Writing the row first takes its lock (the database's write lock on SQLite): a charge in flight commits
      // before the read below, and none can land between that read and the update.
      await trx.db.updateTable('users').set({ updated_at: now }).where('id', '=', userId).execute();
      const row = await trx.db
        .selectFrom('users')
        .select('quota')
        .where('id', '=', userId)
        .executeTakeFirst();
      // The row is held: the change from that balance is exact, and the same delta as any other admin change.
      if (row) await changeBalance(trx, userId, quota - row.quota, content, now);
    },
    // Each statement then sees the latest commit: the read after the lock sees the charge that held it.
    { readCommitted: true },
  );
}

interface RowValues {
  userId: number;
  tokenId: number;
  taskId: string | null;
  platform: string;
  model: string;
  quota: number;
  kind: LedgerKind;
  delta: number;
  content: string;
}

async function writeRow(trx: DbContext, v: RowValues, now: number): Promise<void> {
  const content = v.content.slice(0, 1000);
  await executePrebuilt(trx, ledgerInsertSql(trx.dialect), [
    now,
    v.userId,
    v.tokenId,
    v.taskId,
    v.platform,
    v.model,
    v.kind,
    v.quota,
    v.delta,
    content,
  ]);
}

export interface LedgerFilter {
  userId?: number;
  kind?: string;
  taskId?: string;
  startMs?: number | null;
  endMs?: number | null;
}

export async function listLedger(
  ctx: DbContext,
  filter: LedgerFilter,
  offset: number,
  limit: number,
): Promise<{ rows: LedgerRow[]; total: number }> {
  let query = ctx.db.selectFrom('ledger');
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.kind) query = query.where('kind', '=', filter.kind as LedgerKind);
  if (filter.taskId) query = query.where('task_id', '=', filter.taskId);
  if (filter.startMs != null) query = query.where('created_at', '>=', filter.startMs);
  if (filter.endMs != null) query = query.where('created_at', '<=', filter.endMs);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** The sum of a user's ledger deltas, which must always equal the user's balance. */
export async function ledgerBalance(ctx: DbContext, userId: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('ledger')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('delta'), eb.lit(0)).as('sum'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.sum);
}
