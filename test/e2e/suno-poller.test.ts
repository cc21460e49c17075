// The poller against a misbehaving Suno-API: hostile fetch answers never crash it, change no task and do not stop
// other channels; ids nobody asked for are ignored; batches keep the upstream cost flat (≤ 500 ids a call).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';
import { schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { backends } from '../support/databases.js';
import {
  pollUntil,
  SIM_SECRET,
  type SunoWorld,
  startSunoWorld,
  statusIs,
  submitted,
} from '../support/suno-world.js';
import { scheduleByPrefix } from '../support/task-polls.js';

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`suno poller [${backend.dialect}]`, () => {
    let w: SunoWorld;
    let healthy: SunoSimulator;
    let healthyChannel: number;
    let healthyUrl: string;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect, { poller: { pollTimeoutMs: 400 } });
      healthy = createSunoSimulator({ secretToken: SIM_SECRET });
      healthyUrl = await healthy.listen();
      healthyChannel = await w.addChannel(healthyUrl, { name: 'healthy', priority: -1 });
    });
    afterAll(async () => {
      await w?.close();
      await healthy?.close();
    });
    afterEach(() => w.sim.state.setKnobs({ faults: { fetch: null }, extraIds: 0 }));

    /** A running song on each channel: the faulty simulator's (the default) and the healthy one's. */
    async function songOnEach() {
      const faulty = await submitted(w, 'music', { prompt: 'on the faulty channel' });
      // The healthy channel gets a song submitted to its simulator directly and recorded as Taskgate would.
      const upstream = await fetch(`${healthyUrl}/suno/submit/music`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SIM_SECRET}` },
        body: JSON.stringify({ prompt: 'on the healthy channel' }),
      }).then((r) => r.json() as Promise<{ data: string }>);
      const other = `task_healthy${Math.random().toString(36).slice(2, 12)}`;
      const now = w.t.clock.now();
      const id = await insertTask(
        w.t.ctx.store,
        taskValues(
          {
            task_id: other,
            platform: 'suno',
            action: 'song',
            user_id: w.user.id,
            channel_id: healthyChannel,
            upstream_id: upstream.data,
            submit_time: now,
          },
          now,
        ),
      );
      await schedulePoll(w.t.ctx.store, id, now);
      return { faulty, other };
    }
    it.each([
      ['an HTML error page', { kind: 'html' }],
      ['a 200 HTML page', { kind: 'html', status: 200 }],
      ['truncated JSON', { kind: 'truncated' }],
      ['an empty 200', { kind: 'empty' }],
      ['a 503', { kind: 'status', status: 503 }],
      ['a 401 (the secret was rotated)', { kind: 'status', status: 401 }],
      ['code ≠ success', 'badcode'],
      ['a feed-v2 object where the array belongs', { kind: 'nonarray' }],
      ['data null', { kind: 'json', status: 200, body: { code: 'success', message: '', data: null } }],
      ['a bare array', { kind: 'json', status: 200, body: [] }],
      [
        'wrong types and junk elements',
        {
          kind: 'json',
          status: 200,
          body: { code: 'success', data: [{ task_id: 12, status: 7, data: 'x' }, 'junk', null, {}] },
        },
      ],
      ['a hung connection', { kind: 'hang' }],
      ['a reset connection', { kind: 'reset' }],
    ])(
      '%s from one channel changes nothing there and does not stop the other channel',
      async (_name, fault) => {
        const { faulty, other } = await songOnEach();
        const before = (await w.task(faulty))!;
        w.sim.state.setKnobs({ faults: { fetch: fault } });
        healthy.state.clock.advance(30_000);
        w.generate(30_000);
        const stats = await w.pollRound();
        expect(stats.claimed).toBeGreaterThanOrEqual(2);
        expect((await w.task(other))?.status).toBe('IN_PROGRESS');
        const after = (await w.task(faulty))!;
        expect(after).toMatchObject({
          status: before.status,
          progress: before.progress,
          data: before.data,
          vanished_since: 0,
          version: before.version,
        });
        // Once the channel behaves again, its task goes on.
        w.sim.state.setKnobs({ faults: { fetch: null } });
        await pollUntil(w, statusIs(w, faulty, 'SUCCESS'), { simMs: 20_000 });
      },
    );

    it('an unknown status changes nothing and does not count as vanished', async () => {
      const id = await submitted(w, 'music', { prompt: 'odd status' });
      const row = (await w.task(id))!;
      w.sim.state.setKnobs({
        faults: {
          fetch: {
            kind: 'json',
            status: 200,
            body: {
              code: 'success',
              message: '',
              data: [{ task_id: row.upstream_id, status: 'PAUSED', data: [] }],
            },
          },
        },
      });
      await w.pollRound();
      expect(await w.task(id)).toMatchObject({ status: row.status, vanished_since: 0, data: row.data });
    });

    it('ids nobody asked for are ignored; the asked task goes on', async () => {
      const id = await submitted(w, 'music', { prompt: 'with company sim:extra' });
      w.sim.state.setKnobs({ extraIds: 3 });
      const count = async () =>
        Number(
          (
            await w.t.ctx.store.db
              .selectFrom('tasks')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const rows = await count();
      await pollUntil(w, statusIs(w, id, 'SUCCESS'), { simMs: 20_000 });
      expect(await count()).toBe(rows);
    });

    it('asks each channel once per round for 1 and 100 songs, twice for 1,000', async () => {
      const sizes = w.sim.state.calls.fetchBatchSizes;
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
              task_id: `task_batch${count}x${i}`,
              platform: 'suno',
              action: 'song',
              user_id: w.user.id,
              channel_id: w.channelId,
              upstream_id: `${count}`.padStart(8, '0') + `${i}`.padStart(24, '0'),
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
        await scheduleByPrefix(w.t.ctx.store, `task_batch${count}x`, now);
        const already = sizes.length;
        const stats = await w.pollRound();
        expect(stats.calls, `${count} songs`).toBe(calls);
        expect(sizes.slice(already), `${count} songs`).toHaveLength(calls);
        expect(Math.max(...sizes.slice(already))).toBeLessThanOrEqual(500);
        expect(sizes.slice(already).reduce((a, b) => a + b, 0)).toBe(count);
      }
      await w.t.ctx.store.db.deleteFrom('tasks').where('task_id', 'like', 'task_batch%').execute();
    });
  });
}
