// Three `taskgate serve` processes on one database, one midjourney-proxy simulator with faults (5xx, hangs,
// truncated JSON, vanished ids), submits from several users through all three, and one instance SIGKILLed and
// restarted mid-run. Afterwards every accepted submit has one task, every task is terminal or still polled, no
// task was polled by two instances in one round, every failure was refunded once, and balances match ledgers.
import { afterAll, describe, expect, it } from 'vitest';
import { SUBMIT_GRACE_MS } from '../../src/engine/submit.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { ledgerBalance } from '../../src/store/ledger.js';
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
const INTERVAL_MS = 1_000;
const SUBMIT_FOR_MS = 8_000;
const SUBMIT_EVERY_MS = 40;
const KILL_AT_MS = 2_000;
const RESTART_AT_MS = 3_000;
const DRAIN_MS = 40_000;
const ENV = {
  POLL_INTERVAL_MS: String(INTERVAL_MS),
  POLL_LEASE_MS: '1500',
  POLL_IDLE_MS: '100',
  // Longer than the lease: a hung status call makes the round outlive it, so renewal is exercised.
  POLL_TIMEOUT_MS: '2000',
  POLL_VANISH_GRACE_MS: '1500',
  SHUTDOWN_WAIT_MS: '1000',
  SQL_MAX_OPEN_CONNS: '5',
  JOB_INTERVAL_MS: '1000',
  LOG_LEVEL: 'warn',
};
/**
 * Submits by kind, in turn: plain ones succeed, the rest fail upstream, vanish, or fault their status calls once.
 * A poll fault answers the whole list-by-condition batch, so they are kept rare or no batch would ever get through.
 */
const KINDS = [
  ...Array.from({ length: 20 }, () => ''),
  ...Array.from({ length: 4 }, () => 'sim:fail@46'),
  ...Array.from({ length: 3 }, () => 'sim:vanish@1'),
  'sim:pollfault=truncated@1',
  'sim:pollfault=hang@1',
  'sim:pollfault=html@1',
];

interface Poll {
  at: number;
  caller: string;
  ids: string[];
}

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`three instances, one killed [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let store: Store;
    let sim: MidjourneySimulator;
    const instances: Instance[] = [];
    afterAll(async () => {
      await Promise.all(instances.map((i) => stopInstance(i, 'SIGKILL')));
      await store?.close();
      await sim?.close();
      await database?.drop();
    });

    it('keeps every task, poll, refund and balance right', { timeout: 120_000 }, async () => {
      const started = Date.now();
      database = await createTestDatabase(backend.dialect);
      store = openStore(database.target);
      sim = createMidjourneySimulator({
        apiSecret: SECRET,
        mode: 'P',
        timeScale: 10,
        accounts: [{ id: '1118138338562560102', coreSize: 1000, queueSize: 1000 }],
        faults: { listByCondition: { kind: 'status', status: 503, rate: 0.1 } },
        requestLogLimit: 10,
      });
      const polls: Poll[] = [];
      sim.app.addHook('preHandler', async (request) => {
        if (request.method !== 'POST' || !request.url.startsWith('/mj/task/list-by-condition')) return;
        const header = request.headers['x-taskgate-instance'];
        const ids = (request.body as { ids?: string[] } | null)?.ids ?? [];
        polls.push({ at: Date.now(), caller: String(header), ids });
      });
      const simUrl = await sim.listen();
      const env = { ...ENV, SQL_DSN: database.dsn };
      // All three at once on the fresh database: one migrates, the others wait.
      instances.push(...(await Promise.all(['i1', 'i2', 'i3'].map((name) => startInstance(name, env)))));
      await Promise.all(instances.map((i) => waitForHttp(i)));
      const users = [];
      for (let u = 0; u < 3; u++) users.push(await seedUser(store, `scale-user-${u}`, 100_000_000));
      await addMjChannel(instances[0], simUrl, SECRET);
      const ready = Date.now();

      const accepted: string[] = [];
      let acceptedByRestarted = 0;
      let refused = 0;
      let unreachable = 0;
      const inFlight: Promise<void>[] = [];
      let restartedAt = 0;
      const killer = (async () => {
        await sleep(KILL_AT_MS);
        const victim = instances[1];
        victim.child.kill('SIGKILL');
        await victim.exited;
        await sleep(RESTART_AT_MS - KILL_AT_MS);
        instances[1] = await startInstance('i2', env, victim.port);
        await waitForHttp(instances[1]);
        restartedAt = Date.now();
      })();
      for (let i = 0; Date.now() - ready < SUBMIT_FOR_MS; i++) {
        const instance = instances[i % 3];
        const user = users[Math.floor(i / 3) % 3];
        inFlight.push(
          fetch(`${instance.url}/mj/submit/imagine`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${user.key}` },
            body: JSON.stringify({ prompt: `scale ${i} ${KINDS[i % KINDS.length]}` }),
            signal: AbortSignal.timeout(10_000),
          })
            .then(async (response) => {
              const body = (await response.json()) as { code?: number; result?: string };
              if (response.status === 200 && (body.code === 1 || body.code === 22) && body.result) {
                accepted.push(body.result);
                if (instance === instances[1] && restartedAt > 0) acceptedByRestarted++;
              } else refused++;
            })
            .catch(() => {
              unreachable++;
            }),
        );
        await sleep(SUBMIT_EVERY_MS);
      }
      await Promise.all(inFlight);
      await killer;

      // Let the instances finish what can finish.
      const unfinished = () =>
        store.db
          .selectFrom('tasks')
          .select('task_id')
          .where('status', 'not in', ['SUCCESS', 'FAILURE'])
          .where('upstream_id', '!=', '')
          .execute();
      const drainDeadline = Date.now() + DRAIN_MS;
      while ((await unfinished()).length > 0 && Date.now() < drainDeadline) await sleep(250);
      const drained = Date.now();

      // Each task with its poll schedule (none once final).
      const tasks = await store.db
        .selectFrom('tasks')
        .leftJoin('task_polls', 'task_polls.id', 'tasks.id')
        .selectAll('tasks')
        .select(['next_poll_at', 'lease_owner', 'poll_attempts'])
        .execute();
      const left = tasks.filter((t) => t.status !== 'SUCCESS' && t.status !== 'FAILURE');
      if (left.some((t) => t.upstream_id !== ''))
        console.log(
          left.map((t) => ({
            p: t.prompt,
            s: t.status,
            pr: t.progress,
            n: t.poll_attempts,
            due: (t.next_poll_at ?? 0) - Date.now(),
            o: t.lease_owner,
            v: t.vanished_since,
          })),
          sim.state.tasks.size,
        );
      const byPublicId = new Map(tasks.map((t) => [t.task_id, t]));
      // Every accepted submit has exactly one task (and no upstream task is tracked twice).
      expect(accepted.length).toBeGreaterThan(50);
      for (const id of accepted) expect(tasks.filter((t) => t.task_id === id)).toHaveLength(1);
      const upstreamIds = tasks.map((t) => t.upstream_id).filter(Boolean);
      expect(new Set(upstreamIds).size).toBe(upstreamIds.length);
      // Every task is terminal or still being polled. Only submits cut by the SIGKILL may be left: reserved, never
      // accepted, and due exactly when the submit grace ends (then the poller fails and refunds them; that path is
      // proven in test/e2e/mj-refunds.test.ts). Each is a submit whose connection the SIGKILL cut.
      const interrupted = tasks.filter((t) => t.status !== 'SUCCESS' && t.status !== 'FAILURE');
      expect(interrupted.length).toBeLessThanOrEqual(unreachable);
      for (const task of interrupted) {
        expect(task.upstream_id, `${task.task_id} is unfinished`).toBe('');
        expect(task.next_poll_at).toBe(task.submit_time + SUBMIT_GRACE_MS);
        expect(accepted).not.toContain(task.task_id);
      }
      for (const id of accepted) expect(['SUCCESS', 'FAILURE']).toContain(byPublicId.get(id)!.status);
      for (const task of tasks.filter((t) => !interrupted.includes(t))) expect(task.next_poll_at).toBeNull();
      // No task was polled by two instances in one round: a claim schedules the next poll a lease (1.5 s) later,
      // so polls of one task by different instances are far apart; without leases they would come within the
      // 100 ms idle delay. A quarter interval leaves room for a loaded machine between claim and request.
      const timeline = new Map<string, Poll[]>();
      for (const poll of polls)
        for (const id of new Set(poll.ids)) timeline.set(id, [...(timeline.get(id) ?? []), poll]);
      let handovers = 0;
      let minGap = Number.POSITIVE_INFINITY;
      for (const [id, list] of timeline) {
        list.sort((a, b) => a.at - b.at);
        for (let k = 1; k < list.length; k++) {
          if (list[k].caller === list[k - 1].caller) continue;
          handovers++;
          minGap = Math.min(minGap, list[k].at - list[k - 1].at);
          expect(
            list[k].at - list[k - 1].at,
            `${id}: ${list[k - 1].caller} then ${list[k].caller}`,
          ).toBeGreaterThanOrEqual(INTERVAL_MS / 4);
        }
      }
      const callers = new Set(polls.map((p) => p.caller));
      expect([...callers].sort()).toEqual(['i1', 'i2', 'i3']);
      // The restarted instance took part again: it accepted submits, polled, or both.
      expect(restartedAt).toBeGreaterThan(0);
      expect(
        acceptedByRestarted + polls.filter((p) => p.caller === 'i2' && p.at > restartedAt).length,
      ).toBeGreaterThan(0);
      // Each failed task has exactly one refund; no other task has one.
      const refunds = await store.db
        .selectFrom('ledger')
        .select(['task_id'])
        .where('kind', '=', 'refund')
        .execute();
      const refundCount = new Map<string, number>();
      for (const { task_id: id } of refunds) if (id) refundCount.set(id, (refundCount.get(id) ?? 0) + 1);
      const failed = tasks.filter((t) => t.status === 'FAILURE');
      expect(failed.length).toBeGreaterThan(accepted.length / 10);
      for (const task of tasks) {
        const expected = task.status === 'FAILURE' && task.quota > 0 ? 1 : 0;
        expect(refundCount.get(task.task_id) ?? 0, `${task.task_id} ${task.status}`).toBe(expected);
      }
      // Every user's balance equals its ledger sum.
      for (const user of users) {
        const row = await store.db
          .selectFrom('users')
          .select('quota')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow();
        expect(row.quota).toBe(await ledgerBalance(store, user.id));
      }
      const codes = await Promise.all(instances.map((i) => stopInstance(i)));
      expect(codes).toEqual([0, 0, 0]);
      console.log(
        `[scale] ${backend.dialect}: ${accepted.length} accepted, ${refused} refused, ${unreachable} unreachable, ` +
          `${failed.length} failed, ${polls.length} status calls, ${handovers} hand-overs (closest ${minGap} ms apart); ` +
          `start ${ready - started} ms, drain ${drained - ready - SUBMIT_FOR_MS} ms, total ${Date.now() - started} ms`,
      );
    });
  });
}
