// Client callbacks survive a restart: a change a task's notifyHook must hear of marks the task in the same write,
// the mark is cleared once the callback is settled, and a sweep sends what an instance that died (or dropped it
// from a full queue) left behind (engine/client-notify.ts). Few rows are ever marked: the index finds them.
// Each step is skipped when it is done already: a start stopped midway runs the migration again (existing.ts).
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../db.js';
import { createIndexOnce, hasColumn } from './existing.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (!(await hasColumn(db, dialect, 'tasks', 'notify_pending')))
    await db.schema
      .alterTable('tasks')
      .addColumn('notify_pending', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  // Partial where the engine can (SQLite, PostgreSQL): the unmarked rows, nearly all, are not in it, so inserting
  // a task costs no index entry. MySQL indexes every row.
  await createIndexOnce(db, dialect, 'tasks', 'tasks_notify_pending', (index) => {
    const marked = index.column('notify_pending');
    return dialect === 'mysql' ? marked : marked.where(sql.ref('notify_pending'), '=', 1);
  });
}
