// Money under every Suno outcome: upstream refusals charge nothing (net), and every kind of failure — upstream
// failure, hang until timeout, vanished task, deleted channel — is refunded exactly once: balance, key quota
// and used quota restored, one `charge` and one `refund` ledger row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import { pollUntil, type SunoWorld, startSunoWorld, statusIs, submitted } from '../support/suno-world.js';

const MUSIC = quotaFor(0.3, 1);
const LYRICS = quotaFor(0.01, 1);

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`suno refunds [${backend.dialect}]`, () => {
    let w: SunoWorld;
    beforeAll(async () => {
      // Lyrics submits block upstream until the lyrics exist; a short submit timeout keeps the hang test quick.
      w = await startSunoWorld(backend.dialect, { submitTimeoutMs: 1_500 });
    });
    afterAll(async () => w?.close());

    /** The user is back where it started, and the task shows one charge and one refund. */
    async function expectRefundedOnce(
      taskId: string,
      before: Awaited<ReturnType<SunoWorld['balance']>>,
      quota = MUSIC,
    ) {
      const task = await w.task(taskId);
      expect(task).toMatchObject({ status: 'FAILURE', refunded: 1, quota, progress: '100%' });
      expect(task!.fail_reason).not.toBe('');
      expect(await w.ledgerOf(taskId)).toEqual([
        { kind: 'charge', quota },
        { kind: 'refund', quota },
      ]);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      // Later rounds and repeated failure paths change nothing.
      await w.pollRound();
      await w.t.ctx.engine.failChannelTasks(task!.channel_id);
      expect(await w.ledgerOf(taskId)).toHaveLength(2);
      const listed = await w.t.request('GET', `/api/task/self?task_id=${taskId}`, { as: w.user });
      expect(listed.body.data.items[0]).toMatchObject({ status: 'FAILURE', refunded: true, quota });
    }

    it.each([
      [
        'a 422 (Suno refused the request)',
        'sim:fault=422',
        422,
        'invalid_request',
        '422 Unprocessable Entity',
      ],
      ['a 400 from upstream validation', 'sim:fault=400', 400, 'invalid_request', '400 Bad Request'],
      ['a 401 (the channel key)', 'sim:fault=401', 502, 'fail_to_fetch_task', "channel's key"],
      ['a 402 (no credits)', 'sim:fault=402', 502, 'fail_to_fetch_task', 'no credits'],
      ['a 429', 'sim:fault=429', 429, 'fail_to_fetch_task', 'rate limiting'],
      ['a 500 task failed', 'sim:fault=taskfailed', 502, 'fail_to_fetch_task', 'HTTP 500'],
      ['an HTML page', 'sim:fault=html', 502, 'fail_to_fetch_task', 'HTTP 502'],
      ['a 200 with code ≠ success', 'sim:fault=badcode', 502, 'fail_to_fetch_task', 'upstream busy'],
      ['an empty 200', 'sim:fault=empty', 502, 'fail_to_fetch_task', 'empty body'],
    ])(
      '%s is answered in the Suno envelope and charges nothing',
      async (_name, prompt, status, code, text) => {
        const before = await w.balance();
        const answer = await w.submit('music', { prompt });
        expect(answer.status, answer.text).toBe(status);
        expect(answer.body).toEqual({ code, message: expect.stringContaining(text), data: null });
        expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      },
    );

    it('a connection reset during the submit is a 5xx in the Suno envelope and charges nothing', async () => {
      const before = await w.balance();
      const answer = await w.submit('music', { prompt: 'sim:fault=reset' });
      expect([502, 504]).toContain(answer.status);
      expect(answer.body).toEqual({ code: 'service_unavailable', message: expect.any(String), data: null });
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
    });

    it('lyrics that never come (Suno-API blocks forever) end at Taskgate’s submit timeout, refunded', async () => {
      const before = await w.balance();
      const answer = await w.submit('lyrics', { prompt: 'endless sim:hang' });
      expect(answer.status).toBe(504);
      expect(answer.body).toMatchObject({ code: 'service_unavailable', data: null });
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
    });

    it('an upstream failure at the first tick is refunded once, with Suno’s reason', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'doomed sim:error="lyrics flagged by moderation"' });
      await pollUntil(w, statusIs(w, id, 'FAILURE'));
      expect((await w.task(id))?.fail_reason).toBe('lyrics flagged by moderation');
      await expectRefundedOnce(id, before);
      const dto = (await w.fetchOne(id)).body.data;
      expect(dto).toMatchObject({
        status: 'FAILURE',
        progress: '100%',
        fail_reason: 'lyrics flagged by moderation',
      });
    });

    it('a failure mid-song (one clip errors after streaming) is refunded once', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'half sim:cliperror@1 sim:fail@50' });
      await pollUntil(w, statusIs(w, id, 'FAILURE'), { simMs: 10_000 });
      await expectRefundedOnce(id, before);
    });

    it('a FAILURE without any reason still gets one, and is refunded once', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'silent sim:fail sim:noreason' });
      await pollUntil(w, statusIs(w, id, 'FAILURE'));
      expect((await w.task(id))?.fail_reason).toBe('Suno reported a failure without a reason');
      await expectRefundedOnce(id, before);
    });

    it('failed lyrics are refunded once, at the lyrics price', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'lyrics', { prompt: 'bad words sim:error=blocked' });
      await w.pollRound();
      expect((await w.task(id))?.fail_reason).toBe('blocked');
      await expectRefundedOnce(id, before, LYRICS);
    });

    it('a song that hangs upstream times out and is refunded once', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'forever sim:hang' });
      w.generate(30_000);
      await w.pollRound();
      expect((await w.task(id))?.status).toBe('IN_PROGRESS');
      await w.pollRound(24 * 60 * 60_000);
      expect((await w.task(id))?.fail_reason).toContain('did not finish within 1440 minutes');
      await expectRefundedOnce(id, before);
    });

    it('a song the upstream forgets fails after the grace period and is refunded once', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'here then gone sim:vanish@1' });
      await w.pollRound(); // returned once
      await w.pollRound(); // missing: the grace period starts
      expect(await w.task(id)).toMatchObject({
        status: expect.not.stringMatching(/FAILURE/),
        vanished_since: expect.any(Number),
      });
      expect((await w.task(id))?.vanished_since).toBeGreaterThan(0);
      await w.pollRound(61_000);
      expect((await w.task(id))?.fail_reason).toBe('the upstream no longer knows this task');
      await expectRefundedOnce(id, before);
    });

    it('a task that reappears within the grace period is not failed', async () => {
      const id = await submitted(w, 'music', { prompt: 'flaky' });
      w.sim.state.setKnobs({
        faults: { fetch: { kind: 'json', status: 200, body: { code: 'success', message: '', data: [] } } },
      });
      await w.pollRound();
      expect((await w.task(id))?.vanished_since).toBeGreaterThan(0);
      w.sim.state.setKnobs({ faults: { fetch: null } });
      await pollUntil(w, statusIs(w, id, 'SUCCESS'), { simMs: 20_000 });
      expect(await w.task(id)).toMatchObject({ vanished_since: 0, refunded: 0 });
    });

    it('deleting the channel fails and refunds its unfinished songs at once', async () => {
      const extra = await w.addChannel(w.simUrl, { name: 'to delete', priority: 100 });
      const before = await w.balance();
      const id = await submitted(w, 'music', { prompt: 'orphan sim:hang' });
      expect((await w.task(id))?.channel_id).toBe(extra);
      expect((await w.t.request('DELETE', `/api/channel/${extra}`, { as: w.t.root })).status).toBe(200);
      expect((await w.task(id))?.fail_reason).toBe(`the channel ${extra} was deleted`);
      await expectRefundedOnce(id, before);
    });
  });
}
