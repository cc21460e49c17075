// SQL text built once per shape and kept, for the hottest statements (a submit's task insert, every fenced task
// write): the query builder's work per call is then a cache hit, and on SQLite the text also hits the prepared-
// statement cache. Names come from the engine's own column lists, never from input.
import type { Dialect } from './db.js';

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
