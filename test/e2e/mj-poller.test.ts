// The poller against a misbehaving world: hostile answers never crash it nor stop other channels, batches keep
// the upstream cost flat, and push callbacks (duplicated, reordered, stale) apply through the same fenced path.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { backends } from '../support/databases.js';
import { type MjWorld, pollUntil, SIM_SECRET, startMjWorld } from '../support/mj-world.js';
import { scheduleByPrefix } from '../support/task-polls.js';

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`midjourney poller [${backend.dialect}]`, () => {
    let w: MjWorld;
    let healthy: MidjourneySimulator;
    let healthyChannel: number;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect, { poller: { pollTimeoutMs: 400 } });
      healthy = createMidjourneySimulator({ apiSecret: SIM_SECRET });
      healthyChannel = await w.addChannel(await healthy.listen(), { name: 'healthy', priority: -1 });
    });
    afterAll(async () => {
      await w?.close();
      await healthy?.close();
    });
    afterEach(() => w.sim.state.setKnobs({ faults: { listByCondition: null } }));

    /** A running task on each channel: the faulty simulator's (the default) and the healthy one's. */
    async function taskOnEach() {
      const faulty = (await w.submit('/mj/submit/imagine', { prompt: 'on the faulty channel' })).body
        .result as string;
      const row = (await w.task(faulty))!;
      const other = `${Date.now()}${Math.floor(Math.random() * 900 + 100)}`;
      // The healthy channel gets a task submitted to its simulator directly and recorded as Taskgate would.
      const upstream = await fetch(`${healthy.state.baseUrl}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mj-api-secret': SIM_SECRET },
        body: JSON.stringify({ prompt: 'on the healthy channel' }),
      }).then((r) => r.json() as Promise<{ result: string }>);
      const now = w.t.clock.now();
      const id = await insertTask(
        w.t.ctx.store,
        taskValues(
          {
            task_id: other,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: w.user.id,
            channel_id: healthyChannel,
            upstream_id: upstream.result,
            submit_time: now,
          },
          now,
        ),
      );
      await schedulePoll(w.t.ctx.store, id, now);
      return { faulty, faultyVersion: row.version, other };
    }

    it.each([
      ['an HTML error page', { kind: 'html' }],
      ['truncated JSON', { kind: 'truncated' }],
      ['an empty 200', { kind: 'empty' }],
      ['a 503', { kind: 'status', status: 503 }],
      ['an object instead of an array', { kind: 'nonarray' }],
      [
        'wrong types in the tasks',
        {
          kind: 'json',
          status: 200,
          body: [{ id: 12, status: 7, progress: {}, imageUrl: [1] }, 'junk', null],
        },
      ],
      ['a hung connection', { kind: 'hang' }],
      ['a reset connection', { kind: 'reset' }],
    ])(
      '%s from one channel changes nothing there and does not stop the other channel',
      async (_name, fault) => {
        const { faulty, other } = await taskOnEach();
        const before = (await w.task(faulty))!;
        w.sim.state.setKnobs({ faults: { listByCondition: fault } });
        healthy.state.clock.advance(10_000);
        w.generate(10_000);
        const stats = await w.pollRound();
        expect(stats.claimed).toBeGreaterThanOrEqual(2);
        expect((await w.task(other))?.status).not.toBe('NOT_START');
        const after = (await w.task(faulty))!;
        expect(after).toMatchObject({ status: before.status, progress: before.progress, vanished_since: 0 });
        // Once the channel behaves again, its task goes on.
        w.sim.state.setKnobs({ faults: { listByCondition: null } });
        await pollUntil(w, async () => (await w.task(faulty))?.status === 'SUCCESS');
      },
    );

    it('asks each channel once per round for 1 and 100 tasks, twice for 1,000', async () => {
      const sizes = w.sim.state.counters.listByConditionBatchSizes;
      for (const [count, calls] of [
        [1, 1],
        [100, 1],
        [1000, 2],
      ] as const) {
        await w.t.ctx.store.db.deleteFrom('task_polls').execute();
        const now = w.t.clock.now();
        const rows = Array.from({ length: count }, (_, i) =>
          taskValues(
            {
              task_id: `batch-${count}-${i}`,
              platform: 'midjourney',
              action: 'IMAGINE',
              user_id: w.user.id,
              channel_id: w.channelId,
              upstream_id: `${9000000000000000 + count * 10000 + i}`,
              submit_time: now,
            },
            now,
          ),
        );
        for (let i = 0; i < rows.length; i += 250)
          await w.t.ctx.store.db
            .insertInto('tasks')
            .values(rows.slice(i, i + 250))
            .execute();
        await scheduleByPrefix(w.t.ctx.store, `batch-${count}-`, now);
        const already = sizes.length;
        await w.pollRound();
        expect(sizes.slice(already), `${count} tasks`).toHaveLength(calls);
        expect(sizes.slice(already).reduce((a, b) => a + b, 0)).toBe(count);
      }
      await w.t.ctx.store.db.deleteFrom('tasks').where('task_id', 'like', 'batch-%').execute();
    });

    it('the TaskTimeoutMinutes option set on the dashboard governs: a task past it fails, refunded once', async () => {
      const setTimeoutOption = (value: string) =>
        w.t.request('PUT', '/api/option/', { as: w.t.root, body: { key: 'TaskTimeoutMinutes', value } });
      expect((await setTimeoutOption('5')).status).toBe(200);
      try {
        const id = (await w.submit('/mj/submit/imagine', { prompt: 'forever sim:hang' })).body
          .result as string;
        w.generate(10_000);
        await w.pollRound();
        expect((await w.task(id))?.status).toBe('IN_PROGRESS');
        // Six minutes after the submit: past the option's 5, far from the built-in 1440.
        await w.pollRound(6 * 60_000);
        const task = (await w.task(id))!;
        expect(task).toMatchObject({ status: 'FAILURE', refunded: 1 });
        expect(task.fail_reason).toBe('the task did not finish within 5 minutes');
        await w.pollRound();
        expect(await w.ledgerOf(id)).toEqual([
          { kind: 'charge', quota: task.quota },
          { kind: 'refund', quota: task.quota },
        ]);
      } finally {
        expect((await setTimeoutOption('1440')).status).toBe(200);
      }
    });

    it('reads a task once its status answer is in: a write made during the call is built on, not fenced out', async () => {
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'written to during the call' })).body
        .result as string;
      w.generate(10_000); // running upstream by now
      const calls = w.sim.state.counters.listByConditionBatchSizes;
      const already = calls.length;
      w.sim.state.setKnobs({ faults: { listByCondition: { kind: 'slow', delayMs: 300 } } });
      const round = w.pollRound();
      const deadline = Date.now() + 5_000;
      while (calls.length === already && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 5));
      expect(calls.length, 'the round asked the upstream').toBeGreaterThan(already);
      // Claimed, its call in flight: another writer (a push callback, say) moves the task meanwhile.
      const claimed = (await w.task(id))!;
      expect(claimed.status).toBe('NOT_START');
      const pushed = await w.t.ctx.engine.writer.commit(
        claimed,
        { progress: '1%', updated_at: w.t.clock.now() },
        { version: claimed.version },
      );
      expect(pushed?.version).toBe(claimed.version + 1);
      await round;
      // The answer is applied to the row as it is now; read at the claim, its fence would have lost the write.
      const after = (await w.task(id))!;
      expect(after.status).toBe('IN_PROGRESS');
      expect(after.progress).not.toBe('1%');
      expect(after.version).toBe(claimed.version + 2);
    });

    it('leaves a task whose answer did not change unread and unwritten, and reads it again once it changes', async () => {
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'settled between rounds' })).body
        .result as string;
      w.generate(10_000);
      await w.pollRound();
      const polled = (await w.task(id))!;
      expect(polled).toMatchObject({ status: 'IN_PROGRESS' });
      expect(polled.poll_digest).toMatch(new RegExp(`^${polled.version}:`));
      // Marked behind the writer's back (no version bump): only a round that reads and plans the row would undo it.
      const mark = 'not what the upstream says';
      const table = w.t.ctx.store.db.updateTable('tasks').where('task_id', '=', id);
      await table.set({ prompt_en: mark }).execute();
      await w.pollRound();
      expect(await w.task(id)).toMatchObject({ prompt_en: mark, version: polled.version });
      // The upstream moves on: the row is read, planned and written as ever.
      w.generate(20_000);
      await w.pollRound();
      const moved = (await w.task(id))!;
      expect(moved.version).toBeGreaterThan(polled.version);
      expect(moved.prompt_en).not.toBe(mark);
      expect(moved.poll_digest).toMatch(new RegExp(`^${moved.version}:`));
    });

    it('reads a task back from vanishing though its answer is the one it was written from', async () => {
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'vanishes for a round' })).body
        .result as string;
      w.generate(10_000);
      await w.pollRound();
      const polled = (await w.task(id))!;
      expect(polled.status).toBe('IN_PROGRESS');
      // One answer leaves every task out; the next one is the first again.
      w.sim.state.setKnobs({ faults: { listByCondition: { kind: 'json', status: 200, body: [] } } });
      await w.pollRound();
      expect((await w.task(id))!.vanished_since).toBeGreaterThan(0);
      w.sim.state.setKnobs({ faults: { listByCondition: null } });
      await w.pollRound();
      // The vanishing write moved the version past the digest's: the row was planned again, and the task is back.
      const back = (await w.task(id))!;
      expect(back).toMatchObject({ status: 'IN_PROGRESS', vanished_since: 0 });
      expect(back.version).toBe(polled.version + 2);
    });
  });

  describe.skipIf(!backend.available)(`midjourney push callbacks [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect, { channel: { push: true } });
    });
    afterAll(async () => w?.close());

    const pushUrl = async () => {
      const channel = await w.t.ctx.store.db
        .selectFrom('channels')
        .selectAll()
        .where('id', '=', w.channelId)
        .executeTakeFirstOrThrow();
      return `/mj/notify/${channel.id}/${channel.push_secret}`;
    };

    it('sends its own notify URL upstream (never the client’s) and applies callbacks without polling', async () => {
      const id = (
        await w.submit('/mj/submit/imagine', { prompt: 'pushed', notifyHook: 'https://client.example/hook' })
      ).body.result as string;
      const sent = w.sim.state.counters.requests.filter((r) => r.url === '/mj/submit/imagine').at(-1)!
        .body as { notifyHook: string };
      expect(sent.notifyHook).toBe(`${w.t.url}${await pushUrl()}`);
      w.sim.state.setKnobs({ notifyDuplicate: true, notifyReorder: true });
      for (let i = 0; i < 12 && (await w.task(id))?.status !== 'SUCCESS'; i++) {
        w.generate(3_000);
        await w.sim.state.notifier.flush();
      }
      expect(await w.task(id)).toMatchObject({ status: 'SUCCESS', progress: '100%' });
      // The upstream echoes the notifyHook it was given; the channel's push secret must not reach the client.
      const channel = await w.t.ctx.store.db
        .selectFrom('channels')
        .selectAll()
        .where('id', '=', w.channelId)
        .executeTakeFirstOrThrow();
      const fetched = await w.fetchTask(id);
      expect(fetched.text).not.toContain(channel.push_secret);
      expect((await w.t.request('GET', '/api/mj/self', { as: w.user })).text).not.toContain(
        channel.push_secret,
      );
    });

    it('ignores stale, duplicate and out-of-order callbacks, and refuses a wrong secret', async () => {
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'ordered' })).body.result as string;
      const row = (await w.task(id))!;
      const url = await pushUrl();
      const send = (status: string, progress: string, extra = {}) =>
        w.t.request('POST', url, {
          body: { id: row.upstream_id, action: 'IMAGINE', status, progress, ...extra },
        });
      expect((await send('IN_PROGRESS', '62%')).body).toMatchObject({ code: 1, description: 'applied' });
      expect((await send('IN_PROGRESS', '31%')).body.description).toBe('unchanged');
      expect((await send('SUBMITTED', '0%')).body.description).toBe('unchanged');
      expect(await w.task(id)).toMatchObject({ status: 'IN_PROGRESS', progress: '62%' });
      expect(
        (
          await send('SUCCESS', '100%', {
            imageUrl: 'https://cdn.example/x.png',
            finishTime: w.t.clock.now(),
          })
        ).body.description,
      ).toBe('applied');
      expect((await send('SUCCESS', '100%')).body.description).toBe('unchanged');
      expect((await send('FAILURE', '', { failReason: 'late' })).body.description).toBe('unchanged');
      expect(await w.task(id)).toMatchObject({ status: 'SUCCESS', refunded: 0, fail_reason: '' });
      const wrong = await w.t.request('POST', url.replace(/[^/]+$/, 'not-the-secret'), {
        body: { id: row.upstream_id, status: 'FAILURE' },
      });
      expect(wrong.status).toBe(404);
    });
  });
}
