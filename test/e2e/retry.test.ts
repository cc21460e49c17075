// Cross-channel submit retries over real HTTP: Taskgate in front of two midjourney-proxy simulators (and closed
// ports). A submit moves on only when the first channel provably did not take the task; the client is charged
// once at most, and a request that may have been accepted is never sent again.
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import {
  createMidjourneySimulator,
  type FaultRule,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';
import { findChannel } from '../../src/store/channels.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { type Actor, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

const SECRET = 'retry-sim-secret';
const IMAGINE = quotaFor(0.1, 1);
const SUBMIT_TIMEOUT_MS = 800;
const IMAGINE_ROUTE = 'POST /mj/submit/imagine';

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`submit retries across channels [${backend.dialect}]`, () => {
    let t: TestApp;
    let simA: MidjourneySimulator;
    let simB: MidjourneySimulator;
    let urlA: string;
    let urlB: string;
    let user: Actor;
    let key: string;

    beforeAll(async () => {
      simA = createMidjourneySimulator({ apiSecret: SECRET });
      simB = createMidjourneySimulator({ apiSecret: SECRET });
      [urlA, urlB] = await Promise.all([simA.listen(), simB.listen()]);
      t = await startTestApp(backend.dialect, {}, { submitTimeoutMs: SUBMIT_TIMEOUT_MS });
      user = await t.createUser({ quota: 10_000_000 });
      ({ key } = await t.createKey(user));
    });
    afterAll(async () => {
      await t?.close();
      await Promise.all([simA?.close(), simB?.close()]);
    });
    beforeEach(async () => {
      simA.state.reset();
      simB.state.reset();
      await t.ctx.options.set('RetryTimes', '2');
    });

    /** Disables every channel so far, then creates these, the first one tried first. */
    async function useChannels(...urls: string[]): Promise<number[]> {
      const existing = await t.request('GET', '/api/channel/?page_size=100', { as: t.root });
      for (const channel of existing.body.data.items) {
        await t.request('PUT', '/api/channel/', { as: t.root, body: { id: channel.id, status: 2 } });
      }
      const ids: number[] = [];
      for (const [i, url] of urls.entries()) {
        const created = await t.request('POST', '/api/channel/', {
          as: t.root,
          body: { type: 'midjourney-plus', name: `ch${i}`, base_url: url, key: SECRET, priority: 100 - i },
        });
        expect(created.status, created.text).toBe(200);
        ids.push(created.body.data.id);
      }
      return ids;
    }

    const submit = (prompt: string) =>
      t.request('POST', '/mj/submit/imagine', {
        body: { prompt },
        headers: { authorization: `Bearer ${key}` },
      });
    const submits = (sim: MidjourneySimulator) => sim.state.counters.routeCalls.get(IMAGINE_ROUTE) ?? 0;
    const faultNext = (sim: MidjourneySimulator, rule: FaultRule) =>
      sim.state.setKnobs({ faults: { submit: { ...rule, count: 1 } } });
    const balance = async () => {
      const row = await t.ctx.store.db
        .selectFrom('users')
        .select('quota')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      return { quota: row.quota, ledger: await ledgerBalance(t.ctx.store, user.id) };
    };
    /** The ledger rows of the user's newest task. */
    async function newestTask() {
      const task = await t.ctx.store.db
        .selectFrom('tasks')
        .select('task_id')
        .where('user_id', '=', user.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      const ledger = await t.ctx.store.db
        .selectFrom('ledger')
        .select(['kind', 'quota'])
        .where('task_id', '=', task.task_id)
        .orderBy('id')
        .execute();
      return { row: (await findTaskByPublicId(t.ctx.store, task.task_id))!, ledger };
    }
    async function expectNothingCharged(before: { quota: number }) {
      const { row, ledger } = await newestTask();
      expect(row).toMatchObject({ status: 'FAILURE', refunded: 1 });
      expect(ledger).toEqual([
        { kind: 'charge', quota: IMAGINE },
        { kind: 'refund', quota: IMAGINE },
      ]);
      expect(await balance()).toEqual({ quota: before.quota, ledger: before.quota });
    }

    it('the first channel refuses connections: the second serves it, and the user is charged once', async () => {
      const [first, second] = await useChannels(await closedPort(), urlA);
      const before = await balance();
      const answer = await submit('a quiet harbour');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.code).toBe(1);
      expect(submits(simA)).toBe(1);
      const task = await findTaskByPublicId(t.ctx.store, answer.body.result);
      expect(task).toMatchObject({
        channel_id: second,
        status: 'NOT_START',
        upstream_id: expect.any(String),
      });
      expect(simA.state.tasks.has(task!.upstream_id)).toBe(true);
      expect((await newestTask()).ledger).toEqual([{ kind: 'charge', quota: IMAGINE }]);
      expect(await balance()).toEqual({ quota: before.quota - IMAGINE, ledger: before.quota - IMAGINE });
      // The charge counts for the channel that took the task, not the one that could not be reached.
      expect((await findChannel(t.ctx.store, first))?.used_quota).toBe(0);
      expect((await findChannel(t.ctx.store, second))?.used_quota).toBe(IMAGINE);
    });

    it('RetryTimes bounds the tries: 0 means the first channel only, 1 means one more', async () => {
      await t.ctx.options.set('RetryTimes', '0');
      let [first] = await useChannels(await closedPort(), urlA);
      let before = await balance();
      let answer = await submit('no second chance');
      expect(answer.status, answer.text).toBe(502);
      expect(answer.body).toMatchObject({ code: 9, result: null });
      expect(answer.body.description).toContain(`channels tried: ${first})`);
      expect(submits(simA)).toBe(0);
      await expectNothingCharged(before);

      await t.ctx.options.set('RetryTimes', '1');
      const ids = await useChannels(await closedPort(), await closedPort(), urlA);
      [first] = ids;
      before = await balance();
      answer = await submit('one more only');
      expect(answer.status, answer.text).toBe(502);
      expect(answer.body.description).toContain(`channels tried: ${ids[0]}, ${ids[1]})`);
      expect(submits(simA)).toBe(0);
      await expectNothingCharged(before);
    });

    it.each([
      ['code 4 (HTTP 200)', null, 'sim:reject=4', 200, 4],
      [
        'HTTP 400',
        { kind: 'json', status: 400, body: { code: 4, description: 'bad request' } } as FaultRule,
        'a valid prompt',
        400,
        4,
      ],
      ['code 24 (banned word)', null, 'a forbiddenword prompt', 200, 24],
    ])(
      'a refusal for the request’s fault (%s) is not retried and charges nothing',
      async (_name, fault, prompt, status, code) => {
        await useChannels(urlA, urlB);
        if (fault) faultNext(simA, fault);
        const before = await balance();
        const answer = await submit(prompt);
        expect(answer.status, answer.text).toBe(status);
        expect(answer.body).toMatchObject({ code, result: null });
        expect(answer.body.description).not.toContain('channels tried');
        expect(submits(simA)).toBe(1);
        expect(submits(simB)).toBe(0);
        await expectNothingCharged(before);
      },
    );

    it.each([
      ['429', { kind: 'status', status: 429 } as FaultRule],
      ['500', { kind: 'status', status: 500 } as FaultRule],
      ['503', { kind: 'status', status: 503 } as FaultRule],
      ['a 502 HTML page', { kind: 'html' } as FaultRule],
    ])('%s on the first channel is retried on the second, charged once', async (_name, fault) => {
      const [, second] = await useChannels(urlA, urlB);
      faultNext(simA, fault);
      const before = await balance();
      const answer = await submit('try elsewhere');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.code).toBe(1);
      expect([submits(simA), submits(simB)]).toEqual([1, 1]);
      expect(simA.state.tasks.size).toBe(0);
      expect(simB.state.tasks.size).toBe(1);
      const { row, ledger } = await newestTask();
      expect(row.channel_id).toBe(second);
      expect(ledger).toEqual([{ kind: 'charge', quota: IMAGINE }]);
      expect(await balance()).toEqual({ quota: before.quota - IMAGINE, ledger: before.quota - IMAGINE });
    });

    it('when every channel fails for its own fault, the refusal names the channels tried', async () => {
      const ids = await useChannels(urlA, urlB);
      faultNext(simA, { kind: 'status', status: 503 });
      faultNext(simB, { kind: 'status', status: 429 });
      const before = await balance();
      const answer = await submit('nobody can');
      expect(answer.status, answer.text).toBe(429);
      expect(answer.body.description).toContain(`(channels tried: ${ids[0]} → ${ids[1]})`);
      expect((await newestTask()).row.fail_reason).toContain(`channels tried: ${ids[0]} → ${ids[1]}`);
      await expectNothingCharged(before);
    });

    it('the upstream accepted but the answer was lost (too slow): a 504, no blind retry, one task upstream, refunded once', async () => {
      await useChannels(urlA, urlB);
      faultNext(simA, { kind: 'slow', delayMs: SUBMIT_TIMEOUT_MS * 2 });
      const before = await balance();
      const answer = await submit('accepted in silence');
      expect(answer.status, answer.text).toBe(504);
      expect(answer.body).toMatchObject({ code: 9, result: null });
      expect(answer.body.description).toContain('did not answer in time');
      expect(submits(simB)).toBe(0);
      // The simulator finishes the slow request after Taskgate gave up: exactly one task exists upstream.
      const deadline = Date.now() + 5_000;
      while (simA.state.tasks.size === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(simA.state.tasks.size).toBe(1);
      expect(submits(simA)).toBe(1);
      expect(submits(simB)).toBe(0);
      expect((await newestTask()).row.fail_reason).toContain('did not answer the submit');
      await expectNothingCharged(before);
    });

    it.each([
      ['a hung connection', { kind: 'hang' } as FaultRule, 504],
      // The reset comes after the simulator read the whole request: it might have created the task.
      ['a connection reset after the request was sent', { kind: 'reset' } as FaultRule, 502],
      // A gateway timeout from an intermediary: the upstream behind it may have the task.
      ['an HTTP 504 from a gateway', { kind: 'status', status: 504 } as FaultRule, 502],
    ])('%s is not retried and is refunded once', async (_name, fault, status) => {
      await useChannels(urlA, urlB);
      faultNext(simA, fault);
      const before = await balance();
      const answer = await submit('maybe accepted');
      expect(answer.status, answer.text).toBe(status);
      expect(answer.body).toMatchObject({ code: 9, result: null });
      expect(submits(simA)).toBe(1);
      expect(submits(simB)).toBe(0);
      await expectNothingCharged(before);
    });

    it('an unreadable 200 (the task was created, its id lost) is not retried: one task upstream, refunded once', async () => {
      await useChannels(urlA, urlB);
      faultNext(simA, { kind: 'truncated' });
      const before = await balance();
      const answer = await submit('created but garbled');
      expect(answer.status, answer.text).toBe(502);
      expect(answer.body).toMatchObject({ code: 9, result: null });
      expect(simA.state.tasks.size).toBe(1);
      expect(submits(simB)).toBe(0);
      await expectNothingCharged(before);
    });

    it('a follow-up pinned to its origin channel is never moved to another channel', async () => {
      const [first] = await useChannels(urlA, urlB);
      const origin = (await submit('a pinned origin')).body.result as string;
      const upstreamId = (await findTaskByPublicId(t.ctx.store, origin))!.upstream_id;
      simA.state.forceTask(upstreamId, { status: 'SUCCESS' });
      t.clock.advance(16_000);
      await t.ctx.engine.poller.runOnce();
      expect((await findTaskByPublicId(t.ctx.store, origin))?.status).toBe('SUCCESS');
      faultNext(simA, { kind: 'status', status: 503 });
      const before = await balance();
      const answer = await t.request('POST', '/mj/submit/change', {
        body: { taskId: origin, action: 'UPSCALE', index: 1 },
        headers: { authorization: `Bearer ${key}` },
      });
      expect(answer.status, answer.text).toBe(502);
      expect(simB.state.counters.routeCalls.get('POST /mj/submit/change') ?? 0).toBe(0);
      expect((await newestTask()).row.channel_id).toBe(first);
      expect(await balance()).toEqual({ quota: before.quota, ledger: before.quota });
    });
  });
}
