// A Taskgate SQLite file opened read-only as the source of a copy: its tables, their primary keys, and rows in
// key order, page by page (keyset paging, so each page is one indexed range scan however large the table).
import { existsSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';

export type Row = Record<string, unknown>;

export class SourceError extends Error {}

export class SqliteSource {
  private readonly db: SQLite.Database;

  constructor(readonly path: string) {
    if (!existsSync(path)) throw new SourceError(`--from ${path}: no such file`);
    if (!statSync(path).isFile()) throw new SourceError(`--from ${path}: not a file`);
    try {
      this.db = new SQLite(path, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      // Reading the schema proves it is an SQLite database at all.
      this.db.prepare('select count(*) from sqlite_master').get();
    } catch (error) {
      throw new SourceError(`--from ${path}: not an SQLite database (${(error as Error).message})`);
    }
    if (!this.tables().includes('kysely_migration'))
      throw new SourceError(`--from ${path}: not a Taskgate database (it has no migration table)`);
  }

  tables(): string[] {
    const rows = this.db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  migrations(): string[] {
    const rows = this.db.prepare('select name from kysely_migration order by name').all() as Array<{
      name: string;
    }>;
    return rows.map((r) => r.name);
  }

  /** Column names, and the primary key's columns in key order. */
  shape(table: string): { columns: string[]; key: string[] } {
    const info = this.db.prepare(`pragma table_info(${quote(table)})`).all() as Array<{
      name: string;
      pk: number;
    }>;
    const key = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    return { columns: info.map((c) => c.name), key };
  }

  count(table: string): number {
    return (this.db.prepare(`select count(*) as n from ${quote(table)}`).get() as { n: number }).n;
  }

  /** Rows after `after` (the previous page's last key, or null for the first page), in key order. */
  page(table: string, key: string[], after: unknown[] | null, limit: number): Row[] {
    const keyList = key.map(quote).join(', ');
    const where = after ? `where (${keyList}) > (${key.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare(`select * from ${quote(table)} ${where} order by ${keyList} limit ?`)
      .all(...(after ?? []), limit) as Row[];
  }

  /** Per user: the balance and the sum of the ledger's deltas. */
  balances(): Map<number, { quota: number; ledger: number }> {
    const rows = this.db
      .prepare(
        `select u.id as id, u.quota as quota, coalesce((select sum(delta) from ledger l where l.user_id = u.id), 0) as ledger
         from users u`,
      )
      .all() as Array<{ id: number; quota: number; ledger: number }>;
    return new Map(rows.map((r) => [r.id, { quota: r.quota, ledger: r.ledger }]));
  }

  close(): void {
    this.db.close();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
