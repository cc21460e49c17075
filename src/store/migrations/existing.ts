// What a migration finds already there. Kysely's migrator runs MySQL's and SQLite's migrations outside any
// transaction (MySQL cannot roll DDL back), so an instance stopped in the middle of one (a SIGTERM or a kill
// during start-up) leaves some of its steps done and the migration unrecorded. Each step checks first, so the
// next start runs the migration again and completes it instead of failing on what is there.
import { type CreateIndexBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../db.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations work on schemas the typed one does not describe.
type Db = Kysely<any>;

async function found(db: Db, query: RawBuilder<unknown>): Promise<boolean> {
  return (await query.execute(db)).rows.length > 0;
}

/** Whether `table` has `column`, in the current schema or database. */
export function hasColumn(db: Db, dialect: Dialect, table: string, column: string): Promise<boolean> {
  if (dialect === 'sqlite')
    return found(db, sql`select 1 from pragma_table_info(${table}) where name = ${column}`);
  const schema = dialect === 'postgres' ? sql`current_schema()` : sql`database()`;
  return found(
    db,
    sql`select 1 from information_schema.columns
      where table_schema = ${schema} and table_name = ${table} and column_name = ${column}`,
  );
}

/** Whether `table` has the index `name`, in the current schema or database. */
export function hasIndex(db: Db, dialect: Dialect, table: string, name: string): Promise<boolean> {
  if (dialect === 'sqlite')
    return found(
      db,
      sql`select 1 from sqlite_master where type = 'index' and tbl_name = ${table} and name = ${name}`,
    );
  if (dialect === 'postgres')
    return found(
      db,
      sql`select 1 from pg_indexes where schemaname = current_schema() and tablename = ${table} and indexname = ${name}`,
    );
  // MySQL 8 has no CREATE INDEX IF NOT EXISTS (MariaDB has).
  return found(
    db,
    sql`select 1 from information_schema.statistics
      where table_schema = database() and table_name = ${table} and index_name = ${name}`,
  );
}

/** Creates the index `name` on `table` (shaped by `build`) unless it is there already. */
export async function createIndexOnce(
  db: Db,
  dialect: Dialect,
  table: string,
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: the builder of any index.
  build: (index: CreateIndexBuilder<any>) => CreateIndexBuilder<any>,
): Promise<void> {
  if (await hasIndex(db, dialect, table, name)) return;
  await build(db.schema.createIndex(name).on(table)).execute();
}
