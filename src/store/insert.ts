// New row ids the portable way: RETURNING on PostgreSQL, the driver's insertId on SQLite and MySQL.
import type { InsertQueryBuilder, InsertResult } from 'kysely';
import type { Dialect } from './db.js';
import type { Database } from './schema.js';

// biome-ignore lint/suspicious/noExplicitAny: works for an insert into any table that has an `id` column.
type AnyInsert = InsertQueryBuilder<Database, any, InsertResult>;

export async function insertReturningId(dialect: Dialect, query: AnyInsert): Promise<number> {
  if (dialect === 'postgres') {
    const row = (await query.returning('id').executeTakeFirstOrThrow()) as { id: number };
    return Number(row.id);
  }
  const result = await query.executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** Whether an error is the database refusing a duplicate key, whichever engine said it. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return (
    e?.code === '23505' ||
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** Whether the database chose this transaction as a deadlock victim (safe to retry later). */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return (
    e?.code === '40P01' || e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213 || e?.code === 'SQLITE_BUSY'
  );
}
