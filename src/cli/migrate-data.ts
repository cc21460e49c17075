// `taskgate migrate-data --from <sqlite file> --to <SQL_DSN>`: moves a single-process SQLite install to
// PostgreSQL or MySQL/MariaDB. Prints plain lines (no secrets: the DSN is shown without its password).
import { parseArgs } from 'node:util';
import { copyDatabase } from '../store/copy.js';
import { SourceError, SqliteSource } from '../store/copy-source.js';
import { openStore, parseDsn } from '../store/db.js';

export const MIGRATE_DATA_USAGE = `Usage: taskgate migrate-data --from <sqlite file> --to <SQL_DSN>

Copies every table of a Taskgate SQLite database into an empty PostgreSQL or MySQL/MariaDB database (migrated
first), keeping ids, then checks row counts and every user's balance against the ledger. --to defaults to
SQL_DSN. Stop the SQLite instance first: writes made during the copy are not carried over.`;

/** Runs the command; returns the exit code (0 done and verified, 1 failed or unverified, 2 bad usage). */
export async function migrateData(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let from: string | undefined;
  let to: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      out(MIGRATE_DATA_USAGE);
      return 0;
    }
    ({ from, to } = values);
    to ??= env.SQL_DSN || undefined;
  } catch (error) {
    err(`taskgate migrate-data: ${(error as Error).message}\n\n${MIGRATE_DATA_USAGE}`);
    return 2;
  }
  if (!from || !to) {
    err(
      `taskgate migrate-data: ${from ? '--to (or SQL_DSN)' : '--from'} is required\n\n${MIGRATE_DATA_USAGE}`,
    );
    return 2;
  }
  let target: ReturnType<typeof parseDsn>;
  try {
    target = parseDsn(to, '');
  } catch (error) {
    err(`taskgate migrate-data: --to: ${(error as Error).message.replace('SQL_DSN', 'DSN')}`);
    return 2;
  }
  if (target.dialect === 'sqlite') {
    err('taskgate migrate-data: --to must be a PostgreSQL or MySQL/MariaDB DSN');
    return 2;
  }
  let source: SqliteSource;
  try {
    source = new SqliteSource(from);
  } catch (error) {
    err(`taskgate migrate-data: ${(error as Error).message}`);
    return 1;
  }
  const store = openStore(target, 2);
  const started = Date.now();
  try {
    out(`copying ${from} → ${withoutPassword(target.location)}`);
    const report = await copyDatabase(source, store);
    for (const { table, rows } of report.tables) out(`  ${table.padEnd(12)} ${rows} rows`);
    for (const m of report.countMismatches)
      err(`row count differs in ${m.table}: ${m.source} in the source, ${m.target} in the target`);
    for (const m of report.balanceMismatches) {
      err(
        `user ${m.userId}: balance ${m.quota} but ledger sum ${m.ledger}` +
          (m.alsoInSource ? ' (the same in the source)' : ' (NOT so in the source)'),
      );
    }
    const total = report.tables.reduce((sum, t) => sum + t.rows, 0);
    const broken =
      report.countMismatches.length + report.balanceMismatches.filter((m) => !m.alsoInSource).length;
    if (broken > 0) {
      err(`copied ${total} rows, but the check found ${broken} problem(s) above`);
      return 1;
    }
    out(
      `copied ${total} rows in ${report.tables.length} tables in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        'row counts match and every balance equals its ledger. Start Taskgate with this SQL_DSN.',
    );
    return 0;
  } catch (error) {
    if (error instanceof SourceError) err(`taskgate migrate-data: ${error.message}`);
    else err(`taskgate migrate-data: the copy failed and was rolled back: ${(error as Error).message}`);
    return 1;
  } finally {
    source.close();
    await store.close();
  }
}

/** The DSN as it may be printed: the password replaced. */
function withoutPassword(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(the target database)';
  }
}
