// Money under every video outcome: refusals and bad input charge nothing, and failure, hang-until-timeout and
// vanish are each refunded exactly once (balance, key quota and used quota restored; one charge, one refund).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

const FOUR_SECONDS = quotaFor(0.1, 1, 4);

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`video refunds [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    /** The user is back where it started, and the task shows one charge and one refund. */
    async function expectRefundedOnce(taskId: string, before: Awaited<ReturnType<VideoWorld['balance']>>) {
      const task = await w.task(taskId);
      expect(task).toMatchObject({ status: 'FAILURE', refunded: 1, quota: FOUR_SECONDS, progress: '100%' });
      expect(task!.fail_reason).not.toBe('');
      expect(await w.ledgerOf(taskId)).toEqual([
        { kind: 'charge', quota: FOUR_SECONDS },
        { kind: 'refund', quota: FOUR_SECONDS },
      ]);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      // Later rounds and repeated failure paths change nothing.
      await w.pollRound();
      await w.t.ctx.engine.failChannelTasks(task!.channel_id);
      expect(await w.ledgerOf(taskId)).toHaveLength(2);
      const view = await w.call('GET', `/v1/videos/${taskId}`);
      expect(view.body).toMatchObject({
        id: taskId,
        status: 'failed',
        error: { message: task!.fail_reason },
      });
    }

    it.each([
      ['a 400 moderation refusal', 'sim:fault=400', 400, 'moderation_blocked'],
      ['a 429 rate limit', 'sim:fault=429', 429, 'rate_limit_exceeded'],
      ['a 429 whose code is "429"', 'sim:fault=429code', 429, '429'],
      ['a 500', 'sim:fault=500', 502, 'upstream_failed'],
      ['an HTML error page', 'sim:fault=html', 502, 'upstream_failed'],
      ['a 200 without an id', 'sim:fault=noid', 502, 'upstream_no_id'],
      ['truncated JSON', 'sim:fault=truncated', 502, 'upstream_unreadable'],
    ])('%s is answered in OpenAI shape and charges nothing', async (_name, prompt, status, code) => {
      const before = await w.balance();
      const answer = await w.create({ prompt: `refused ${prompt}` });
      expect(answer.status, answer.text).toBe(status);
      expect(answer.body.error).toMatchObject({
        code,
        message: expect.any(String),
        type: expect.any(String),
      });
      expect(answer.text).not.toContain(w.sim.state.knobs.apiKey!);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
    });

    it.each([
      ['no prompt', { model: 'sora-2' }],
      ['seconds 0', { prompt: 'p', seconds: '0' }],
      ['seconds 61', { prompt: 'p', seconds: 61 }],
      ['seconds not a number', { prompt: 'p', seconds: 'four' }],
      ['seconds with a fraction', { prompt: 'p', seconds: '4.5' }],
      ['a size that is no size', { prompt: 'p', size: 'huge' }],
      [
        'a reference with both forms',
        { prompt: 'p', input_reference: { image_url: 'https://x/a.png', file_id: 'f' } },
      ],
    ])('bad input (%s) is a 400 before any upstream call, charging nothing', async (_name, body) => {
      const before = await w.balance();
      const calls = w.createsSeen().length;
      const answer = await w.create(body);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param: null });
      expect(w.createsSeen()).toHaveLength(calls);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
    });

    it.each([
      ['text/plain', 'notes.txt'],
      ['image/png', 'not-really.png'], // the declared type is not believed: the bytes are text
      [undefined, 'untyped.png'],
    ])(
      'a multipart reference (%s) that is not an image is a 400, charging nothing',
      async (type, filename) => {
        const before = await w.balance();
        const calls = w.createsSeen().length;
        const answer = await w.createMultipart(
          { prompt: 'p' },
          { filename, type, data: Buffer.from('hello') },
        );
        expect(answer.status, answer.text).toBe(400);
        expect(answer.body.error.message).toContain('JPEG, PNG or WebP');
        expect(w.createsSeen()).toHaveLength(calls);
        expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      },
    );

    it.each([
      ['multipart/form-data without a boundary', 'multipart/form-data', 'garbage'],
      ['a boundary longer than a parser takes', `multipart/form-data; boundary=${'b'.repeat(300)}`, 'x'],
      ['a boundary the body never uses', 'multipart/form-data; boundary=xyz', 'prompt=hello'],
      [
        'a part that never ends',
        'multipart/form-data; boundary=xyz',
        '--xyz\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello',
      ],
    ])(
      'a malformed multipart form (%s) is a 400 in OpenAI shape, charging nothing',
      async (_name, type, raw) => {
        const before = await w.balance();
        for (const path of ['/v1/videos', '/v1/video/generations']) {
          const answer = await w.t.request('POST', path, {
            rawBody: raw,
            headers: { authorization: `Bearer ${w.key}`, 'content-type': type },
          });
          expect(answer.status, `${path}: ${answer.text}`).toBe(400);
          expect(answer.body.error).toMatchObject({
            type: 'invalid_request_error',
            message: expect.any(String),
          });
        }
        expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      },
    );

    it('an upstream failure mid-way is refunded once and keeps its reason', async () => {
      const before = await w.balance();
      const id = (await w.create({ prompt: 'sim:fail@40 sim:error="Content policy violation"' })).body.id;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      expect((await w.task(id))?.fail_reason).toBe('Content policy violation');
      const view = await w.call('GET', `/v1/videos/${id}`);
      expect(view.body.error).toEqual({
        code: 'video_generation_failed',
        message: 'Content policy violation',
      });
      await expectRefundedOnce(id, before);
    });

    it('a failure without an error object is refunded once with a plain reason', async () => {
      const before = await w.balance();
      const id = (await w.create({ prompt: 'sim:fail@0 sim:noerror' })).body.id;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      expect((await w.task(id))?.fail_reason).toBe('the upstream reported a failure without a reason');
      await expectRefundedOnce(id, before);
    });

    it('a video that never finishes times out and is refunded once', async () => {
      const before = await w.balance();
      const id = (await w.create({ prompt: 'forever sim:hang' })).body.id;
      w.render(30_000);
      await w.pollRound();
      expect((await w.task(id))?.status).toBe('IN_PROGRESS');
      await w.pollRound(24 * 60 * 60_000);
      expect((await w.task(id))?.fail_reason).toContain('did not finish within 1440 minutes');
      await expectRefundedOnce(id, before);
    });

    it('a video the upstream forgets (404) fails after the grace period and is refunded once', async () => {
      const before = await w.balance();
      const id = (await w.create({ prompt: 'here then gone sim:vanish@1' })).body.id;
      await w.pollRound(); // returned once
      await w.pollRound(); // 404: the grace period starts
      expect(await w.task(id)).toMatchObject({
        status: expect.not.stringMatching(/FAILURE/),
        vanished_since: expect.any(Number),
      });
      expect((await w.task(id))!.vanished_since).toBeGreaterThan(0);
      await w.pollRound(61_000);
      expect((await w.task(id))?.fail_reason).toBe('the upstream no longer knows this task');
      await expectRefundedOnce(id, before);
    });

    it('a remix of a failed video is refused without a charge', async () => {
      const id = (await w.create({ prompt: 'sim:fail@0' })).body.id;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      const before = await w.balance();
      const remix = await w.call('POST', `/v1/videos/${id}/remix`, { prompt: 'again' });
      expect(remix.status).toBe(400);
      expect(remix.body.error.message).toContain('not completed');
      expect(await w.balance()).toEqual(before);
    });
  });
}
