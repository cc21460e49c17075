// Midjourney end to end over real HTTP: submit through Taskgate, the simulator generates, the poller follows,
// money moves exactly as the ledger says. On SQLite and PostgreSQL (and MariaDB when it answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { failurePatch } from '../../src/engine/observation.js';
import { findTaskByPublicId } from '../../src/store/tasks.js';
import { backends } from '../support/databases.js';
import { type MjWorld, pollUntil, startMjWorld, USER_QUOTA } from '../support/mj-world.js';

const IMAGINE = quotaFor(0.1, 1);
const UPSCALE = quotaFor(0.05, 1);

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`midjourney lifecycle [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      // An account with room for the burst test; queue-full (23) has its own test in mj-refunds.
      w = await startMjWorld(backend.dialect, {
        sim: { accounts: [{ id: '1118138338562560102', coreSize: 20, queueSize: 100 }] },
      });
    });
    afterAll(async () => w?.close());

    const succeeded = (id: string) => async () => (await w.task(id))?.status === 'SUCCESS';

    it('imagine: accepted with a Taskgate id, charged once, followed to SUCCESS with the image and buttons', async () => {
      const before = await w.balance();
      const submit = await w.submit('/mj/submit/imagine', { prompt: 'a red fox in snow', state: 'my-state' });
      expect(submit.status).toBe(200);
      expect(submit.body).toMatchObject({
        code: 1,
        description: expect.any(String),
        properties: expect.any(Object),
      });
      const id = submit.body.result as string;
      expect(id).toMatch(/^\d{16}$/);
      const row = await w.task(id);
      expect(row?.upstream_id).toMatch(/^\d{16}$/);
      expect(row?.upstream_id).not.toBe(id);
      expect(await w.balance()).toMatchObject({
        quota: before.quota - IMAGINE,
        keyRemain: before.keyRemain - IMAGINE,
      });

      // The first poll sees the task move; the fetch route answers from Taskgate's own store.
      w.generate(5_000);
      await w.pollRound();
      const running = await w.fetchTask(id);
      expect(running.status).toBe(200);
      expect(['SUBMITTED', 'IN_PROGRESS']).toContain(running.body.status);

      await pollUntil(w, succeeded(id));
      const done = await w.fetchTask(id);
      expect(done.body).toMatchObject({
        id,
        action: 'IMAGINE',
        status: 'SUCCESS',
        progress: '100%',
        prompt: 'a red fox in snow',
        state: 'my-state',
        failReason: null,
      });
      expect(done.body.finishTime).toBeGreaterThan(done.body.submitTime);
      expect(done.body.imageUrl).toMatch(new RegExp(`^${w.t.url}/mj/image/${id}\\?v=[\\w-]+&exp=\\d+&sig=`));
      expect(done.body.buttons.map((b: { customId: string }) => b.customId)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^MJ::JOB::upsample::1::/)]),
      );
      // The forwarded URL works as a plain <img src>: no headers, real PNG bytes from the upstream.
      const image = await fetch(done.body.imageUrl);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect([...new Uint8Array(await image.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      const after = await w.balance();
      expect(after.quota).toBe(before.quota - IMAGINE);
      expect(after.ledger).toBe(after.quota);
    });

    it('the progress preview and the final image are handed out under different URLs', async () => {
      // Both are served privately cacheable for an hour: under one URL, an <img> would keep the preview grid.
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'a slow fox' })).body.result as string;
      let preview: string | null = null;
      await pollUntil(
        w,
        async () => {
          const task = (await w.fetchTask(id)).body;
          if (task.status === 'IN_PROGRESS' && task.imageUrl) preview = task.imageUrl;
          return preview !== null;
        },
        { simMs: 1_500, rounds: 40 },
      );
      const previewAnswer = await fetch(preview!);
      expect(previewAnswer.status).toBe(200);
      const previewBytes = Buffer.from(await previewAnswer.arrayBuffer());
      await pollUntil(w, succeeded(id));
      const final = (await w.fetchTask(id)).body.imageUrl as string;
      expect(final).not.toBe(preview);
      const finalAnswer = await fetch(final);
      expect(finalAnswer.status).toBe(200);
      expect(Buffer.from(await finalAnswer.arrayBuffer()).equals(previewBytes)).toBe(false);
      // The listing hands out the same URL as the fetch, so a UI and a client agree.
      const listed = await w.t.request('GET', `/api/mj/self?mj_id=${id}`, { as: w.user });
      expect(listed.body.data.items[0].image_url).toBe(final);
    });

    it('upscale, vary and reroll through change, simple-change and action, pinned to the origin channel', async () => {
      const origin = (await w.submit('/mj/submit/imagine', { prompt: 'a lighthouse' })).body.result as string;
      await pollUntil(w, succeeded(origin));
      const originRow = (await w.task(origin))!;
      const buttons = JSON.parse(originRow.buttons) as Array<{ customId: string }>;

      const change = await w.submit('/mj/submit/change', { taskId: origin, action: 'UPSCALE', index: 1 });
      const simple = await w.submit('/mj/submit/simple-change', { content: `${origin} V2` });
      const reroll = await w.submit('/mj/submit/simple-change', { content: `${origin} R` });
      const action = await w.submit('/mj/submit/action', {
        taskId: origin,
        customId: buttons.find((b) => b.customId.includes('upsample::2'))!.customId,
      });
      for (const answer of [change, simple, reroll, action])
        expect(answer.body, answer.text).toMatchObject({ code: 1 });
      const children = await Promise.all([change, simple, reroll, action].map((a) => w.task(a.body.result)));
      expect(children.map((c) => c?.action)).toEqual(['UPSCALE', 'VARIATION', 'REROLL', 'UPSCALE']);
      for (const child of children) {
        expect(child).toMatchObject({
          channel_id: originRow.channel_id,
          parent_task_id: origin,
          prompt: 'a lighthouse',
        });
      }
      // The upstream was asked with its own id for the origin, never Taskgate's.
      const sent = w.sim.state.counters.requests.filter(
        (r) => r.url.startsWith('/mj/submit/change') || r.url.startsWith('/mj/submit/simple-change'),
      );
      expect(JSON.stringify(sent.map((r) => r.body))).toContain(originRow.upstream_id);
      expect(JSON.stringify(sent.map((r) => r.body))).not.toContain(origin);
      expect(children[0]!.quota).toBe(UPSCALE);
      for (const child of children) await pollUntil(w, succeeded(child!.task_id));
    });

    it('refuses follow-ups on unfinished, unknown and foreign tasks', async () => {
      const running = (await w.submit('/mj/submit/imagine', { prompt: 'still running sim:hang' })).body
        .result as string;
      const notDone = await w.submit('/mj/submit/change', { taskId: running, action: 'UPSCALE', index: 1 });
      expect(notDone.status).toBe(400);
      expect(notDone.body).toMatchObject({
        code: 4,
        description: expect.stringContaining('has not succeeded'),
      });
      const unknown = await w.submit('/mj/submit/simple-change', { content: '9999999999999999 U1' });
      expect(unknown.status).toBe(404);
      const other = await w.t.createUser({ quota: USER_QUOTA });
      const { key } = await w.t.createKey(other);
      const foreign = await w.submit(
        '/mj/submit/change',
        { taskId: running, action: 'UPSCALE', index: 1 },
        key,
      );
      expect(foreign.status).toBe(404);
      expect((await w.fetchTask(running, key)).status).toBe(404);
    });

    it('describe, blend, shorten and upload', async () => {
      const png = `data:image/png;base64,${Buffer.from('not really an image').toString('base64')}`;
      const describe = await w.submit('/mj/submit/describe', { base64: png });
      const blend = await w.submit('/mj/submit/blend', { base64Array: [png, png], dimensions: 'SQUARE' });
      const shorten = await w.submit('/mj/submit/shorten', { prompt: 'a very long prompt about a cat' });
      for (const answer of [describe, blend, shorten])
        expect(answer.body, answer.text).toMatchObject({ code: 1 });
      const upload = await w.submit('/mj/submit/upload-discord-images', { base64Array: [png] });
      expect(upload.body.code).toBe(1);
      expect(upload.body.result).toEqual([expect.stringMatching(/^http/)]);
      for (const answer of [describe, blend, shorten]) await pollUntil(w, succeeded(answer.body.result));
      expect((await w.task(describe.body.result))?.action).toBe('DESCRIBE');
    });

    /** A finished upscale and its Custom Zoom button, which opens a modal. */
    async function zoomable(): Promise<{ upscale: string; customId: string }> {
      const origin = (await w.submit('/mj/submit/imagine', { prompt: 'a valley' })).body.result as string;
      await pollUntil(w, succeeded(origin));
      const upscale = (await w.submit('/mj/submit/change', { taskId: origin, action: 'UPSCALE', index: 1 }))
        .body.result as string;
      await pollUntil(w, succeeded(upscale));
      const { customId } = (JSON.parse((await w.task(upscale))!.buttons) as Array<{ customId: string }>).find(
        (b) => b.customId.startsWith('MJ::CustomZoom'),
      )!;
      return { upscale, customId };
    }

    it('a modal flow: custom zoom waits (code 21, free), the modal is charged and the task goes on', async () => {
      const { upscale, customId } = await zoomable();
      const before = await w.balance();
      const zoom = await w.submit('/mj/submit/action', { taskId: upscale, customId });
      expect(zoom.body).toMatchObject({ code: 21 });
      const zoomId = zoom.body.result as string;
      expect(await w.task(zoomId)).toMatchObject({ status: 'MODAL', action: 'CUSTOM_ZOOM', quota: 0 });
      expect((await w.balance()).quota).toBe(before.quota);
      const modal = await w.submit('/mj/submit/modal', {
        taskId: zoomId,
        prompt: 'a valley --ar 1:1 --zoom 2',
      });
      expect(modal.body, modal.text).toMatchObject({ code: 1, result: zoomId });
      expect((await w.balance()).quota).toBe(before.quota - quotaFor(0.1, 1));
      await pollUntil(w, succeeded(zoomId));
    });

    /** A CUSTOM_ZOOM task waiting for its modal (free so far). */
    async function waitingForModal(): Promise<string> {
      const { upscale, customId } = await zoomable();
      return (await w.submit('/mj/submit/action', { taskId: upscale, customId })).body.result as string;
    }

    it('a modal sent as its task ends is refused and charges nothing', async () => {
      const zoomId = await waitingForModal();
      // Between the relay's read and the charge, the task times out (the poller's own failure, fenced as usual):
      // the engine's channel lookup runs in that window.
      const { engine, store } = w.t.ctx;
      const get = engine.channels.get.bind(engine.channels);
      engine.channels.get = async (id: number) => {
        engine.channels.get = get;
        const row = (await w.task(zoomId))!;
        await engine.writer.commit(row, failurePatch('timed out', w.t.clock.now(), ''), {
          version: row.version,
        });
        return get(id);
      };
      const before = await w.balance();
      const modal = await w.submit('/mj/submit/modal', { taskId: zoomId, prompt: 'a valley --zoom 2' });
      engine.channels.get = get;
      expect({ status: modal.status, code: modal.body.code }, modal.text).toEqual({ status: 400, code: 4 });
      expect(await findTaskByPublicId(store, zoomId)).toMatchObject({ status: 'FAILURE', quota: 0 });
      expect(await w.ledgerOf(zoomId)).toEqual([]);
      expect((await w.balance()).quota).toBe(before.quota);
    });

    it('two modals sent at once: one is charged and goes on, the other is refused', async () => {
      const zoomId = await waitingForModal();
      const before = await w.balance();
      const answers = await Promise.all(
        ['a valley --zoom 2', 'a valley --zoom 1.5'].map((prompt) =>
          w.submit('/mj/submit/modal', { taskId: zoomId, prompt }),
        ),
      );
      const outcomes = answers
        .map((a) => ({ status: a.status, code: a.body.code }))
        .sort((a, b) => a.status - b.status);
      expect(outcomes, answers.map((a) => a.text).join('\n')).toEqual([
        { status: 200, code: 1 },
        { status: 400, code: 4 },
      ]);
      expect((await w.ledgerOf(zoomId)).map((r) => r.kind)).toEqual(['charge']);
      expect((await w.balance()).quota).toBe(before.quota - quotaFor(0.1, 1));
      await pollUntil(w, succeeded(zoomId));
    });

    it('a burst of submits in one millisecond all get distinct ids and succeed', async () => {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => w.submit('/mj/submit/imagine', { prompt: `burst ${i}` })),
      );
      for (const answer of answers) expect(answer.body, answer.text).toMatchObject({ code: 1 });
      expect(new Set(answers.map((a) => a.body.result)).size).toBe(40);
    });

    it('lists, queues and fetches by condition from Taskgate’s own store, scoped to the caller', async () => {
      const a = (await w.submit('/mj/submit/imagine', { prompt: 'one' })).body.result as string;
      const b = (await w.submit('/mj/submit/imagine', { prompt: 'two' })).body.result as string;
      const auth = { headers: { 'mj-api-secret': w.key } };
      const byIds = await w.t.request('POST', '/mj/task/list-by-condition', {
        ...auth,
        body: { ids: [a, Number(b), a, '0000000000000000'] },
      });
      expect(byIds.body.map((task: { id: string }) => task.id).sort()).toEqual([a, b].sort());
      expect((await w.t.request('POST', '/mj/task/list-by-condition', { ...auth, body: {} })).body).toEqual(
        [],
      );
      const list = await w.t.request('GET', '/mj/task/list?limit=2', auth);
      expect(list.body.map((task: { id: string }) => task.id)).toEqual([b, a]);
      const queue = await w.t.request('GET', '/mj/task/queue', auth);
      const queued = queue.body.map((task: { id: string }) => task.id);
      expect(queued.indexOf(a)).toBeLessThan(queued.indexOf(b));
      const mode = await w.t.request('GET', `/mj-relax/mj/task/${a}/fetch`, auth);
      expect(mode.body.id).toBe(a);
      expect((await w.t.request('GET', `/nonsense/mj/task/${a}/fetch`, auth)).status).toBe(404);
    });
  });
}
