// The poll schedule and lease move out of `tasks` into the narrow `task_polls`: a claim rewrote the whole wide
// row and, as `next_poll_at` was indexed, every one of its 18 indexes (no HOT update on PostgreSQL). Now a claim
// writes only a small row with one index, and the task row is written only when the task changes.
// Every step is skipped when it is done already: a start stopped midway runs the migration again (existing.ts).
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';
import { finish } from './columns.js';
import { createIndexOnce, hasColumn, hasIndex } from './existing.js';

const POLL_COLUMNS = ['next_poll_at', 'lease_owner', 'lease_until', 'poll_attempts'];

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await finish(
    db.schema
      .createTable('task_polls')
      .ifNotExists()
      // SQLite: `integer primary key` is the rowid itself, so no second index holds the ids.
      .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
      .addColumn('next_poll_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('lease_until', 'bigint')
      .addColumn('poll_attempts', 'integer', (c) => c.notNull()),
    dialect,
  ).execute();
  await createIndexOnce(db, dialect, 'task_polls', 'task_polls_next_poll_at', (i) =>
    i.column('next_poll_at'),
  );
  // Every task still to be polled keeps its schedule and lease; a final task has no row. The columns are dropped
  // only after the copy, so while the first one is there the copy is still to do (or was done whole: one
  // statement), and a task copied already is not copied again.
  if (await hasColumn(db, dialect, 'tasks', 'next_poll_at'))
    await sql`insert into task_polls (id, next_poll_at, lease_owner, lease_until, poll_attempts)
      select id, next_poll_at, lease_owner, lease_until, poll_attempts from tasks
      where next_poll_at is not null and status not in ('SUCCESS', 'FAILURE')
      and id not in (select id from task_polls)`.execute(db);
  // The index first: SQLite drops no column an index uses. Only MySQL names an index's table when dropping it.
  if (await hasIndex(db, dialect, 'tasks', 'tasks_next_poll_at')) {
    const dropIndex = db.schema.dropIndex('tasks_next_poll_at');
    await (dialect === 'mysql' ? dropIndex.on('tasks') : dropIndex).execute();
  }
  const present: string[] = [];
  for (const column of POLL_COLUMNS) if (await hasColumn(db, dialect, 'tasks', column)) present.push(column);
  if (present.length === 0) return;
  const [first, ...others] = present;
  // SQLite drops one column per statement; MySQL may rebuild the table per statement, so the others drop all in one.
  if (dialect === 'sqlite')
    for (const column of present) await db.schema.alterTable('tasks').dropColumn(column).execute();
  else
    await others
      .reduce((alter, column) => alter.dropColumn(column), db.schema.alterTable('tasks').dropColumn(first))
      .execute();
}
