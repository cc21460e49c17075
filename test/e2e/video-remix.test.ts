// Remixes: they name the caller's own completed video, go to that video's channel by its upstream id, are priced
// by its length, and come back with Taskgate's ids only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`video remix [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    const completed = (id: string) => async () => (await w.task(id))?.status === 'SUCCESS';

    it('remixes my completed video on its own channel, by its upstream id, priced by its seconds', async () => {
      const origin = (await w.create({ prompt: 'a lighthouse', seconds: '8', size: '1280x720' })).body.id;
      await pollUntil(w, completed(origin));
      const originRow = (await w.task(origin))!;
      // A channel added later with a higher priority would win a fresh create, but not a remix.
      const other = await w.addChannel(w.simUrl, { name: 'preferred', priority: 100 });

      const before = await w.balance();
      const remix = await w.call('POST', `/v1/videos/${origin}/remix`, { prompt: 'the lighthouse at night' });
      expect(remix.status, remix.text).toBe(200);
      const id = remix.body.id as string;
      expect(id).toMatch(/^task_/);
      expect(id).not.toBe(origin);
      expect(remix.body).toMatchObject({ task_id: id, remixed_from_video_id: origin, status: 'queued' });
      expect(remix.text).not.toContain(originRow.upstream_id);

      const row = (await w.task(id))!;
      expect(row).toMatchObject({
        channel_id: originRow.channel_id,
        parent_task_id: origin,
        action: 'remixGenerate',
        model: 'sora-2',
        quota: quotaFor(0.1, 1, 8),
      });
      expect(JSON.parse(row.properties)).toMatchObject({
        prompt: 'the lighthouse at night',
        seconds: '8',
        remix_of: origin,
      });
      expect(await w.balance()).toMatchObject({ quota: before.quota - quotaFor(0.1, 1, 8) });
      const sent = w.createsSeen().at(-1)!;
      expect(sent.url).toBe(`/v1/videos/${originRow.upstream_id}/remix`);
      expect(sent.body).toEqual({ prompt: 'the lighthouse at night' });

      await pollUntil(w, completed(id));
      const done = await w.call('GET', `/v1/videos/${id}`);
      expect(done.body).toMatchObject({
        id,
        status: 'completed',
        seconds: '8',
        size: '1280x720',
        remixed_from_video_id: origin,
      });
      expect(done.text).not.toMatch(/video_[0-9a-f]{16}/);
      const content = await fetch(`${w.t.url}/v1/videos/${id}/content`, {
        headers: { authorization: `Bearer ${w.key}`, range: 'bytes=0-15' },
      });
      expect(content.status).toBe(206);
      await content.arrayBuffer();
      await w.t.request('DELETE', `/api/channel/${other}`, { as: w.t.root });
    });

    it("refuses another user's video, an unknown id, an unfinished video and a missing prompt, charging nothing", async () => {
      const running = (await w.create({ prompt: 'still rendering sim:hang' })).body.id;
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      const strangerKey = (await w.t.createKey(stranger)).key;
      const theirs = (await w.create({ prompt: 'not yours' }, strangerKey)).body.id;
      await pollUntil(w, completed(theirs));
      const before = await w.balance();
      const calls = w.createsSeen().length;

      const foreign = await w.call('POST', `/v1/videos/${theirs}/remix`, { prompt: 'steal it' });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error).toMatchObject({ code: 'task_not_found', type: 'invalid_request_error' });
      const unknown = await w.call('POST', '/v1/videos/task_doesnotexist/remix', { prompt: 'x' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(foreign.body);
      const unfinished = await w.call('POST', `/v1/videos/${running}/remix`, { prompt: 'too early' });
      expect(unfinished.status).toBe(400);
      expect(unfinished.body.error.message).toContain('not completed');
      const noPrompt = await w.call('POST', `/v1/videos/${theirs}/remix`, {});
      expect(noPrompt.status).toBe(400);

      expect(w.createsSeen()).toHaveLength(calls);
      expect(await w.balance()).toEqual(before);
    });

    it('an upstream refusal of a remix is answered and charges nothing', async () => {
      const origin = (await w.create({ prompt: 'fine' })).body.id;
      await pollUntil(w, completed(origin));
      const before = await w.balance();
      const refused = await w.call('POST', `/v1/videos/${origin}/remix`, {
        prompt: 'now refuse sim:fault=400',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('moderation_blocked');
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
    });
  });
}
