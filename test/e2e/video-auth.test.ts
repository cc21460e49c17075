// Who may call the video routes: every /v1/video* route × every kind of caller. No key, a bad key, a disabled
// key or a dashboard token is a 401 in OpenAI's shape; another user's task is "not found" on every route.
// The table must list every video route the app registers: a new route without a row fails the first test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateToken } from '../../src/store/tokens.js';
import type { Response } from '../support/app.js';
import { backends } from '../support/databases.js';
import { multipartBody, pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

interface Row {
  method: 'GET' | 'POST';
  route: string;
  /** The path and body for a request about task `id`. */
  call(id: string): { path: string; body?: unknown };
  /** Whether the route names an existing task (then a foreign id is a 404). */
  namesTask: boolean;
}

const ROUTES: Row[] = [
  {
    method: 'POST',
    route: '/v1/videos',
    call: () => ({ path: '/v1/videos', body: { prompt: 'p' } }),
    namesTask: false,
  },
  {
    method: 'POST',
    route: '/v1/video/generations',
    call: () => ({ path: '/v1/video/generations', body: { prompt: 'p', model: 'sora-2' } }),
    namesTask: false,
  },
  { method: 'GET', route: '/v1/videos', call: () => ({ path: '/v1/videos?limit=5' }), namesTask: false },
  { method: 'GET', route: '/v1/videos/:id', call: (id) => ({ path: `/v1/videos/${id}` }), namesTask: true },
  {
    method: 'GET',
    route: '/v1/videos/:id/content',
    call: (id) => ({ path: `/v1/videos/${id}/content?variant=video` }),
    namesTask: true,
  },
  {
    method: 'POST',
    route: '/v1/videos/:id/remix',
    call: (id) => ({ path: `/v1/videos/${id}/remix`, body: { prompt: 'again' } }),
    namesTask: true,
  },
  {
    method: 'GET',
    route: '/v1/video/generations/:id',
    call: (id) => ({ path: `/v1/video/generations/${id}` }),
    namesTask: true,
  },
];

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`video routes authorization [${backend.dialect}]`, () => {
    let w: VideoWorld;
    let mine: string;
    let theirs: string;
    let strangerKey: string;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      strangerKey = (await w.t.createKey(stranger)).key;
      mine = (await w.create({ prompt: 'mine' })).body.id;
      theirs = (await w.create({ prompt: 'theirs' }, strangerKey)).body.id;
      await pollUntil(w, async () => (await w.task(theirs))?.status === 'SUCCESS');
    });
    afterAll(async () => w?.close());

    const send = (row: Row, id: string, headers: Record<string, string>) => {
      const { path, body } = row.call(id);
      return w.t.request(row.method, path, { body, headers });
    };

    function expectOpenAiError(response: Response, status: number, code: string) {
      expect(response.status, response.text).toBe(status);
      expect(response.body.error).toMatchObject({ code, type: 'invalid_request_error', param: null });
      expect(response.body.error.message.length).toBeGreaterThan(0);
      expect(response.text).not.toContain('sk-');
    }

    it('lists every registered video route', () => {
      const registered = w.t.routes
        .filter((r) => /^\/v1\/videos?(\/|$)/.test(r.url))
        .map((r) => `${r.method} ${r.url}`)
        .sort();
      expect(registered).toEqual(ROUTES.map((r) => `${r.method} ${r.route}`).sort());
    });

    const refusals: Array<[string, number, string, () => Promise<Record<string, string>>]> = [
      ['no key', 401, 'missing_api_key', async () => ({})],
      [
        'an unknown key',
        401,
        'invalid_api_key',
        async () => ({ authorization: `Bearer sk-${'x'.repeat(48)}` }),
      ],
      [
        'a dashboard access token',
        401,
        'invalid_api_key',
        async () => ({ authorization: `Bearer ${w.user.accessToken}` }),
      ],
      [
        'a disabled key',
        401,
        'api_key_disabled',
        async () => {
          const k = await w.t.createKey(w.user);
          await updateToken(w.t.ctx.store, w.user.id, k.id, { status: 2 });
          return { authorization: `Bearer ${k.key}` };
        },
      ],
    ];

    describe.each(ROUTES)('$method $route', (row) => {
      it.each(refusals)('refuses %s with %i', async (_name, status, code, headers) => {
        const calls = w.sim.state.calls.requests.length;
        expectOpenAiError(await send(row, mine, await headers()), status, code);
        expect(w.sim.state.calls.requests.length).toBe(calls);
      });
    });

    describe.each(ROUTES.filter((r) => r.namesTask))('$method $route', (row) => {
      it("answers another user's task and an unknown id with 404", async () => {
        const foreign = await send(row, theirs, { authorization: `Bearer ${w.key}` });
        expectOpenAiError(foreign, 404, 'task_not_found');
        expect(foreign.text).not.toContain(theirs.slice(5));
        const unknown = await send(row, 'task_nosuchtask', { authorization: `Bearer ${w.key}` });
        expect(unknown.status).toBe(404);
        expect(unknown.body).toEqual(foreign.body);
        // The owner reaches the same task through the same route.
        const own = await send(row, theirs, { authorization: `Bearer ${strangerKey}` });
        expect(own.status, own.text).toBe(200);
        if (row.route.endsWith('/content')) expect(own.headers.get('content-type')).toBe('video/mp4');
      });
    });

    describe.each(ROUTES.filter((r) => !r.namesTask && r.method === 'POST'))('$method $route', (row) => {
      it('refuses a model outside the key’s allow-list with 403, charging nothing', async () => {
        const limited = await w.t.createKey(w.user, { modelLimitsEnabled: true, modelLimits: 'sora-2-pro' });
        const { path } = row.call('');
        const before = await w.balance();
        const response = await w.t.request('POST', path, {
          body: { prompt: 'p', model: 'sora-2' },
          headers: { authorization: `Bearer ${limited.key}` },
        });
        expectOpenAiError(response, 403, 'model_not_allowed');
        expect(await w.balance()).toEqual(before);
      });
    });

    it('refuses an anonymous multipart upload before reading it', async () => {
      const form = multipartBody(
        { prompt: 'p' },
        { filename: 'a.png', type: 'image/png', data: Buffer.alloc(1024 * 1024, 1) },
      );
      const response = await fetch(`${w.t.url}/v1/videos`, {
        method: 'POST',
        headers: { 'content-type': form.contentType },
        body: form.body,
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe('missing_api_key');
    });

    it('an upload above the file limit is refused with 413, charging nothing', async () => {
      const before = await w.balance();
      const form = multipartBody(
        { prompt: 'p' },
        { filename: 'big.png', type: 'image/png', data: Buffer.alloc(21 * 1024 * 1024, 1) },
      );
      const response = await fetch(`${w.t.url}/v1/videos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.key}`, 'content-type': form.contentType },
        body: form.body,
      });
      expect(response.status).toBe(413);
      const body = (await response.json()) as { error: unknown };
      expect(body.error).toMatchObject({ type: 'invalid_request_error' });
      expect(await w.balance()).toEqual(before);
    });
  });
}
