// GET /v1/videos/{id}/content when the upstream will not give the file: a refusal about the video (404 expired or
// deleted, 429) reaches the client with its status and a clear OpenAI error; a failure of the channel (its key
// refused, 5xx, a dead connection) stays a 502, as it is Taskgate's channel, not the client's request, at fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../support/app.js';
import { backends } from '../support/databases.js';
import { pollUntil, SIM_KEY, startVideoWorld, type VideoWorld } from '../support/video-world.js';

for (const backend of backends().filter((b) => b.dialect === 'sqlite')) {
  describe.skipIf(!backend.available)(`video content refusals [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    /** A completed video made with `prompt` (directives in it shape its content downloads). */
    async function completedVideo(prompt: string): Promise<string> {
      const created = await w.create({ prompt });
      expect(created.status, created.text).toBe(200);
      const id = created.body.id as string;
      await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
      return id;
    }

    function expectOpenAiError(answer: Response, status: number, code: string, message: RegExp) {
      expect(answer.status, answer.text).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({
        error: { message: expect.stringMatching(message), type: expect.any(String), param: null, code },
      });
      expect(answer.text).not.toContain(SIM_KEY);
      expect(answer.text).not.toMatch(/video_[0-9a-f]{20}/);
    }

    it('content the upstream let expire is a 404 saying so, not a 502', async () => {
      const id = await completedVideo('a fox');
      expect((await w.call('GET', `/v1/videos/${id}/content`)).status).toBe(200);
      w.render(3_700_000);
      const answer = await w.call('GET', `/v1/videos/${id}/content?variant=thumbnail`);
      expectOpenAiError(answer, 404, 'video_expired', /expired/);
      expect(answer.body.error.type).toBe('invalid_request_error');
    });

    it('a video the upstream no longer knows is a 404 naming Taskgate’s id, never the upstream’s', async () => {
      const id = await completedVideo('a hare');
      const row = (await w.task(id))!;
      // Deleted at the upstream (by its owner's account, outside Taskgate).
      const deleted = await fetch(`${w.simUrl}/v1/videos/${row.upstream_id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${SIM_KEY}` },
      });
      expect(deleted.status).toBe(200);
      const answer = await w.call('GET', `/v1/videos/${id}/content`);
      expectOpenAiError(answer, 404, 'video_not_found', new RegExp(id));
    });

    it('a 429 on the content passes on as a 429', async () => {
      const id = await completedVideo('a lynx sim:contentfault=429');
      expectOpenAiError(await w.call('GET', `/v1/videos/${id}/content`), 429, 'rate_limit_exceeded', /.+/);
    });

    it('a 4xx without an OpenAI body (a proxy’s page) keeps its status with a plain message', async () => {
      const id = await completedVideo('a stoat');
      const row = (await w.task(id))!;
      await fetch(`${w.simUrl}/__sim/video/knobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ faults: { content: { kind: 'html', status: 410 } } }),
      });
      try {
        const answer = await w.call('GET', `/v1/videos/${id}/content`);
        expectOpenAiError(answer, 410, 'content_refused', /410/);
        expect(answer.text).not.toContain('nginx');
        expect(answer.text).not.toContain(row.upstream_id);
      } finally {
        await fetch(`${w.simUrl}/__sim/video/knobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ faults: { content: null } }),
        });
      }
    });

    it.each([
      ['a 5xx', 'sim:contentfault=503'],
      ['an HTML 502 page', 'sim:contentfault=html'],
      ['a reset connection', 'sim:contentfault=reset'],
    ])('%s stays a 502', async (_name, directive) => {
      const id = await completedVideo(`an owl ${directive}`);
      expectOpenAiError(await w.call('GET', `/v1/videos/${id}/content`), 502, 'service_unavailable', /.+/);
    });

    it("the channel's key refused (401) is a 502, not the client's 401", async () => {
      const id = await completedVideo('a wren');
      w.sim.state.setKnobs({ apiKey: 'sk-rotated' });
      try {
        const answer = await w.call('GET', `/v1/videos/${id}/content`);
        expectOpenAiError(answer, 502, 'service_unavailable', /401/);
      } finally {
        w.sim.state.setKnobs({ apiKey: SIM_KEY });
      }
    });
  });
}
