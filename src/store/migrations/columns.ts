// The few places where the three engines need different column definitions.
import { type CreateTableBuilder, sql } from 'kysely';
import type { Dialect } from '../db.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables that the typed schema does not know yet.
type Table = CreateTableBuilder<any, any>;

/** An auto-increment 64-bit primary key. */
export function withId(table: Table, dialect: Dialect): Table {
  if (dialect === 'postgres') return table.addColumn('id', 'bigserial', (c) => c.primaryKey());
  if (dialect === 'mysql') return table.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement());
  return table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Text that may exceed MySQL's 64 KB `text` (prompts, upstream payloads). */
export const longText = (dialect: Dialect) => (dialect === 'mysql' ? sql`mediumtext` : sql`text`);

/** MySQL tables must be InnoDB with full UTF-8, whatever the server's defaults are. */
export function finish(table: Table, dialect: Dialect): Table {
  return dialect === 'mysql'
    ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`)
    : table;
}
