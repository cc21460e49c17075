// OpenAI-style video end to end over real HTTP: create through Taskgate (JSON and multipart), the simulator renders,
// the poller follows, the content streams (Range too), and money moves exactly as the ledger says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

/** sora-2 costs 0.1 per second. */
const perSecond = (seconds: number) => quotaFor(0.1, 1, seconds);
// A tiny PNG header is enough: the simulator checks the type and counts the bytes.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(300, 7),
]);

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`video lifecycle [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    const completed = (id: string) => async () => (await w.task(id))?.status === 'SUCCESS';

    it('JSON create: a task_ id, charged per second, followed to completed; the content streams with Range', async () => {
      const before = await w.balance();
      const created = await w.create({ prompt: 'a red fox in snow', model: 'sora-2', seconds: '4' });
      expect(created.status, created.text).toBe(200);
      const id = created.body.id as string;
      expect(id).toMatch(/^task_[A-Za-z0-9]{32}$/);
      expect(created.body).toMatchObject({ task_id: id, object: 'video', model: 'sora-2', status: 'queued' });
      expect(created.text).not.toMatch(/video_[0-9a-f]{20}/);
      const row = (await w.task(id))!;
      expect(row.upstream_id).toMatch(/^video_[0-9a-f]+$/);
      expect(row).toMatchObject({ quota: perSecond(4), status: 'QUEUED', action: 'textGenerate' });
      expect(await w.balance()).toMatchObject({
        quota: before.quota - perSecond(4),
        keyRemain: before.keyRemain - perSecond(4),
      });
      // The upstream was asked with the channel's key, for the model and the length that were charged.
      const sent = w.createsSeen().at(-1)!;
      expect(sent.headers.authorization).toBe(`Bearer ${w.sim.state.knobs.apiKey}`);
      expect(sent.body).toEqual({ prompt: 'a red fox in snow', model: 'sora-2', seconds: '4' });

      const early = await w.call('GET', `/v1/videos/${id}/content`);
      expect(early.status).toBe(400);
      expect(early.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request' });

      w.render(20_000);
      await w.pollRound();
      const running = await w.call('GET', `/v1/videos/${id}`);
      expect(running.body).toMatchObject({ id, status: 'in_progress' });
      expect(running.body.progress).toBeGreaterThan(0);

      await pollUntil(w, completed(id));
      const done = await w.call('GET', `/v1/videos/${id}`);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        id,
        object: 'video',
        status: 'completed',
        progress: 100,
        seconds: '4',
        size: '720x1280',
        prompt: 'a red fox in snow',
        error: null,
        remixed_from_video_id: null,
      });
      expect(done.body.completed_at).toEqual(expect.any(Number));
      expect(done.body.content_url).toMatch(new RegExp(`^${w.t.url}/task/media/${id}/video\\?exp=\\d+&sig=`));
      expect(done.text).not.toContain(row.upstream_id);

      const content = await fetch(`${w.t.url}/v1/videos/${id}/content`, {
        headers: { authorization: `Bearer ${w.key}` },
      });
      expect(content.status).toBe(200);
      expect(content.headers.get('content-type')).toBe('video/mp4');
      const bytes = new Uint8Array(await content.arrayBuffer());
      expect(bytes.length).toBeGreaterThan(100);
      expect(Buffer.from(bytes.slice(4, 8)).toString('latin1')).toBe('ftyp');

      const part = await fetch(`${w.t.url}/v1/videos/${id}/content?variant=video`, {
        headers: { authorization: `Bearer ${w.key}`, range: 'bytes=0-99' },
      });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 0-99/${bytes.length}`);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(0, 100));

      const thumbnail = await fetch(`${w.t.url}/v1/videos/${id}/content?variant=thumbnail`, {
        headers: { authorization: `Bearer ${w.key}` },
      });
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/webp');
      await thumbnail.arrayBuffer();

      // The signed link works as a plain <video src>: no headers, Range passed on.
      const signed = await fetch(done.body.content_url, { headers: { range: 'bytes=10-19' } });
      expect(signed.status).toBe(206);
      expect(new Uint8Array(await signed.arrayBuffer())).toEqual(bytes.slice(10, 20));

      const after = await w.balance();
      expect(after.quota).toBe(before.quota - perSecond(4));
      expect(after.ledger).toBe(after.quota);
      expect(await w.ledgerOf(id)).toEqual([{ kind: 'charge', quota: perSecond(4) }]);
    });

    it('the task center lists the video with its input as properties and the upstream object as data, links signed', async () => {
      const id = (await w.create({ prompt: 'a listed lighthouse', seconds: 8, size: '1280x720' })).body.id;
      await pollUntil(w, completed(id));
      const listing = await w.t.request('GET', `/api/task/self?task_id=${id}`, { as: w.user });
      expect(listing.status, listing.text).toBe(200);
      const [item] = listing.body.data.items;
      expect(item).toMatchObject({
        task_id: id,
        platform: 'openai-video',
        user_id: w.user.id,
        action: 'textGenerate',
        status: 'SUCCESS',
        progress: '100%',
        fail_reason: '',
        quota: perSecond(8),
        refunded: false,
        properties: { prompt: 'a listed lighthouse', model: 'sora-2', size: '1280x720', seconds: '8' },
      });
      expect(item.data).toMatchObject({
        object: 'video',
        status: 'completed',
        seconds: '8',
        size: '1280x720',
      });
      expect(item.data.content_url).toMatch(new RegExp(`^${w.t.url}/task/media/${id}/video\\?exp=`));
      expect(item.data.thumbnail_url).toMatch(new RegExp(`/task/media/${id}/thumbnail\\?exp=`));
      expect(JSON.stringify(item)).not.toContain((await w.task(id))!.upstream_id);
      for (const field of ['submit_time', 'finish_time', 'created_at', 'updated_at']) {
        expect(item[field], field).toBeLessThan(10_000_000_000);
      }
      const video = await fetch(item.data.content_url);
      expect(video.status).toBe(200);
      expect(video.headers.get('content-type')).toBe('video/mp4');
      await video.arrayBuffer();
    });

    it('seconds are priced per second: 8 seconds cost twice 4, sora-2-pro costs its own price', async () => {
      const four = await w.create({ prompt: 'short', seconds: '4' });
      const eight = await w.create({ prompt: 'long', seconds: '8' });
      const pro = await w.create({ prompt: 'pro', model: 'sora-2-pro', seconds: '4' });
      const quotas = await Promise.all([four, eight, pro].map(async (r) => (await w.task(r.body.id))!.quota));
      expect(quotas).toEqual([perSecond(4), 2 * perSecond(4), quotaFor(0.3, 1, 4)]);
      // An admin's price applies to the next submit.
      const set = await w.t.request('PUT', '/api/option/', {
        as: w.t.root,
        body: { key: 'ModelPrice', value: JSON.stringify({ 'sora-2': 0.2, 'sora-2-pro': 0.3 }) },
      });
      expect(set.status, set.text).toBe(200);
      const repriced = await w.create({ prompt: 'dearer', seconds: '4' });
      expect((await w.task(repriced.body.id))!.quota).toBe(quotaFor(0.2, 1, 4));
      await w.t.request('PUT', '/api/option/', {
        as: w.t.root,
        body: { key: 'ModelPrice', value: JSON.stringify({ 'sora-2': 0.1, 'sora-2-pro': 0.3 }) },
      });
    });

    it('multipart create: the reference file and the fields reach the upstream; the task keeps no bytes', async () => {
      const created = await w.createMultipart(
        { prompt: 'animate this', model: 'sora-2', seconds: '8', size: '1280x720' },
        { filename: 'ref.png', type: 'image/png', data: PNG },
      );
      expect(created.status, created.text).toBe(200);
      const id = created.body.id as string;
      expect(id).toMatch(/^task_/);
      const sent = w.createsSeen().at(-1)!;
      expect(String(sent.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
      expect(sent.body).toEqual([
        { name: 'prompt', value: 'animate this' },
        { name: 'model', value: 'sora-2' },
        { name: 'seconds', value: '8' },
        { name: 'size', value: '1280x720' },
        { name: 'input_reference', filename: 'ref.png', contentType: 'image/png', size: PNG.length },
      ]);
      const row = (await w.task(id))!;
      expect(row.action).toBe('generate');
      expect(row.quota).toBe(perSecond(8));
      expect(JSON.parse(row.properties)).toEqual({
        prompt: 'animate this',
        model: 'sora-2',
        size: '1280x720',
        seconds: '8',
        input_reference: { filename: 'ref.png', content_type: 'image/png', bytes: PNG.length },
      });
      const upstream = await fetch(`${w.simUrl}/__sim/video/tasks/${row.upstream_id}`).then(
        (r) => r.json() as Promise<{ inputReference: unknown }>,
      );
      expect(upstream.inputReference).toMatchObject({ kind: 'file', size: PNG.length });
      await pollUntil(w, completed(id));
    });

    it('a reference file’s type is read from its bytes, whatever type its part declares (or none)', async () => {
      const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1)]);
      const WEBP = Buffer.concat([
        Buffer.from('RIFF'),
        Buffer.alloc(4, 0),
        Buffer.from('WEBPVP8 '),
        Buffer.alloc(100, 2),
      ]);
      for (const [declared, data, detected] of [
        [undefined, PNG, 'image/png'], // Python's requests: no type (text/plain to the parser)
        ['application/octet-stream', JPEG, 'image/jpeg'], // an untyped Blob in Node's FormData
        ['text/plain', WEBP, 'image/webp'],
        ['image/png', JPEG, 'image/jpeg'], // a wrong label: the bytes win
      ] as const) {
        const created = await w.createMultipart(
          { prompt: 'animate this' },
          { filename: 'ref', type: declared, data },
        );
        expect(created.status, `${declared}: ${created.text}`).toBe(200);
        expect(w.createsSeen().at(-1)!.body).toContainEqual({
          name: 'input_reference',
          filename: 'ref',
          contentType: detected,
          size: data.length,
        });
      }
    });

    it('multipart without a file and JSON with an image_url reference both go through', async () => {
      const plain = await w.createMultipart({ prompt: 'no file here' });
      expect(plain.status, plain.text).toBe(200);
      expect(w.createsSeen().at(-1)!.body).toEqual({ prompt: 'no file here', model: 'sora-2', seconds: '4' });
      const byUrl = await w.create({
        prompt: 'from a url',
        input_reference: { image_url: 'https://example.com/a.png' },
      });
      expect(byUrl.status, byUrl.text).toBe(200);
      expect(w.createsSeen().at(-1)!.body).toMatchObject({
        input_reference: { image_url: 'https://example.com/a.png' },
      });
    });

    it("new-api's /v1/video/generations: generic create and TaskDto fetch, with the public id", async () => {
      const created = await w.call('POST', '/v1/video/generations', {
        model: 'sora-2',
        prompt: 'generic form',
        duration: 8,
      });
      expect(created.status, created.text).toBe(200);
      const id = created.body.task_id as string;
      expect(id).toMatch(/^task_/);
      expect(created.body.id).toBe(id);
      expect(w.createsSeen().at(-1)!.body).toMatchObject({ seconds: '8' });
      await pollUntil(w, completed(id));
      const fetched = await w.call('GET', `/v1/video/generations/${id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toMatchObject({
        code: 'success',
        message: '',
        data: {
          task_id: id,
          action: 'textGenerate',
          status: 'SUCCESS',
          fail_reason: '',
          progress: '100%',
          properties: { prompt: 'generic form', seconds: '8' },
          data: { id, status: 'completed', seconds: '8' },
        },
      });
      expect(fetched.body.data.submit_time).toBeLessThan(10_000_000_000);
      expect(fetched.body.data.finish_time).toBeGreaterThanOrEqual(fetched.body.data.submit_time);
      expect(fetched.body.data.result_url).toMatch(new RegExp(`/task/media/${id}/video\\?exp=`));
    });
  });
}
