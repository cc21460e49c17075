// What a task's row remembers of the upstream answer its current version was written from (engine/poll-plan.ts):
// a poll round that gets the same answer again for a row still at that version neither reads nor writes the row.
// Written by the poller only; every other write bumps the version and so leaves the digest behind.
// Skipped when it is done already: a start stopped midway runs the migration again (existing.ts).
import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { hasColumn } from './existing.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (await hasColumn(db, dialect, 'tasks', 'poll_digest')) return;
  await db.schema
    .alterTable('tasks')
    .addColumn('poll_digest', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .execute();
}
