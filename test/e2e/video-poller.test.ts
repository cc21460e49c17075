// The poller against a misbehaving video upstream: per-task polls run concurrently (no serial one-second sleeps as
// in new-api), and hostile answers (5xx, 429, HTML, junk, hangs) never fail a task nor stop the others.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`video poller [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect, { poller: { pollTimeoutMs: 400 } });
    });
    afterAll(async () => w?.close());
    afterEach(() => w.sim.state.setKnobs({ faults: { fetch: null }, statusSynonyms: false }));

    it.each([
      ['a 500', '500'],
      ['a 503', '503'],
      ['a 429', '429'],
      ['a 429 with code "429"', '429code'],
      ['an HTML error page', 'html'],
      ['truncated JSON', 'truncated'],
      ['an empty 200', 'empty'],
      ['a hung connection', 'hang'],
      ['a reset connection', 'reset'],
    ])('%s for one video changes nothing there, and the other video moves on', async (_name, fault) => {
      const faulty = (await w.create({ prompt: `troubled sim:pollfault=${fault}@2` })).body.id;
      const healthy = (await w.create({ prompt: 'fine' })).body.id;
      const before = (await w.task(faulty))!;
      for (let round = 0; round < 2; round++) {
        w.render(20_000);
        await w.pollRound();
        const now = (await w.task(faulty))!;
        expect(now).toMatchObject({ status: before.status, version: before.version, vanished_since: 0 });
      }
      expect((await w.task(healthy))!.status).toBe('IN_PROGRESS');
      // Once the upstream answers again, the troubled video is followed to the end like any other.
      await pollUntil(w, async () => (await w.task(faulty))?.status === 'SUCCESS');
      await pollUntil(w, async () => (await w.task(healthy))?.status === 'SUCCESS');
      expect((await w.task(faulty))!.refunded).toBe(0);
    });

    it.each([
      [
        'an OpenAI error body with HTTP 200',
        { kind: 'json', status: 200, body: { error: { message: 'x', code: 'server_error' } } },
      ],
      ['an HTML 404 (a proxy, not OpenAI)', { kind: 'html', status: 404 }],
      ['a JSON array', { kind: 'json', status: 200, body: [1, 2] }],
      ['another video', { kind: 'json', status: 200, body: { id: 'video_other', status: 'failed' } }],
      ['an unknown status', { kind: 'json', status: 200, body: { status: 'exploded', progress: 'lots' } }],
    ])('%s for every poll is no news: nothing is written, nothing vanishes', async (_name, fault) => {
      const id = (await w.create({ prompt: 'patient' })).body.id;
      const before = (await w.task(id))!;
      w.sim.state.setKnobs({ faults: { fetch: { ...fault, count: 3 } } });
      for (let round = 0; round < 3; round++) {
        w.render(20_000);
        await w.pollRound(70_000);
      }
      expect(await w.task(id)).toMatchObject({
        status: before.status,
        version: before.version,
        vanished_since: 0,
      });
      await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
    });

    it("vendors' status words (pending, processing, succeeded) are understood", async () => {
      w.sim.state.setKnobs({ statusSynonyms: true });
      const id = (await w.create({ prompt: 'vendor words' })).body.id;
      expect((await w.task(id))!.status).toBe('QUEUED');
      w.render(25_000);
      await w.pollRound();
      expect((await w.task(id))!.status).toBe('IN_PROGRESS');
      await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
      const view = await w.call('GET', `/v1/videos/${id}`);
      expect(view.body).toMatchObject({ status: 'completed', progress: 100 });
    });

    it("vendors' cancelled is a failure, refunded", async () => {
      w.sim.state.setKnobs({ statusSynonyms: true });
      const id = (await w.create({ prompt: 'cancel me sim:fail@0 sim:noerror' })).body.id;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      expect(await w.task(id)).toMatchObject({
        refunded: 1,
        fail_reason: 'the upstream cancelled the video',
      });
    });

    it('polls 50 videos of one channel concurrently, far faster than one after another', async () => {
      // Finish what earlier tests left running, so the round below holds exactly the 50 new videos.
      await w.pollRound(25 * 60 * 60_000);
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push((await w.create({ prompt: `crowd ${i}` })).body.id);
      const delayMs = 200;
      w.sim.state.setKnobs({ faults: { fetch: { kind: 'slow', delayMs } } });
      w.sim.state.calls.clear();
      w.t.clock.advance(16_000);
      const started = performance.now();
      const stats = await w.t.ctx.engine.poller.runOnce();
      const elapsed = performance.now() - started;
      expect(stats.claimed).toBe(50);
      expect(stats.calls).toBe(50);
      expect(w.sim.state.calls.callsOf('GET /v1/videos/:id')).toBe(50);
      expect(w.sim.state.calls.maxInFlight).toBeGreaterThan(1);
      expect(w.sim.state.calls.maxInFlight).toBeLessThanOrEqual(16);
      // One after another would take 50 × 200 ms = 10 s.
      expect(elapsed).toBeLessThan((50 * delayMs) / 4);
      const rows = await Promise.all(ids.map((id) => w.task(id)));
      expect(rows.every((r) => r?.status === 'QUEUED')).toBe(true);
    });
  });
}
