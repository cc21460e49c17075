// How the poller paces itself: a lease renewal never starts while the last one still runs (they piled up on the
// same rows and deadlocked on PostgreSQL), and a wake that comes mid-round starts the next round when it ends.
// The renewal timer is driven by hand (only setInterval is faked); the database and the simulator are real.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { renewLeases, schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { backends } from '../support/databases.js';
import { type MjWorld, ROUND_MS, SIM_SECRET, startMjWorld } from '../support/mj-world.js';
import { pollOf } from '../support/task-polls.js';

// The real statement runs; the test only sees when renewals start and can hold one back (a slow renewal).
vi.mock('../../src/store/task-leases.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/store/task-leases.js')>();
  return { ...real, renewLeases: vi.fn(real.renewLeases) };
});

const LEASE_MS = 15_000;
const TICK_MS = LEASE_MS / 3;

/** Waits (in real time) until `done`, or gives up after about 5 s; the caller asserts afterwards. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await done()); i++) await new Promise((r) => setTimeout(r, 10));
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`poller pacing [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect, {
        // An hour of idle delay: only a wake can bring the next round soon.
        poller: { pollTimeoutMs: 500, idleDelayMs: 3_600_000 },
      });
    });
    afterAll(async () => w?.close());
    afterEach(async () => {
      vi.useRealTimers();
      w.sim.state.setKnobs({ faults: { listByCondition: null } });
      await w.t.ctx.engine.poller.stop();
      await w.t.ctx.store.db.deleteFrom('task_polls').execute();
    });

    /** A running task recorded as Taskgate would, without a submit (whose delayed wake would start a round). */
    async function runningTask(): Promise<string> {
      const upstream = await fetch(`${w.simUrl}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mj-api-secret': SIM_SECRET },
        body: JSON.stringify({ prompt: 'paced' }),
      }).then((r) => r.json() as Promise<{ result: string }>);
      const now = w.t.clock.now();
      const taskId = `paced-${upstream.result}`;
      const id = await insertTask(
        w.t.ctx.store,
        taskValues(
          {
            task_id: taskId,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: w.user.id,
            channel_id: w.channelId,
            upstream_id: upstream.result,
            submit_time: now,
          },
          now,
        ),
      );
      await schedulePoll(w.t.ctx.store, id, now);
      return taskId;
    }

    it('skips renewal ticks while a slow renewal is still running, and renews again once it is done', async () => {
      const id = await runningTask();
      const real = (
        await vi.importActual<typeof import('../../src/store/task-leases.js')>(
          '../../src/store/task-leases.js',
        )
      ).renewLeases;
      let open!: () => void;
      const slow = new Promise<void>((resolve) => {
        open = resolve;
      });
      let started = 0;
      let running = 0;
      vi.mocked(renewLeases).mockImplementation(async (...args) => {
        started++;
        running++;
        try {
          await slow;
          return await real(...args);
        } finally {
          running--;
        }
      });
      // The upstream hangs, so the round (and its renewal timer) lasts until the poll timeout.
      w.sim.state.setKnobs({ faults: { listByCondition: 'hang' } });
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const round = w.pollRound();
      await until(() => vi.getTimerCount() > 0);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(TICK_MS);
      expect(started).toBe(1);
      // Three more ticks while the first renewal is held back: none of them starts another.
      vi.advanceTimersByTime(3 * TICK_MS);
      expect(started).toBe(1);
      open();
      await until(() => running === 0);
      expect(running).toBe(0);
      // The next tick renews from a later moment, which shows in the lease it writes.
      w.t.clock.advance(1_000);
      vi.advanceTimersByTime(TICK_MS);
      expect(started).toBe(2);
      await until(() => running === 0);
      const stats = await round;
      expect(stats.claimed).toBe(1);
      // The renewals really ran: the lease reaches past the claim's own.
      const poll = (await pollOf(w.t.ctx.store, id))!;
      expect(poll.lease_until).toBe(w.t.clock.now() + LEASE_MS);
      vi.mocked(renewLeases).mockImplementation(real);
    });

    it('a wake during a round starts the next round as soon as it ends, not after the idle delay', async () => {
      const id = await runningTask();
      w.sim.state.setKnobs({ faults: { listByCondition: 'hang' } });
      const poller = w.t.ctx.engine.poller;
      poller.start();
      // The first round has the task in hand and waits on the hanging upstream.
      await until(async () => (await pollOf(w.t.ctx.store, id))?.lease_owner != null);
      expect((await w.task(id))?.status).toBe('NOT_START');
      w.t.clock.advance(ROUND_MS);
      w.generate(10_000);
      w.sim.state.setKnobs({ faults: { listByCondition: null } });
      poller.wake();
      // Only a second round can bring the upstream's progress in; without the wake it would come in an hour.
      await until(async () => (await w.task(id))?.status !== 'NOT_START');
      expect((await w.task(id))?.status).not.toBe('NOT_START');
    });
  });
}
