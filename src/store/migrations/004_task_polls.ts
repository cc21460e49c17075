// The poll schedule and lease move out of `tasks` into the narrow `task_polls`: a claim rewrote the whole wide
// row and, as `next_poll_at` was indexed, every one of its 18 indexes (no HOT update on PostgreSQL). Now a claim
// writes only a small row with one index, and the task row is written only when the task changes.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';
import { finish } from './columns.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await finish(
    db.schema
      .createTable('task_polls')
      // SQLite: `integer primary key` is the rowid itself, so no second index holds the ids.
      .addColumn('id', dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
      .addColumn('next_poll_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'varchar(64)')
      .addColumn('lease_until', 'bigint')
      .addColumn('poll_attempts', 'integer', (c) => c.notNull()),
    dialect,
  ).execute();
  await db.schema.createIndex('task_polls_next_poll_at').on('task_polls').column('next_poll_at').execute();
  // Every task still to be polled keeps its schedule and lease; a final task has no row.
  await sql`insert into task_polls (id, next_poll_at, lease_owner, lease_until, poll_attempts)
    select id, next_poll_at, lease_owner, lease_until, poll_attempts from tasks
    where next_poll_at is not null and status not in ('SUCCESS', 'FAILURE')`.execute(db);
  // The index first: SQLite drops no column an index uses. Only MySQL names an index's table when dropping it.
  const dropIndex = db.schema.dropIndex('tasks_next_poll_at');
  await (dialect === 'mysql' ? dropIndex.on('tasks') : dropIndex).execute();
  const [first, ...others] = ['next_poll_at', 'lease_owner', 'lease_until', 'poll_attempts'];
  // SQLite drops one column per statement; MySQL may rebuild the table per statement, so the others drop all in one.
  if (dialect === 'sqlite')
    for (const column of [first, ...others]) await db.schema.alterTable('tasks').dropColumn(column).execute();
  else
    await others
      .reduce((alter, column) => alter.dropColumn(column), db.schema.alterTable('tasks').dropColumn(first))
      .execute();
}
