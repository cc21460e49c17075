// /metrics after a real run: submits that succeed on two platforms, one refused and one failing task (both
// refunded), a poll round where one channel answers 503, and a round held open by a hanging channel. Every
// operator metric must show the values the database and the simulators say happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';
import { backends } from '../support/databases.js';
import { type MjWorld, SIM_SECRET, startMjWorld } from '../support/mj-world.js';

/** The value of one sample of the Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`/metrics after a real run [${backend.dialect}]`, () => {
    let w: MjWorld;
    let healthy: MidjourneySimulator;
    let suno: SunoSimulator;
    let faulty: number;
    let good: number;
    let sunoChannel: number;
    const metrics = async () => (await w.t.request('GET', '/metrics')).text;
    /** Quota the ledger gave back on one platform's tasks. */
    const refundedQuota = async (platform: string) => {
      const row = await w.t.ctx.store.db
        .selectFrom('ledger')
        .innerJoin('tasks', 'tasks.task_id', 'ledger.task_id')
        .select((eb) => eb.fn.sum<number>('ledger.quota').as('quota'))
        .where('ledger.kind', '=', 'refund')
        .where('tasks.platform', '=', platform)
        .executeTakeFirst();
      return Number(row?.quota ?? 0);
    };

    beforeAll(async () => {
      // The world's own channel and simulator become the faulty one; a second midjourney-proxy is healthy.
      w = await startMjWorld(backend.dialect);
      faulty = w.channelId;
      healthy = createMidjourneySimulator({ apiSecret: SIM_SECRET, mode: 'P' });
      suno = createSunoSimulator({ secretToken: 'suno-secret', lyricsDelayMs: 10 });
      for (const prompt of ['on the faulty one 1', 'on the faulty one 2']) {
        expect((await w.submit('/mj/submit/imagine', { prompt })).body.code).toBe(1);
      }
      // A higher priority tier takes every later midjourney submit.
      good = await w.addChannel(await healthy.listen(), { priority: 10 });
      sunoChannel = await w.addChannel(await suno.listen(), {
        type: 'suno',
        name: 'suno',
        key: 'suno-secret',
      });
      for (const prompt of ['a fine cat', 'a fine dog', 'doomed sim:fail@0']) {
        expect((await w.submit('/mj/submit/imagine', { prompt })).body.code).toBe(1);
      }
      // Refused by the upstream (banned prompt): failed and refunded at once.
      expect((await w.submit('/mj/submit/imagine', { prompt: 'no sim:reject=24' })).body.code).toBe(24);
      const song = await w.t.request('POST', '/suno/submit/music', {
        headers: { authorization: `Bearer ${w.key}` },
        body: { prompt: '[Verse]\nrain', tags: 'pop', title: 'Rain', mv: 'chirp-v3-5' },
      });
      expect(song.status).toBe(200);
      w.sim.state.setKnobs({ faults: { listByCondition: '503' } });
    });

    afterAll(async () => {
      await w?.close();
      await healthy?.close();
      await suno?.close();
    });

    it('counts submits by platform, action and outcome, and the quota charged by platform', async () => {
      const text = await metrics();
      const mj = { platform: 'midjourney', action: 'IMAGINE' };
      expect(sample(text, 'taskgate_submits_total', { ...mj, outcome: 'accepted' })).toBe(5);
      expect(sample(text, 'taskgate_submits_total', { ...mj, outcome: 'refused' })).toBe(1);
      expect(sample(text, 'taskgate_submits_total', { platform: 'suno', outcome: 'accepted' })).toBe(1);
      // Charged = the quota of the accepted tasks, per platform.
      const accepted = await w.t.ctx.store.db
        .selectFrom('tasks')
        .select(['platform', (eb) => eb.fn.sum<number>('quota').as('quota')])
        .where('upstream_id', '!=', '')
        .groupBy('platform')
        .execute();
      expect(accepted).toHaveLength(2);
      for (const { platform, quota } of accepted) {
        expect(Number(quota)).toBeGreaterThan(0);
        expect(sample(text, 'taskgate_charged_quota_total', { platform })).toBe(Number(quota));
      }
      // The refused submit was refunded at once: one refund, of the quota it had been charged.
      expect(sample(text, 'taskgate_refunds_total', { platform: 'midjourney' })).toBe(1);
      expect(sample(text, 'taskgate_refunded_quota_total', { platform: 'midjourney' })).toBe(
        await refundedQuota('midjourney'),
      );
    });

    it('a poll round: lag of the oldest due task, latency by channel, the 503 channel counted as errors', async () => {
      // Every task's first poll was due 3 s after its submit (the clock stood still); 16 s later it is 13 s late.
      healthy.state.clock.advance(5_000);
      const stats = await w.pollRound(16_000);
      expect(stats.claimed).toBe(6);
      const text = await metrics();
      expect(sample(text, 'taskgate_poll_lag_seconds')).toBe(13);
      const poll = (channel: number) => ({ channel: String(channel), operation: 'poll' });
      expect(sample(text, 'taskgate_upstream_errors_total', { ...poll(faulty), kind: 'status' })).toBe(1);
      expect(sample(text, 'taskgate_upstream_errors_total', poll(good))).toBeUndefined();
      expect(sample(text, 'taskgate_upstream_errors_total', poll(sunoChannel))).toBeUndefined();
      // One list-by-condition call per midjourney channel, one fetch per Suno task.
      for (const channel of [faulty, good, sunoChannel])
        expect(sample(text, 'taskgate_upstream_latency_seconds_count', poll(channel))).toBe(1);
      const submits = { channel: String(good), operation: 'submit' };
      expect(sample(text, 'taskgate_upstream_latency_seconds_count', submits)).toBe(4);
      // The task failing upstream was refunded by the round: two midjourney refunds now.
      expect(sample(text, 'taskgate_refunds_total', { platform: 'midjourney' })).toBe(2);
      const quota = await refundedQuota('midjourney');
      expect(quota).toBeGreaterThan(0);
      expect(sample(text, 'taskgate_refunded_quota_total', { platform: 'midjourney' })).toBe(quota);
      expect(sample(text, 'taskgate_leases_held')).toBe(0);
    });

    it('leases held while a round waits on a hanging channel, lowered as the other batches finish, none once done', async () => {
      w.sim.state.setKnobs({ faults: { listByCondition: 'hang' } });
      const unfinished = (channel?: number) => {
        let query = w.t.ctx.store.db
          .selectFrom('tasks')
          .innerJoin('task_polls', 'task_polls.id', 'tasks.id')
          .select((eb) => eb.fn.countAll<number>().as('n'));
        if (channel !== undefined) query = query.where('channel_id', '=', channel);
        return query.executeTakeFirstOrThrow().then((row) => Number(row.n));
      };
      const due = await unfinished();
      const onFaulty = await unfinished(faulty);
      expect(onFaulty).toBeGreaterThan(0);
      expect(due).toBeGreaterThan(onFaulty);
      const round = w.pollRound(61_000);
      let held: number | undefined;
      // The hanging call keeps the round open until the poll timeout (2 s): the other channels' batches finish
      // meanwhile, and then only the faulty channel's leases are held.
      for (let i = 0; i < 200 && held !== onFaulty; i++) {
        held = sample(await metrics(), 'taskgate_leases_held');
        if (held !== onFaulty) await new Promise((r) => setTimeout(r, 5));
      }
      const stats = await round;
      expect(held).toBe(onFaulty);
      expect(stats.claimed).toBe(due);
      const text = await metrics();
      expect(sample(text, 'taskgate_leases_held')).toBe(0);
      expect(
        sample(text, 'taskgate_upstream_errors_total', {
          channel: String(faulty),
          operation: 'poll',
          kind: 'timeout',
        }),
      ).toBe(1);
      w.sim.state.setKnobs({ faults: { listByCondition: null } });
    });
  });
}
