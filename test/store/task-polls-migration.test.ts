// Migration 004 on a database an older Taskgate left: the poll schedule and lease of every unfinished task move
// to task_polls unchanged, final tasks get no row, and the columns leave tasks (with their index).
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { claimDueTasks, tasksByIds } from '../../src/store/task-leases.js';
import { taskValues } from '../../src/store/tasks.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';

const NOW = 1_760_000_000_000;

/** A task row as migration 003 left the table: the four poll columns still on it, and none added later. */
const oldRow = (taskId: string, status: string, poll: Record<string, unknown>) => {
  const {
    notify_pending: _later,
    poll_digest: _alsoLater,
    ...row
  } = taskValues(
    { task_id: taskId, platform: 'midjourney', action: 'IMAGINE', user_id: 1, submit_time: NOW, status },
    NOW,
  );
  return { ...row, ...poll };
};

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`migration 004_task_polls [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let store: Store;
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    it('moves the schedule of unfinished tasks to task_polls and drops the columns from tasks', async () => {
      database = await createTestDatabase(backend.dialect);
      store = openStore(database.target);
      expect(await migrateTo(store, '003_listing_indexes')).toHaveLength(3);
      // biome-ignore lint/suspicious/noExplicitAny: the typed schema is the latest one, not 003's.
      const old = store.db as Kysely<any>;
      await old
        .insertInto('tasks')
        .values([
          oldRow('leased', 'IN_PROGRESS', {
            next_poll_at: NOW + 15_000,
            lease_owner: 'inst-1:abc:7',
            lease_until: NOW + 15_000,
            poll_attempts: 12,
          }),
          oldRow('due', 'SUBMITTED', {
            next_poll_at: NOW - 5,
            lease_owner: null,
            lease_until: null,
            poll_attempts: 0,
          }),
          oldRow('done', 'SUCCESS', {
            next_poll_at: null,
            lease_owner: null,
            lease_until: null,
            poll_attempts: 30,
          }),
          oldRow('failed', 'FAILURE', {
            next_poll_at: null,
            lease_owner: null,
            lease_until: null,
            poll_attempts: 2,
          }),
          // Never scheduled (an older test fixture, say): it stays off the schedule.
          oldRow('unscheduled', 'NOT_START', {
            next_poll_at: null,
            lease_owner: null,
            lease_until: null,
            poll_attempts: 0,
          }),
        ])
        .execute();
      const before = await old.selectFrom('tasks').selectAll().orderBy('id').execute();

      expect(await migrateTo(store, '004_task_polls')).toEqual(['004_task_polls']);

      const idOf = new Map(before.map((r) => [r.task_id as string, Number(r.id)]));
      const polls = await store.db.selectFrom('task_polls').selectAll().orderBy('id').execute();
      expect(polls).toEqual([
        {
          id: idOf.get('leased'),
          next_poll_at: NOW + 15_000,
          lease_owner: 'inst-1:abc:7',
          lease_until: NOW + 15_000,
          poll_attempts: 12,
        },
        {
          id: idOf.get('due'),
          next_poll_at: NOW - 5,
          lease_owner: null,
          lease_until: null,
          poll_attempts: 0,
        },
      ]);
      // Every other column of every task is as it was; the four are gone.
      const after = await store.db.selectFrom('tasks').selectAll().orderBy('id').execute();
      const pollColumns = ['next_poll_at', 'lease_owner', 'lease_until', 'poll_attempts'];
      expect(after).toEqual(
        before.map((row) =>
          Object.fromEntries(Object.entries(row).filter(([k]) => !pollColumns.includes(k))),
        ),
      );
      // The migrated schedule works (with the later migrations' columns, which the code reads): only the due task
      // is claimed, and the leased one stays with its owner.
      expect(await migrateToLatest(store)).toEqual(['005_notify_pending', '006_poll_digest']);
      const claimed = await claimDueTasks(store, 'after-migration', NOW, 10);
      const rows = await tasksByIds(
        store,
        claimed.map((r) => r.id),
      );
      expect(rows.map((r) => r.task_id)).toEqual(['due']);
    });
  });
}
