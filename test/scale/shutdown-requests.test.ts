// SIGTERM while a submit is in flight on a kept-alive connection (nginx's upstream connections, any HTTP client's):
// the submit is answered, and the instance then exits cleanly at once instead of waiting for that connection until
// its shutdown grace runs out and it is killed.
import { Agent, request } from 'undici';
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
const SUBMIT_MS = 2_000;

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`SIGTERM with a submit in flight [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let sim: MidjourneySimulator;
    let instance: Instance | undefined;
    // Keeps connections open between requests, as nginx's `keepalive` and browsers do.
    const client = new Agent({ keepAliveTimeout: 60_000 });
    afterAll(async () => {
      if (instance) await stopInstance(instance, 'SIGKILL');
      await client.close();
      await sim?.close();
      await database?.drop();
    });

    it('answers the submit, then exits 0 without waiting out the grace', { timeout: 60_000 }, async () => {
      database = await createTestDatabase(backend.dialect);
      const store = openStore(database.target);
      await migrateToLatest(store);
      sim = createMidjourneySimulator({ apiSecret: SECRET, mode: 'P' });
      const simUrl = await sim.listen();
      instance = await startInstance('a', { SQL_DSN: database.dsn, SHUTDOWN_WAIT_MS: '300' });
      const a = instance;
      await waitForHttp(a);
      const user = await seedUser(store, 'shutdown-submitter', 10_000_000);
      await addMjChannel(a, simUrl, SECRET);
      const submitted = request(`${a.url}/mj/submit/imagine`, {
        dispatcher: client,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.key}` },
        body: JSON.stringify({ prompt: `slow to accept sim:slow=${SUBMIT_MS}` }),
      });
      await sleep(500);
      a.child.kill('SIGTERM');
      const answer = await submitted;
      const body = (await answer.body.json()) as { code: number; result: string };
      const answeredAt = Date.now();
      expect(answer.statusCode).toBe(200);
      expect(body.code).toBe(1);
      const task = await store.db
        .selectFrom('tasks')
        .selectAll()
        .where('task_id', '=', body.result)
        .executeTakeFirstOrThrow();
      expect(task.upstream_id).not.toBe('');
      await store.close();
      // The grace (SHUTDOWN_WAIT_MS + 15 s) would kill it with exit code 1; the open connection must not hold it.
      expect(await a.exited).toBe(0);
      expect(Date.now() - answeredAt).toBeLessThan(5_000);
      expect(a.output()).not.toContain('killed by timeout');
    });
  });
}
