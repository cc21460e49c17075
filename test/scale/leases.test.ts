// Leases under contention inside one database: renewal keeps a slow round's tasks away from a second instance,
// singleton jobs run on one instance at a time, and a stopping instance hands its tasks over at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { Engine } from '../../src/engine/engine.js';
import type { PollerSettings } from '../../src/engine/poller-settings.js';
import { SingletonJobs } from '../../src/engine/singleton.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import { Options } from '../../src/services/options.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { createChannel, newChannelValues } from '../../src/store/channels.js';
import { openStore, type Store } from '../../src/store/db.js';
import { jobLease } from '../../src/store/job-leases.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';

const SECRET = 'scale-sim-secret';
const errors: unknown[] = [];
const silent = { info() {}, warn() {}, error: (o: unknown) => void errors.push(o) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_MS = 300;
const POLLER: Partial<PollerSettings> = {
  pollTimeoutMs: 5_000,
  schedule: { leaseMs: LEASE_MS, steps: [], slowestMs: LEASE_MS },
};

// Several instances share PostgreSQL or MySQL/MariaDB; two SQLite connections in one event loop would block
// each other synchronously (busy_timeout), which says nothing about scale-out.
for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`leases between instances [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let stores: Store[];
    let engines: Engine[];
    let sim: MidjourneySimulator;
    let channelId: number;

    beforeAll(async () => {
      database = await createTestDatabase(backend.dialect);
      // Two pools on one database: two instances as far as the database can tell.
      stores = [openStore(database.target, 4), openStore(database.target, 4)];
      await migrateToLatest(stores[0]);
      sim = createMidjourneySimulator({ apiSecret: SECRET, mode: 'P' });
      const simUrl = await sim.listen();
      const now = Date.now();
      channelId = await createChannel(
        stores[0],
        newChannelValues({
          type: 'midjourney-plus',
          name: 'sim',
          base_url: simUrl,
          key: SECRET,
          auto_ban: 0,
        }),
        now,
      );
      engines = [];
      for (const [i, store] of stores.entries()) {
        const options = new Options(store);
        await options.refresh();
        engines.push(
          new Engine({
            store,
            clock: systemClock,
            options,
            metrics: createMetrics(false),
            log: silent,
            instanceId: `inst-${i}`,
            poller: POLLER,
            jobIntervalMs: 60_000,
          }),
        );
      }
    });
    afterAll(async () => {
      for (const engine of engines ?? []) await engine.close();
      for (const store of stores ?? []) await store.close();
      await sim?.close();
      await database?.drop();
    });

    async function dueTask(name: string): Promise<{ id: number; upstreamId: string }> {
      const submitted = await fetch(`${sim.state.baseUrl}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mj-api-secret': SECRET },
        body: JSON.stringify({ prompt: `${name} sim:hang` }),
      });
      const upstreamId = ((await submitted.json()) as { result: string }).result;
      const now = Date.now();
      await stores[0].db
        .insertInto('tasks')
        .values(
          taskValues(
            {
              task_id: name,
              platform: 'midjourney',
              action: 'IMAGINE',
              user_id: 1,
              submit_time: now,
              channel_id: channelId,
              upstream_id: upstreamId,
            },
            now,
          ),
        )
        .execute();
      const row = await stores[0].db
        .selectFrom('tasks')
        .select('id')
        .where('task_id', '=', name)
        .executeTakeFirstOrThrow();
      await schedulePoll(stores[0], row.id, now);
      return { id: row.id, upstreamId };
    }

    it('renews the leases of a slow round: the other instance never polls a task the first still holds', async () => {
      const { upstreamId } = await dueTask('slow-1');
      // Every status call takes five leases' time.
      sim.state.setKnobs({ faults: { listByCondition: `slow-${LEASE_MS * 5}` } });
      const [a, b] = engines;
      const roundA = a.poller.runOnce();
      let aDone = false;
      void roundA.finally(() => (aDone = true));
      while (sim.state.counters.pollsOf(upstreamId, 'inst-0') === 0) await sleep(5);
      let bClaimed = 0;
      while (!aDone) {
        bClaimed += (await b.poller.runOnce()).claimed;
        await sleep(25);
      }
      expect((await roundA).claimed).toBe(1);
      expect(bClaimed).toBe(0);
      expect(sim.state.counters.pollsOf(upstreamId, 'inst-0')).toBe(1);
      expect(sim.state.counters.pollsOf(upstreamId, 'inst-1')).toBe(0);
      // Once the round is over and the lease has run out, the other instance may poll it.
      sim.state.setKnobs({ faults: { listByCondition: null } });
      await sleep(LEASE_MS + 50);
      expect((await b.poller.runOnce()).claimed).toBe(1);
      expect(sim.state.counters.pollsOf(upstreamId, 'inst-1')).toBe(1);
    });

    it('releases the unfinished round at stop, so another instance polls it at once', async () => {
      const { id, upstreamId } = await dueTask('stop-1');
      await sleep(LEASE_MS + 50); // the previous test's task is due again too; let either be claimed
      sim.state.setKnobs({ faults: { listByCondition: 'hang' } });
      const [a, b] = engines;
      const roundA = a.poller.runOnce();
      while (sim.state.counters.pollsOf(upstreamId, 'inst-0') === 0) await sleep(10);
      expect(await a.poller.stop(100)).toBeGreaterThanOrEqual(1);
      const released = await stores[1].db
        .selectFrom('task_polls')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(released.lease_owner).toBeNull();
      sim.state.setKnobs({ faults: { listByCondition: null } });
      expect((await b.poller.runOnce()).claimed).toBeGreaterThanOrEqual(1);
      expect(sim.state.counters.pollsOf(upstreamId, 'inst-1')).toBe(1);
      await sim.close(); // ends the hung call; its late writes fail their fence
      await roundA;
      const after = await stores[1].db
        .selectFrom('task_polls')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(after.lease_owner).toMatch(/^inst-1:/);
    });

    it('runs each singleton job on one instance at a time, and hands it over when that one stops', async () => {
      const now = Date.now();
      const orphanId = await insertTask(
        stores[0],
        taskValues(
          {
            task_id: 'orphan-1',
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: 1,
            submit_time: now,
            channel_id: 987_654,
            upstream_id: 'x',
          },
          now,
        ),
      );
      await schedulePoll(stores[0], orphanId, now + 3_600_000);
      const [a, b] = engines;
      const first = await Promise.all([a.jobs.runOnce(), b.jobs.runOnce()]);
      expect(errors).toEqual([]);
      // Each job is elected on its own: one instance may hold one job and the other the other.
      expect(first.flat().sort()).toEqual(['callback-resend', 'orphan-sweep', 'session-cleanup']);
      const orphan = await stores[0].db
        .selectFrom('tasks')
        .selectAll()
        .where('task_id', '=', 'orphan-1')
        .executeTakeFirstOrThrow();
      expect(orphan).toMatchObject({ status: 'FAILURE', fail_reason: 'the channel 987654 was deleted' });
      // Failed through the task writer: off the poll schedule with it.
      expect(
        await stores[0].db.selectFrom('task_polls').select('id').where('id', '=', orphanId).execute(),
      ).toEqual([]);
      for (let i = 0; i < 3; i++) {
        const again = await Promise.all([a.jobs.runOnce(), b.jobs.runOnce()]);
        expect(again).toEqual(first); // the holders keep their jobs
      }
      const [holder, other] = first[0].includes('orphan-sweep') ? [a, b] : [b, a];
      await holder.jobs.stop();
      expect(await other.jobs.runOnce()).toContain('orphan-sweep');
      expect((await jobLease(stores[0], 'orphan-sweep'))?.owner).toBe(other.jobs.owner);
    });

    it('never runs one job on two instances at once, even when they race every few milliseconds', async () => {
      let running = 0;
      let overlap = 0;
      let runs = 0;
      const job = {
        name: 'probe',
        async run() {
          running++;
          if (running > 1) overlap++;
          runs++;
          await sleep(20);
          running--;
        },
      };
      const deps = (i: number) => ({
        store: stores[i],
        clock: systemClock,
        log: silent,
        instanceId: `probe-${i}`,
      });
      // A 30 ms interval gives a 90 ms lease: the holder renews it every tick while the other keeps trying.
      const runners = [new SingletonJobs(deps(0), [job], 30), new SingletonJobs(deps(1), [job], 30)];
      for (let i = 0; i < 20; i++) await Promise.all(runners.map((r) => r.runOnce()));
      expect(overlap).toBe(0);
      expect(runs).toBe(20);
      for (const r of runners) await r.stop();
    });
  });
}
