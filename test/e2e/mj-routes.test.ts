// The remaining Midjourney routes, and the scoping rule on all of them: another user's id is "not found".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import { type MjWorld, pollUntil, startMjWorld, USER_QUOTA } from '../support/mj-world.js';

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`midjourney routes [${backend.dialect}]`, () => {
    let w: MjWorld;
    let done: string;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect);
      done = (await w.submit('/mj/submit/imagine', { prompt: 'a finished task' })).body.result;
      await pollUntil(w, async () => (await w.task(done))?.status === 'SUCCESS');
    });
    afterAll(async () => w?.close());

    it('a submit nested deeper than any real body is a 400: nothing charged, nothing sent upstream', async () => {
      const before = await w.balance();
      const calls = w.sim.state.counters.routeCalls.get('POST /mj/submit/imagine') ?? 0;
      const levels = 200_000; // 400 KB, well under the submit body limit
      const res = await w.t.request('POST', '/mj/submit/imagine', {
        rawBody: `{"prompt":"deep","extra":${'['.repeat(levels)}${']'.repeat(levels)}}`,
        headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json' },
      });
      expect({ status: res.status, code: res.body.code }, res.text).toEqual({ status: 400, code: 4 });
      expect(res.body.description).toMatch(/nested/);
      expect(await w.balance()).toEqual(before);
      expect(w.sim.state.counters.routeCalls.get('POST /mj/submit/imagine') ?? 0).toBe(calls);
    });

    it('image-seed is asked of the task’s channel with the upstream id', async () => {
      const seed = await w.t.request('GET', `/mj/task/${done}/image-seed`, {
        headers: { authorization: `Bearer ${w.key}` },
      });
      expect(seed.status, seed.text).toBe(200);
      expect(seed.body).toMatchObject({ code: 1, result: expect.stringMatching(/^\d+$/) });
      const upstream = (await w.task(done))!.upstream_id;
      expect(w.sim.state.counters.requests.some((r) => r.url === `/mj/task/${upstream}/image-seed`)).toBe(
        true,
      );
    });

    it('video, edits and face swap are charged at their own prices and followed to SUCCESS', async () => {
      const png = `data:image/png;base64,${Buffer.from('image').toString('base64')}`;
      const before = await w.balance();
      const video = await w.submit('/mj/submit/video', { prompt: 'make it move', image: png, motion: 'low' });
      // The simulator needs an image even to extend (it does not model extend); Taskgate pins and prices it.
      const extend = await w.submit('/mj/submit/video', {
        prompt: 'and more',
        image: png,
        taskId: done,
        action: 'extend',
        index: 0,
      });
      const edits = await w.submit('/mj/submit/edits', { prompt: 'bluer', image: png });
      const swap = await w.submit('/mj/insight-face/swap', { sourceBase64: png, targetBase64: png });
      for (const answer of [video, extend, edits, swap])
        expect(answer.body, answer.text).toMatchObject({ code: 1 });
      expect((await w.task(extend.body.result))?.parent_task_id).toBe(done);
      const spent = quotaFor(0.4, 1) * 2 + quotaFor(0.1, 1) + quotaFor(0.05, 1);
      expect((await w.balance()).quota).toBe(before.quota - spent);
      expect((await w.task(swap.body.result))?.model).toBe('swap_face');
      for (const answer of [video, edits, swap]) {
        await pollUntil(w, async () => (await w.task(answer.body.result))?.status === 'SUCCESS');
      }
    });

    it('takes the bodies real clients send: "" and null mean a field was not given', async () => {
      // The Dooy web UI sends these on every imagine; Java (Jackson) and Go clients send null for what they omit.
      const bodies = [
        {
          base64Array: [],
          notifyHook: '',
          prompt: 'a red fox in the snow',
          state: '',
          botType: 'MID_JOURNEY',
        },
        { prompt: 'a red fox', base64Array: null, notifyHook: null, state: null, accountFilter: null },
      ];
      for (const body of bodies) {
        const answer = await w.t.request('POST', '/mj/submit/imagine', {
          headers: { 'mj-api-secret': w.key },
          body,
        });
        expect(answer.status, answer.text).toBe(200);
        expect(answer.body).toMatchObject({ code: 1, result: expect.stringMatching(/^\d{16}$/) });
        expect(await w.task(answer.body.result)).toMatchObject({ state: '', notify_hook: '' });
        const sent = w.sim.state.counters.requests.filter((r) => r.url === '/mj/submit/imagine').at(-1)!
          .body as Record<string, unknown>;
        expect(Object.values(sent)).not.toContain(null);
      }
      const reroll = await w.submit('/mj/submit/change', { taskId: done, action: 'REROLL', index: null });
      expect(reroll.body, reroll.text).toMatchObject({ code: 1 });
      // Still refused: a hook that is not http(s), and U/V without an index.
      for (const [path, body] of [
        ['/mj/submit/imagine', { prompt: 'x', notifyHook: 'ftp://client.example/hook' }],
        ['/mj/submit/imagine', { prompt: 'x', notifyHook: 'javascript:alert(1)' }],
        ['/mj/submit/change', { taskId: done, action: 'UPSCALE', index: null }],
      ] as const) {
        const refused = await w.submit(path, body);
        expect(refused.status, refused.text).toBe(400);
        expect(refused.body).toMatchObject({ code: 4 });
      }
    });

    it('another user’s task id is "not found" on every Midjourney route, and changes nothing', async () => {
      const stranger = await w.t.createUser({ quota: USER_QUOTA });
      const { key } = await w.t.createKey(stranger);
      const as = { authorization: `Bearer ${key}` };
      const customId = (JSON.parse((await w.task(done))!.buttons) as Array<{ customId: string }>)[0].customId;
      const attempts = [
        ['GET', `/mj/task/${done}/fetch`, undefined],
        ['GET', `/mj-fast/mj/task/${done}/fetch`, undefined],
        ['GET', `/mj/task/${done}/image-seed`, undefined],
        ['POST', '/mj/submit/change', { taskId: done, action: 'UPSCALE', index: 1 }],
        ['POST', '/mj/submit/simple-change', { content: `${done} U1` }],
        ['POST', '/mj/submit/action', { taskId: done, customId }],
        ['POST', '/mj/submit/modal', { taskId: done, prompt: 'x' }],
        ['POST', '/mj/submit/video', { prompt: 'x', taskId: done }],
      ] as const;
      const balance = await w.balance();
      const tasks = await w.t.ctx.store.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      for (const [method, path, body] of attempts) {
        const answer = await w.t.request(method, path, { body, headers: as });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body, `${method} ${path}`).toMatchObject({ code: 4 });
      }
      const listed = await w.t.request('POST', '/mj/task/list-by-condition', {
        body: { ids: [done] },
        headers: as,
      });
      expect(listed.body).toEqual([]);
      for (const path of ['/mj/task/list', '/mj/task/queue']) {
        expect(JSON.stringify((await w.t.request('GET', path, { headers: as })).body)).not.toContain(done);
      }
      expect(await w.balance()).toEqual(balance);
      const after = await w.t.ctx.store.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(tasks.n));
    });
  });
}
