// The one place that opens a database: embedded SQLite, PostgreSQL or MySQL/MariaDB behind one Kysely type.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { checkDsn, GO_MYSQL_DSN } from '../config.js';
import type { Database } from './schema.js';
import { BACKSTOP_PAGES, startCheckpointer } from './sqlite-checkpointer.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { CachingSqlite } from './sqlite-statements.js';

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

/** What every store function needs: a connection (or a transaction) and which engine it speaks to. */
export interface DbContext {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The SQLite connection itself, on the store (not a transaction): the hottest reads use it (`selectFirst`). */
  sqlite?: CachingSqlite;
}

export interface Store extends DbContext {
  close(): Promise<void>;
}

/**
 * Runs `work` in one transaction (joining the caller's when there is one already). `readCommitted` avoids
 * MySQL's gap locks, which make concurrent SKIP LOCKED claims deadlock under its default REPEATABLE READ.
 */
export function inTransaction<T>(
  ctx: DbContext,
  work: (trx: DbContext) => Promise<T>,
  options: { readCommitted?: boolean } = {},
): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  let builder = ctx.db.transaction();
  if (options.readCommitted && ctx.dialect !== 'sqlite')
    builder = builder.setIsolationLevel('read committed');
  return builder.execute((db) => work({ db, dialect: ctx.dialect }));
}

export interface DatabaseTarget {
  dialect: Dialect;
  /** A file path (or `:memory:`) for SQLite, a connection URL otherwise. */
  location: string;
  /** PostgreSQL only: the schema to work in (tests isolate themselves this way). */
  schema?: string;
}

// pg returns int8 and numeric as strings; every such value here (ids, quotas, times, sums) fits a double.
pg.types.setTypeParser(20, Number);
pg.types.setTypeParser(1700, Number);

/** Reads `SQL_DSN` the way new-api does: URL forms, or Go's `user:pass@tcp(host:port)/db`. */
export function parseDsn(dsn: string | null, sqlitePath: string): DatabaseTarget {
  if (!dsn) return { dialect: 'sqlite', location: sqlitePath };
  // The same checks as loadConfig's, for the DSNs that come another way (migrate-data's --to).
  checkDsn(dsn);
  if (/^postgres(ql)?:\/\//.test(dsn)) return { dialect: 'postgres', location: dsn };
  if (dsn.startsWith('mysql://')) return { dialect: 'mysql', location: dsn };
  if (dsn.startsWith('sqlite:')) return { dialect: 'sqlite', location: dsn.slice('sqlite:'.length) };
  const go = GO_MYSQL_DSN.exec(dsn);
  if (go) {
    const [, user, password = '', hostPort, database] = go;
    const auth = password
      ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}`
      : encodeURIComponent(user);
    return { dialect: 'mysql', location: `mysql://${auth}@${hostPort}/${database}` };
  }
  throw new Error('unreachable: checkDsn accepts only the forms above');
}

/**
 * When an SQLite commit reaches the disk. `normal` (WAL's usual choice, Rails' and PocketBase's too) syncs the
 * log at checkpoints only: a killed process loses nothing, a power cut may undo the last commits, whole and in
 * order, so balances still equal their ledgers. `full` syncs every commit, about 0.2 ms each (docs/benchmarks.md).
 */
export type SqliteSynchronous = 'normal' | 'full';

export function openStore(
  target: DatabaseTarget,
  poolSize = 10,
  synchronous: SqliteSynchronous = 'normal',
): Store {
  const sqlite = target.dialect === 'sqlite' ? openSqlite(target.location, synchronous) : undefined;
  const db = new Kysely<Database>({
    dialect: sqlite ? new GroupCommitSqliteDialect(sqlite) : serverDialect(target, poolSize),
  });
  const checkpointer = sqlite && target.location !== ':memory:' ? startCheckpointer(target.location) : null;
  return {
    db,
    dialect: target.dialect,
    sqlite,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function openSqlite(location: string, synchronous: SqliteSynchronous): CachingSqlite {
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
  const database = new SQLite(location);
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${synchronous}`);
  // Checkpoints are the background worker's (sqlite-checkpointer.ts); the writer's own is only a backstop.
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // Each grouped transaction is a savepoint (sqlite-group-commit.ts), whose undo log holds the pages it touches:
  // a task row's twenty pages pass the 64 KiB SQLite keeps in memory, and a temp file made the insert 4× slower.
  database.pragma('temp_store = memory');
  return new CachingSqlite(database);
}

function serverDialect(target: DatabaseTarget, poolSize: number) {
  switch (target.dialect) {
    case 'postgres':
      return new PostgresDialect({
        pool: new pg.Pool({
          connectionString: target.location,
          max: poolSize,
          options: target.schema ? `-c search_path=${target.schema}` : undefined,
        }),
      });
    case 'mysql':
      return new MysqlDialect({
        pool: createPool({
          uri: target.location,
          connectionLimit: poolSize,
          supportBigNumbers: true,
          decimalNumbers: true,
          charset: 'utf8mb4',
        }),
      });
    default:
      throw new Error(`not a database server: ${target.dialect}`);
  }
}
