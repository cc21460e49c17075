// SIGTERM in the middle of a poll round: the stopping instance releases the tasks in hand, and a second
// instance polls them at once instead of after the lease expiry.
import { afterAll, describe, expect, it } from 'vitest';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { openStore } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  addMjChannel,
  type Instance,
  seedUser,
  sleep,
  startInstance,
  stopInstance,
  waitForHttp,
} from './procs.js';

const SECRET = 'scale-sim-secret';
const LEASE_MS = 30_000;

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`graceful shutdown [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let sim: MidjourneySimulator;
    const instances: Instance[] = [];
    afterAll(async () => {
      await Promise.all(instances.map((i) => stopInstance(i, 'SIGKILL')));
      await sim?.close();
      await database?.drop();
    });

    it('SIGTERM mid-round hands the tasks in hand to another instance at once', {
      timeout: 60_000,
    }, async () => {
      database = await createTestDatabase(backend.dialect);
      const store = openStore(database.target);
      await migrateToLatest(store);
      sim = createMidjourneySimulator({ apiSecret: SECRET, mode: 'P' });
      const simUrl = await sim.listen();
      const env = {
        SQL_DSN: database.dsn,
        POLL_LEASE_MS: String(LEASE_MS),
        POLL_INTERVAL_MS: String(LEASE_MS),
        POLL_IDLE_MS: '100',
        POLL_TIMEOUT_MS: '20000',
        SHUTDOWN_WAIT_MS: '300',
      };
      const a = await startInstance('a', env);
      instances.push(a);
      await waitForHttp(a);
      // After the first start: root is made only on an empty database.
      const user = await seedUser(store, 'shutdown-user', 10_000_000);
      await addMjChannel(a, simUrl, SECRET);
      sim.state.setKnobs({ faults: { listByCondition: 'hang' } });
      const submitted = await fetch(`${a.url}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.key}` },
        body: JSON.stringify({ prompt: 'handed over sim:hang' }),
      });
      const body = (await submitted.json()) as { code: number; result: string };
      expect(body.code).toBe(1);
      const task = await store.db
        .selectFrom('tasks')
        .selectAll()
        .where('task_id', '=', body.result)
        .executeTakeFirstOrThrow();
      // A's round is stuck in the hung status call, holding the lease.
      while (sim.state.counters.pollsOf(task.upstream_id, 'a') === 0) await sleep(20);
      const b = await startInstance('b', env);
      instances.push(b);
      await waitForHttp(b);
      await sleep(500);
      expect(sim.state.counters.pollsOf(task.upstream_id, 'b')).toBe(0); // still leased to A
      sim.state.setKnobs({ faults: { listByCondition: null } });
      const stoppedAt = Date.now();
      a.child.kill('SIGTERM');
      while (sim.state.counters.pollsOf(task.upstream_id, 'b') === 0) {
        expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS / 3);
        await sleep(20);
      }
      const takeover = Date.now() - stoppedAt;
      expect(await a.exited).toBe(0);
      expect(a.output()).toContain('released the leases of the unfinished round');
      console.log(`[scale] ${backend.dialect}: takeover ${takeover} ms after SIGTERM (lease ${LEASE_MS} ms)`);
      const after = await store.db
        .selectFrom('task_polls')
        .selectAll()
        .where('id', '=', task.id)
        .executeTakeFirstOrThrow();
      expect(after.lease_owner).toMatch(/^b:/);
      await store.close();
      expect(await stopInstance(b)).toBe(0);
    });
  });
}
