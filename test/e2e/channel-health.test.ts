// Channel health over real HTTP: consecutive key/account failures auto-disable an auto_ban channel (status 3,
// with the reason admins see), a success ends the run, a disabled channel's unfinished tasks keep being polled,
// and GET /api/channel/test/{id} checks a channel with one cheap call using its key.
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { findChannel } from '../../src/store/channels.js';
import { backends } from '../support/databases.js';
import { type MjWorld, pollUntil, SIM_SECRET, startMjWorld } from '../support/mj-world.js';

const IMAGINE = quotaFor(0.1, 1);
const IMAGINE_ROUTE = 'POST /mj/submit/imagine';
const LIST_ROUTE = 'POST /mj/task/list-by-condition';
const NO_ACCOUNT = '无可用的账号实例';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`channel health [${backend.dialect}]`, () => {
    let w: MjWorld;
    let simB: MidjourneySimulator;
    let urlB: string;

    beforeAll(async () => {
      simB = createMidjourneySimulator({ apiSecret: SIM_SECRET });
      urlB = await simB.listen();
      w = await startMjWorld(backend.dialect);
    });
    afterAll(async () => {
      await w?.close();
      await simB?.close();
    });
    beforeEach(async () => {
      await w.t.ctx.options.set('ChannelAutoBanThreshold', '3');
    });

    /** Disables every channel so far, then adds these (the first one is tried first). */
    async function useChannels(...channels: Array<{ url: string; autoBan?: boolean }>): Promise<number[]> {
      const existing = await w.t.request('GET', '/api/channel/?page_size=100', { as: w.t.root });
      for (const channel of existing.body.data.items) {
        await w.t.request('PUT', '/api/channel/', { as: w.t.root, body: { id: channel.id, status: 2 } });
      }
      const ids: number[] = [];
      for (const [i, c] of channels.entries()) {
        ids.push(
          await w.addChannel(c.url, { name: `h${i}`, priority: 100 - i, auto_ban: c.autoBan ?? true }),
        );
      }
      return ids;
    }
    const channel = async (id: number) => (await findChannel(w.t.ctx.store, id))!;
    const adminView = async (id: number) => {
      const list = await w.t.request('GET', '/api/channel/?page_size=100', { as: w.t.root });
      return list.body.data.items.find((c: { id: number }) => c.id === id);
    };
    const calls = (sim: MidjourneySimulator, route: string) => sim.state.counters.routeCalls.get(route) ?? 0;
    const setKey = (id: number, key: string) =>
      w.t.request('PUT', '/api/channel/', { as: w.t.root, body: { id, key } });
    const ledgerOf = (taskId: string) =>
      w.t.ctx.store.db.selectFrom('ledger').select('kind').where('task_id', '=', taskId).execute();

    it('a wrong key is auto-disabled after the threshold; the next channel serves each request; its running task is still polled', async () => {
      const [a, b] = await useChannels({ url: w.simUrl }, { url: urlB });
      const running = (await w.submit('/mj/submit/imagine', { prompt: 'begun with the right key' })).body
        .result as string;
      expect((await w.task(running))?.channel_id).toBe(a);
      expect((await setKey(a, 'a-wrong-key')).status).toBe(200);

      const before = await w.balance();
      for (let i = 1; i <= 3; i++) {
        const answer = await w.submit('/mj/submit/imagine', { prompt: `served elsewhere ${i}` });
        expect(answer.status, answer.text).toBe(200);
        expect((await w.task(answer.body.result))?.channel_id).toBe(b);
        expect(await ledgerOf(answer.body.result)).toEqual([{ kind: 'charge' }]);
        expect(await channel(a)).toMatchObject({ failure_count: i, status: i < 3 ? 1 : 3 });
      }
      expect(await w.balance()).toMatchObject({ quota: before.quota - 3 * IMAGINE });
      const view = await adminView(a);
      expect(view).toMatchObject({ status: 3 });
      expect(view.status_reason).toContain('auto-disabled after 3 consecutive key or account failures');
      expect(view.status_reason).toContain('HTTP 401');
      const disabled = await w.t.request('GET', '/api/channel/?status=3', { as: w.t.root });
      expect(disabled.body.data.items.map((c: { id: number }) => c.id)).toEqual([a]);

      // No longer chosen: the next submit goes straight to the other channel.
      const submitsToA = calls(w.sim, IMAGINE_ROUTE);
      expect((await w.submit('/mj/submit/imagine', { prompt: 'not to a' })).status).toBe(200);
      expect(calls(w.sim, IMAGINE_ROUTE)).toBe(submitsToA);

      // Still polled, status 3 or not: with the wrong key the answers are 401 and the task just waits.
      const listsBefore = calls(w.sim, LIST_ROUTE);
      w.generate(5_000);
      await w.pollRound();
      expect(calls(w.sim, LIST_ROUTE)).toBeGreaterThan(listsBefore);
      expect((await w.task(running))?.status).toBe('NOT_START');
      // The admin fixes the key but leaves the channel disabled: the task is followed to SUCCESS.
      expect((await setKey(a, SIM_SECRET)).status).toBe(200);
      await pollUntil(w, async () => (await w.task(running))?.status === 'SUCCESS');
      expect(await channel(a)).toMatchObject({ status: 3 });
      expect((await w.fetchTask(running)).body).toMatchObject({ status: 'SUCCESS', progress: '100%' });
    });

    it('"no account" answers auto-disable at the configured threshold and charge nothing; re-enabling resets the count', async () => {
      await w.t.ctx.options.set('ChannelAutoBanThreshold', '2');
      const [a] = await useChannels({ url: w.simUrl });
      const running = (await w.submit('/mj/submit/imagine', { prompt: 'started before the outage' })).body
        .result as string;
      const before = await w.balance();
      for (let i = 1; i <= 2; i++) {
        const answer = await w.submit('/mj/submit/imagine', { prompt: 'sim:reject=3' });
        expect(answer.status, answer.text).toBe(200);
        expect(answer.body).toMatchObject({ code: 3, description: NO_ACCOUNT, result: null });
      }
      expect(await w.balance()).toEqual(before);
      const view = await adminView(a);
      expect(view.status).toBe(3);
      expect(view.status_reason).toContain('after 2 consecutive');
      expect(view.status_reason).toContain(NO_ACCOUNT);
      const none = await w.submit('/mj/submit/imagine', { prompt: 'nowhere to go' });
      expect(none.status, none.text).toBe(503);
      expect(await w.balance()).toEqual(before);

      await pollUntil(w, async () => (await w.task(running))?.status === 'SUCCESS');
      expect(await channel(a)).toMatchObject({ status: 3 });

      const enabled = await w.t.request('PUT', '/api/channel/', { as: w.t.root, body: { id: a, status: 1 } });
      expect(enabled.body.data).toMatchObject({ status: 1, status_reason: '' });
      expect(await channel(a)).toMatchObject({ failure_count: 0, status: 1 });
      expect((await w.submit('/mj/submit/imagine', { prompt: 'back in service' })).body.code).toBe(1);
    });

    it('an accepted submit ends the run of failures; refusals for the request’s fault neither count nor reset', async () => {
      const [a] = await useChannels({ url: w.simUrl });
      const refuseNoAccount = () => w.submit('/mj/submit/imagine', { prompt: 'sim:reject=3' });
      await refuseNoAccount();
      await refuseNoAccount();
      expect(await channel(a)).toMatchObject({ failure_count: 2, status: 1 });
      expect((await w.submit('/mj/submit/imagine', { prompt: 'sim:reject=4' })).body.code).toBe(4);
      expect((await w.submit('/mj/submit/imagine', { prompt: 'sim:reject=23' })).body.code).toBe(23);
      expect(await channel(a)).toMatchObject({ failure_count: 2, status: 1 });
      expect((await w.submit('/mj/submit/imagine', { prompt: 'healthy' })).body.code).toBe(1);
      expect(await channel(a)).toMatchObject({ failure_count: 0, status: 1 });
      await refuseNoAccount();
      await refuseNoAccount();
      expect(await channel(a)).toMatchObject({ failure_count: 2, status: 1 });
    });

    it('a channel without auto_ban counts its failures but stays enabled', async () => {
      const [a] = await useChannels({ url: w.simUrl, autoBan: false });
      for (let i = 0; i < 4; i++) await w.submit('/mj/submit/imagine', { prompt: 'sim:reject=3' });
      expect(await channel(a)).toMatchObject({ failure_count: 4, status: 1, status_reason: '' });
    });

    describe('GET /api/channel/test/{id}', () => {
      const test = (id: number) => w.t.request('GET', `/api/channel/test/${id}`, { as: w.t.root });

      it('a healthy channel: reachable, ok, its response time recorded; one cheap call with the key', async () => {
        const [a] = await useChannels({ url: w.simUrl });
        const asked = w.sim.state.counters.requests.length;
        w.t.clock.advance(60_000);
        const res = await test(a);
        expect(res.status, res.text).toBe(200);
        expect(res.body.data).toMatchObject({ reachable: true, status: 200, ok: true });
        expect(res.body.data.time).toBeGreaterThanOrEqual(0);
        expect(res.text).not.toContain(SIM_SECRET);
        const sent = w.sim.state.counters.requests.slice(asked);
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ route: LIST_ROUTE, body: { ids: [] } });
        expect(sent[0].headers['mj-api-secret']).toBe(SIM_SECRET);
        const row = await channel(a);
        expect(row.test_time).toBe(w.t.clock.now());
        expect(row.response_time).toBe(Math.round(res.body.data.time * 1000));
      });

      it('a wrong key: reachable but not ok, with the upstream status; health counts are left alone', async () => {
        const [a] = await useChannels({ url: w.simUrl });
        await setKey(a, 'a-wrong-key');
        const res = await test(a);
        expect(res.status, res.text).toBe(200);
        expect(res.body.data).toMatchObject({ reachable: true, status: 401, ok: false });
        expect(res.body.data.message).toContain('key');
        expect(await channel(a)).toMatchObject({ failure_count: 0, status: 1 });
      });

      it('a closed port: unreachable, never a 500; the last response time is kept', async () => {
        const server = createServer();
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as { port: number };
        await new Promise((resolve) => server.close(resolve));
        const [a] = await useChannels({ url: `http://127.0.0.1:${port}` });
        w.t.clock.advance(60_000);
        const res = await test(a);
        expect(res.status, res.text).toBe(200);
        expect(res.body.data).toMatchObject({ reachable: false, status: 0, ok: false });
        expect(res.body.data.message).toContain('could not be reached');
        expect(await channel(a)).toMatchObject({ test_time: w.t.clock.now(), response_time: 0 });
      });
    });
  });
}
