// Reading a task's poll schedule and lease (task_polls) by its public id, as tests check them.
import { sql } from 'kysely';
import { chunks } from '../../src/core/concurrency.js';
import type { DbContext } from '../../src/store/db.js';
import type { NewTask, TaskPollRow } from '../../src/store/schema.js';

/** The task's `task_polls` row, or undefined once it is off the schedule (final, or never scheduled). */
export function pollOf(store: DbContext, taskId: string): Promise<TaskPollRow | undefined> {
  return store.db
    .selectFrom('task_polls')
    .innerJoin('tasks', 'tasks.id', 'task_polls.id')
    .selectAll('task_polls')
    .where('tasks.task_id', '=', taskId)
    .executeTakeFirst();
}

/** Puts every task whose public id starts with `prefix` on the schedule, due at `at` (for rows inserted in bulk). */
export async function scheduleByPrefix(store: DbContext, prefix: string, at: number): Promise<void> {
  await store.db
    .insertInto('task_polls')
    .columns(['id', 'next_poll_at', 'poll_attempts'])
    .expression((eb) =>
      eb
        .selectFrom('tasks')
        .select(['id', sql<number>`${sql.lit(at)}`.as('next_poll_at'), sql<number>`0`.as('poll_attempts')])
        .where('task_id', 'like', `${prefix}%`),
    )
    .execute();
}

/** Inserts task rows in bulk, 500 a statement, each put on the schedule due at `dueAt(its public id)`. */
export async function insertScheduled(
  store: DbContext,
  rows: NewTask[],
  dueAt: (taskId: string) => number,
): Promise<void> {
  for (const chunk of chunks(rows, 500)) {
    await store.db.insertInto('tasks').values(chunk).execute();
    const ids = await store.db
      .selectFrom('tasks')
      .select(['id', 'task_id'])
      .where(
        'task_id',
        'in',
        chunk.map((row) => row.task_id),
      )
      .execute();
    const polls = ids.map((r) => ({ id: r.id, next_poll_at: dueAt(r.task_id), poll_attempts: 0 }));
    await store.db.insertInto('task_polls').values(polls).execute();
  }
}
