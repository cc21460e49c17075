// Copies a Taskgate SQLite database into an empty, migrated PostgreSQL or MySQL/MariaDB one: every table in key
// order, ids kept, in one transaction (a failure leaves the target empty, so the copy can simply be run again),
// then the id sequences moved past the copied ids, then a check of row counts and of balances against ledgers.
import { type Kysely, sql } from 'kysely';
import { type Row, SourceError, type SqliteSource } from './copy-source.js';
import type { Store } from './db.js';
import { migrateToLatest } from './migrate.js';

/** Rows per insert, bounded by the bound-parameter limit (PostgreSQL: 65,535) and by size (MySQL's packet). */
const MAX_ROWS = 500;
const MAX_PARAMS = 30_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface CopiedTable {
  table: string;
  rows: number;
}

export interface CopyReport {
  tables: CopiedTable[];
  /** Users whose balance differs from their ledger's sum in the target (the source's own state is said too). */
  balanceMismatches: Array<{ userId: number; quota: number; ledger: number; alsoInSource: boolean }>;
  countMismatches: Array<{ table: string; source: number; target: number }>;
}

/** Tables Kysely's migrator owns: the target has its own after migrating. */
const isMigratorTable = (table: string) => table.startsWith('kysely_');

export async function copyDatabase(
  source: SqliteSource,
  target: Store,
  progress: (table: string, rows: number) => void = () => {},
): Promise<CopyReport> {
  if (target.dialect === 'sqlite')
    throw new SourceError('--to must be a PostgreSQL or MySQL/MariaDB database');
  await migrateToLatest(target);
  // biome-ignore lint/suspicious/noExplicitAny: tables are copied by name, whatever the migrations made.
  const db = target.db as Kysely<any>;
  const targetMigrations = (
    await db.selectFrom('kysely_migration').select('name').orderBy('name').execute()
  ).map((r) => String(r.name));
  const sourceMigrations = source.migrations();
  if (sourceMigrations.join() !== targetMigrations.join()) {
    throw new SourceError(
      `--from ${source.path} has schema migrations [${sourceMigrations.join(', ')}] but this Taskgate has ` +
        `[${targetMigrations.join(', ')}]: run \`SQLITE_PATH=${source.path} taskgate migrate\` with this version first`,
    );
  }
  const tables = source.tables().filter((t) => !isMigratorTable(t));
  const occupied: string[] = [];
  for (const table of tables) {
    const n = await countRows(db, table);
    if (n > 0) occupied.push(`${table} (${n} rows)`);
  }
  if (occupied.length > 0) {
    throw new SourceError(
      `the target database is not empty: ${occupied.join(', ')}. migrate-data only copies into an empty ` +
        'database, so nothing was changed; point --to at a new database (or drop and recreate this one)',
    );
  }

  const copied: CopiedTable[] = [];
  await db.transaction().execute(async (trx) => {
    for (const table of tables) {
      copied.push({ table, rows: await copyTable(source, trx, table, progress) });
      if (target.dialect === 'postgres') await resetPgSequence(trx, source, table);
    }
  });
  // ALTER TABLE commits implicitly on MySQL, so it runs after the copy's transaction.
  if (target.dialect === 'mysql')
    for (const table of tables) await resetMysqlAutoIncrement(db, source, table);
  return { tables: copied, ...(await verify(source, db, tables)) };
}

async function copyTable(
  source: SqliteSource,
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  trx: Kysely<any>,
  table: string,
  progress: (table: string, rows: number) => void,
): Promise<number> {
  const { columns, key } = source.shape(table);
  if (key.length === 0)
    throw new SourceError(`table ${table} has no primary key: it cannot be copied in order`);
  const pageSize = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
  let after: unknown[] | null = null;
  let total = 0;
  for (;;) {
    const rows = source.page(table, key, after, pageSize);
    if (rows.length === 0) return total;
    for (const batch of bySize(rows)) await trx.insertInto(table).values(batch).execute();
    total += rows.length;
    progress(table, total);
    const last = rows[rows.length - 1];
    after = key.map((k) => last[k]);
  }
}

/** Splits a page so no insert statement grows past MAX_BATCH_BYTES (large prompts and upstream payloads). */
function bySize(rows: Row[]): Row[][] {
  const batches: Row[][] = [];
  let current: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    let size = 0;
    for (const value of Object.values(row)) size += typeof value === 'string' ? Buffer.byteLength(value) : 8;
    if (current.length > 0 && bytes + size > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

// task_polls is keyed by its task's id, which nothing generates: PostgreSQL finds no sequence to move (setval of
// null does nothing), and MySQL's auto_increment option on it stays unused.
const hasId = (source: SqliteSource, table: string) => source.shape(table).key.join() === 'id';

/** The next id PostgreSQL hands out continues after the largest copied one. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
async function resetPgSequence(trx: Kysely<any>, source: SqliteSource, table: string): Promise<void> {
  if (!hasId(source, table)) return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 0) + 1, false) from ${sql.table(table)}`.execute(
    trx,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see above.
async function resetMysqlAutoIncrement(db: Kysely<any>, source: SqliteSource, table: string): Promise<void> {
  if (!hasId(source, table)) return;
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  const next = Number(row?.max ?? 0) + 1;
  await sql`alter table ${sql.table(table)} auto_increment = ${sql.lit(next)}`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see above.
async function countRows(db: Kysely<any>, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function verify(
  source: SqliteSource,
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  db: Kysely<any>,
  tables: string[],
): Promise<Omit<CopyReport, 'tables'>> {
  const countMismatches: CopyReport['countMismatches'] = [];
  for (const table of tables) {
    const [inSource, inTarget] = [source.count(table), await countRows(db, table)];
    if (inSource !== inTarget) countMismatches.push({ table, source: inSource, target: inTarget });
  }
  const sourceBalances = source.balances();
  const rows = await db
    .selectFrom('users as u')
    .select([
      'u.id as id',
      'u.quota as quota',
      (eb) =>
        eb.fn
          .coalesce(
            eb
              .selectFrom('ledger as l')
              .select(eb.fn.sum('l.delta').as('s'))
              .whereRef('l.user_id', '=', 'u.id'),
            eb.lit(0),
          )
          .as('ledger'),
    ])
    .execute();
  const balanceMismatches: CopyReport['balanceMismatches'] = [];
  for (const row of rows) {
    const [userId, quota, ledger] = [Number(row.id), Number(row.quota), Number(row.ledger)];
    if (quota === ledger) continue;
    const before = sourceBalances.get(userId);
    balanceMismatches.push({
      userId,
      quota,
      ledger,
      alsoInSource: before?.quota === quota && before?.ledger === ledger,
    });
  }
  return { balanceMismatches, countMismatches };
}
