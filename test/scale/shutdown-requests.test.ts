// SIGTERM while a submit is in flight on a kept-alive connection (nginx's upstream connections, any HTTP client's):
// the submit is answered, and the instance then exits cleanly at once instead of waiting for that connection until
// its shutdown grace runs out and it is killed.
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { openStore, type Store } from '../../src/store/db.js';
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
/** Longer than the 15 s the drain was given after the round wait, well within the 60 s submit timeout. */
const SLOW_SUBMIT_MS = 18_000;

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

    /** Submits over the kept-alive client, and SIGTERMs the instance half a second into the submit. */
    async function submitThenTerminate(instance: Instance, key: string, prompt: string) {
      const submitted = request(`${instance.url}/mj/submit/imagine`, {
        dispatcher: client,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ prompt }),
      }).catch((error: Error) => error);
      await sleep(500);
      instance.child.kill('SIGTERM');
      return submitted;
    }

    /** The submit was answered as accepted, and its task has the upstream's id. */
    async function expectAccepted(store: Store, answer: Awaited<ReturnType<typeof submitThenTerminate>>) {
      // Cut off, the submit would reach the upstream and be failed and refunded 5 minutes later as interrupted.
      expect(answer).not.toBeInstanceOf(Error);
      if (answer instanceof Error) return;
      expect(answer.statusCode).toBe(200);
      const body = (await answer.body.json()) as { code: number; result: string };
      expect(body.code).toBe(1);
      const task = await store.db
        .selectFrom('tasks')
        .selectAll()
        .where('task_id', '=', body.result)
        .executeTakeFirstOrThrow();
      expect(task.upstream_id).not.toBe('');
    }

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
      const answer = await submitThenTerminate(a, user.key, `slow to accept sim:slow=${SUBMIT_MS}`);
      const answeredAt = Date.now();
      await expectAccepted(store, answer);
      await store.close();
      // The grace (SHUTDOWN_WAIT_MS + 15 s) would kill it with exit code 1; the open connection must not hold it.
      expect(await a.exited).toBe(0);
      expect(Date.now() - answeredAt).toBeLessThan(5_000);
      expect(a.output()).not.toContain('killed by timeout');
    });

    it('lets a submit whose upstream is slower than 15 s finish before exiting', {
      timeout: 60_000,
    }, async () => {
      const store = openStore(database.target);
      const user = await seedUser(store, 'slow-upstream-submitter', 10_000_000);
      // No wait for a poll round: what is left of the grace is all the drain gets.
      instance = await startInstance('b', { SQL_DSN: database.dsn, SHUTDOWN_WAIT_MS: '0' });
      const b = instance;
      await waitForHttp(b);
      const answer = await submitThenTerminate(
        b,
        user.key,
        `much slower to accept sim:slow=${SLOW_SUBMIT_MS}`,
      );
      await expectAccepted(store, answer);
      await store.close();
      expect(await b.exited).toBe(0);
    });
  });
}
