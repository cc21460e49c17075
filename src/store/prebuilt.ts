// SQL text built once per shape and kept, for the hottest statements (a submit's task insert, every fenced task
// write): the query builder's work per call is then a cache hit, and on SQLite the text also hits the prepared-
// statement cache. Names come from the engine's own column lists, never from input.
import { CompiledQuery } from 'kysely';
import type { DbContext, Dialect } from './db.js';

const built = new Map<string, string>();
const COLUMN = /^[a-z_]+$/;

/** How this engine quotes a name and numbers a placeholder. */
export interface SqlWriter {
  name(identifier: string): string;
  /** The next placeholder: `$1`, `$2`… on PostgreSQL, `?` elsewhere. */
  param(): string;
}

/** The SQL for `key` on `dialect`, written by `write` the first time and kept after. */
export function prebuilt(dialect: Dialect, key: string, write: (sql: SqlWriter) => string): string {
  const cacheKey = `${dialect}|${key}`;
  const cached = built.get(cacheKey);
  if (cached) return cached;
  let n = 0;
  const text = write({
    name: (identifier) => {
      // Only plain column and table names reach the SQL text.
      if (!COLUMN.test(identifier)) throw new Error(`not a column name: ${identifier.slice(0, 40)}`);
      return dialect === 'mysql' ? `\`${identifier}\`` : `"${identifier}"`;
    },
    param: () => (dialect === 'postgres' ? `$${++n}` : '?'),
  });
  built.set(cacheKey, text);
  return text;
}

/** Runs prebuilt SQL that writes, and answers how many rows it changed. */
export async function executePrebuilt(ctx: DbContext, text: string, parameters: unknown[]): Promise<number> {
  const result = await ctx.db.executeQuery(CompiledQuery.raw(text, parameters));
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The first row a prebuilt read answers. On SQLite it comes straight from the prepared statement, without the
 * driver's connection queue, unless a transaction is open: the one connection may be inside another request's
 * transaction between its awaits, and Kysely's queue then makes the read wait for it, so no uncommitted row is seen.
 */
export async function selectFirst<R>(
  ctx: DbContext,
  text: string,
  parameters: unknown[],
): Promise<R | undefined> {
  const sqlite = directSqlite(ctx);
  if (sqlite) return sqlite.firstRow(text, parameters) as R | undefined;
  const result = await ctx.db.executeQuery<R>(CompiledQuery.raw(text, parameters));
  return result.rows[0];
}

/** Every row a prebuilt read answers, from the SQLite connection itself on the same terms as `selectFirst`. */
export async function selectRows<R>(ctx: DbContext, text: string, parameters: unknown[]): Promise<R[]> {
  const sqlite = directSqlite(ctx);
  if (sqlite) return sqlite.rows(text, parameters) as R[];
  return (await ctx.db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
}

/** The SQLite connection to read from directly: none inside a transaction, nor on another engine. */
const directSqlite = (ctx: DbContext) =>
  ctx.sqlite && !ctx.sqlite.database.inTransaction ? ctx.sqlite : undefined;
