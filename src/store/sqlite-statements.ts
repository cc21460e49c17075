// A prepared-statement cache for SQLite. Kysely's SQLite driver prepares every query anew, and preparing costs
// about as much as running a short statement; the same SQL text always compiles to the same statement, so the
// better-sqlite3 Statement is kept and reused, the least recently used one dropped past the bound.
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct statements kept; the hot paths use a few dozen. */
export const STATEMENT_CACHE_SIZE = 256;
/** Longer SQL (long `in (…)` lists) is rarely repeated: prepared each time, never kept. */
const MAX_CACHED_SQL = 4_096;

export class CachingSqlite implements SqliteDatabase {
  private readonly statements = new Map<string, Statement>();
  /** Raw-mode statements (rows as arrays) of `firstRow` and `rows`, apart: the mode is the statement's. */
  private readonly rawStatements = new Map<string, { statement: Statement; row: RowFactory }>();

  constructor(
    readonly database: Database,
    private readonly limit = STATEMENT_CACHE_SIZE,
  ) {}

  prepare(sql: string): Statement {
    if (sql.length > MAX_CACHED_SQL) return this.database.prepare(sql);
    const cached = this.statements.get(sql);
    if (cached) {
      // Re-inserted: a Map iterates in insertion order, so its first key is the least recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.database.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.limit) this.statements.delete(this.statements.keys().next().value!);
    return statement;
  }

  /**
   * The first row `sql` answers, as an object built here from the raw values: better-sqlite3 builds row objects
   * in C++ one property at a time, about a quarter of a point read's cost (docs/benchmarks.md, fetch).
   */
  firstRow(sql: string, parameters: unknown[]): Record<string, unknown> | undefined {
    const { statement, row } = this.rawStatement(sql);
    const values = statement.get(...parameters) as unknown[] | undefined;
    return values && row(values);
  }

  /** Every row `sql` answers, built like `firstRow`'s (the poller's claim reads thousands of wide rows). */
  rows(sql: string, parameters: unknown[]): Record<string, unknown>[] {
    const { statement, row } = this.rawStatement(sql);
    // Row by row: each array is garbage as soon as its object is built, never all of them at once.
    const rows: Record<string, unknown>[] = [];
    for (const values of statement.iterate(...parameters) as IterableIterator<unknown[]>)
      rows.push(row(values));
    return rows;
  }

  private rawStatement(sql: string): { statement: Statement; row: RowFactory } {
    let raw = this.rawStatements.get(sql);
    if (!raw) {
      const statement = this.database.prepare(sql).raw(true);
      raw = { statement, row: rowFactory(statement.columns().map((column) => column.name)) };
      // Only the hottest reads come here: a handful of texts, but bounded like the others all the same.
      if (this.rawStatements.size >= this.limit) this.rawStatements.clear();
      this.rawStatements.set(sql, raw);
    }
    return raw;
  }

  /** How many statements are kept (tests check the bound). */
  get size(): number {
    return this.statements.size;
  }

  close(): void {
    this.statements.clear();
    this.rawStatements.clear();
    this.database.close();
  }
}

type RowFactory = (values: unknown[]) => Record<string, unknown>;

/**
 * Builds one statement's row objects from an object literal written once for its columns: plain objects of one
 * shape, their properties stored in the object itself, as compact as the driver's, where properties added one by
 * one in a loop were not (the 100k poll round's peak RSS grew by 30 MB). The names are the statement's own result
 * columns, quoted by JSON.stringify.
 */
function rowFactory(columns: string[]): RowFactory {
  const fields = columns.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ');
  return new Function('values', `return { ${fields} };`) as RowFactory;
}
