// Three instances started at once on a fresh database: all of them come up, and the migrations ran once.
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { type Instance, startInstance, stopInstance, waitForHttp } from './procs.js';

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`concurrent start-up [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let instances: Instance[] = [];
    afterAll(async () => {
      await Promise.all(instances.map((i) => stopInstance(i, 'SIGKILL')));
      await database?.drop();
    });

    it('three instances starting together all start, and the migrations run once', {
      timeout: 60_000,
    }, async () => {
      database = await createTestDatabase(backend.dialect);
      instances = await Promise.all(
        ['m1', 'm2', 'm3'].map((name) =>
          startInstance(name, { SQL_DSN: database.dsn, SQL_MAX_OPEN_CONNS: '3' }),
        ),
      );
      await Promise.all(instances.map((i) => waitForHttp(i)));
      const migrated = instances.filter((i) => i.output().includes('database migrated'));
      expect(migrated.map((i) => i.name)).toHaveLength(1);
      const store = openStore(database.target);
      try {
        const applied = await store.db
          // biome-ignore lint/suspicious/noExplicitAny: Kysely's own table is not in the schema type.
          .selectFrom('kysely_migration' as any)
          .select('name')
          .execute();
        expect(applied.map((r) => r.name).sort()).toEqual([
          '001_initial',
          '002_job_leases',
          '003_listing_indexes',
          '004_task_polls',
          '005_notify_pending',
          '006_poll_digest',
        ]);
        const roots = await store.db
          .selectFrom('users')
          .select('id')
          .where('username', '=', 'root')
          .execute();
        expect(roots).toHaveLength(1);
      } finally {
        await store.close();
      }
      const codes = await Promise.all(instances.map((i) => stopInstance(i)));
      expect(codes).toEqual([0, 0, 0]);
    });
  });
}
