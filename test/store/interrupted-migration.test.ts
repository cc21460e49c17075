// A migration an instance was stopped in the middle of (SIGTERM or a kill during start-up, before the migration
// was recorded) runs again on the next start and completes. MySQL and SQLite run each DDL statement on its own, so
// such a stop leaves some of the migration's steps done; the next start must not fail on them for ever.
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { insertReturningId } from '../../src/store/insert.js';
import { MIGRATION_STEPS, migrateTo, migrateToLatest } from '../../src/store/migrate.js';
import { hasIndex } from '../../src/store/migrations/existing.js';
import { claimDueTasks } from '../../src/store/task-leases.js';
import { taskValues } from '../../src/store/tasks.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';

const NOW = 1_760_000_000_000;
// Every migration, future ones too: each must complete after a stop that left all its steps done.
const ORDER = Object.keys(MIGRATION_STEPS);

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`an interrupted migration [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let store: Store;
    // biome-ignore lint/suspicious/noExplicitAny: migrations work on schemas older than the typed one.
    const raw = () => store.db as Kysely<any>;
    const open = async () => {
      database = await createTestDatabase(backend.dialect);
      store = openStore(database.target);
    };
    afterEach(async () => {
      await store?.close();
      await database?.drop();
    });

    // The worst stop: every step of the migration done, the record of it not written.
    for (const [i, name] of ORDER.entries()) {
      it(`${name} done but not recorded: the next start runs it again and completes`, async () => {
        await open();
        if (i > 0) await migrateTo(store, ORDER[i - 1]);
        await MIGRATION_STEPS[name].up(raw(), backend.dialect);
        expect(await migrateToLatest(store)).toEqual(ORDER.slice(i));
        // The schema works: a task is inserted, scheduled and claimed.
        const values = taskValues(
          {
            task_id: `after-${name}`,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: 1,
            submit_time: NOW,
          },
          NOW,
        );
        const id = await insertReturningId(backend.dialect, store.db.insertInto('tasks').values(values));
        await raw().insertInto('task_polls').values({ id, next_poll_at: NOW, poll_attempts: 0 }).execute();
        expect((await claimDueTasks(store, 'after', NOW, 10)).map((t) => t.id)).toEqual([id]);
      });
    }

    it('004 stopped after copying the schedule, before dropping the old columns: no task is copied twice', async () => {
      await open();
      await migrateTo(store, '003_listing_indexes');
      const {
        notify_pending: _later,
        poll_digest: _alsoLater,
        ...row
      } = taskValues(
        { task_id: 'leased', platform: 'midjourney', action: 'IMAGINE', user_id: 1, submit_time: NOW },
        NOW,
      );
      await raw()
        .insertInto('tasks')
        .values({
          ...row,
          next_poll_at: NOW + 15_000,
          lease_owner: 'a:b:1',
          lease_until: NOW,
          poll_attempts: 3,
        })
        .execute();
      // 004's first three steps, as a stop right after them leaves the database.
      await raw()
        .schema.createTable('task_polls')
        .addColumn('id', backend.dialect === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
        .addColumn('next_poll_at', 'bigint', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'bigint')
        .addColumn('poll_attempts', 'integer', (c) => c.notNull())
        .execute();
      await raw()
        .schema.createIndex('task_polls_next_poll_at')
        .on('task_polls')
        .column('next_poll_at')
        .execute();
      await sql`insert into task_polls (id, next_poll_at, lease_owner, lease_until, poll_attempts)
        select id, next_poll_at, lease_owner, lease_until, poll_attempts from tasks`.execute(raw());

      expect(await migrateToLatest(store)).toEqual([
        '004_task_polls',
        '005_notify_pending',
        '006_poll_digest',
      ]);
      const polls = await raw().selectFrom('task_polls').selectAll().execute();
      expect(polls.map((p) => ({ ...p, id: Number(p.id) }))).toEqual([
        { id: 1, next_poll_at: NOW + 15_000, lease_owner: 'a:b:1', lease_until: NOW, poll_attempts: 3 },
      ]);
    });

    it('005 stopped after adding its column, before its index: the next start adds the index', async () => {
      await open();
      await migrateTo(store, '004_task_polls');
      await raw()
        .schema.alterTable('tasks')
        .addColumn('notify_pending', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      expect(await migrateToLatest(store)).toEqual(['005_notify_pending', '006_poll_digest']);
      expect(await hasIndex(raw(), backend.dialect, 'tasks', 'tasks_notify_pending')).toBe(true);
    });
  });
}
