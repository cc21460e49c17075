// Who may call the Suno relay: every /suno/* route × every kind of bad credential (refused in the Suno envelope
// before the body is even read, nothing charged), the key's model allow-list on submits, and per-user scoping:
// another user's task is "not found" on fetch and in a continuation. The route table must list every /suno/
// route the app registers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateToken } from '../../src/store/tokens.js';
import type { Actor, Response } from '../support/app.js';
import { backends } from '../support/databases.js';
import { pollUntil, type SunoWorld, startSunoWorld, statusIs, submitted } from '../support/suno-world.js';

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`suno relay authorization [${backend.dialect}]`, () => {
    let w: SunoWorld;
    let songId: string;
    let clipId: string;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
      songId = await submitted(w, 'music', { prompt: 'the owner’s song' });
      await pollUntil(w, statusIs(w, songId, 'SUCCESS'), { simMs: 20_000 });
      clipId = (await w.fetchOne(songId)).body.data.data[0].id;
    });
    afterAll(async () => w?.close());

    /** One valid call per route, as registered. */
    const ROUTES: Record<string, () => Call> = {
      'POST /suno/submit/:action': () => ({
        method: 'POST',
        path: '/suno/submit/lyrics',
        body: { prompt: 'x' },
      }),
      'POST /suno/fetch': () => ({ method: 'POST', path: '/suno/fetch', body: { ids: [songId] } }),
      'GET /suno/fetch/:id': () => ({ method: 'GET', path: `/suno/fetch/${songId}` }),
    };
    const send = (call: Call, headers: Record<string, string>) =>
      w.t.request(call.method, call.path, { body: call.body, headers });
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    function expectSunoError(response: Response, status: number, code: string) {
      expect(response.status, response.text).toBe(status);
      expect(response.body).toEqual({ code, message: expect.any(String), data: null });
      expect(response.body.message.length).toBeGreaterThan(0);
      expect(response.text).not.toContain('sk-');
    }

    it('the table lists every /suno/ route the app registers', () => {
      const registered = w.t.routes
        .filter((r) => r.url.startsWith('/suno/'))
        .map((r) => `${r.method} ${r.url}`);
      expect(registered.sort()).toEqual(Object.keys(ROUTES).sort());
    });

    const refusals: Array<{
      name: string;
      status: number;
      code: string;
      headers: (user: Actor) => Promise<Record<string, string>>;
    }> = [
      { name: 'no key', status: 401, code: 'missing_api_key', headers: async () => ({}) },
      {
        name: 'an unknown key',
        status: 401,
        code: 'invalid_api_key',
        headers: async () => bearer(`sk-${'x'.repeat(48)}`),
      },
      {
        name: 'a disabled key',
        status: 401,
        code: 'api_key_disabled',
        headers: async (user) => {
          const k = await w.t.createKey(user);
          await updateToken(w.t.ctx.store, user.id, k.id, { status: 2 });
          return bearer(k.key);
        },
      },
      {
        name: 'an expired key',
        status: 401,
        code: 'api_key_expired',
        headers: async (user) =>
          bearer((await w.t.createKey(user, { expiredTime: w.t.clock.now() / 1000 - 60 })).key),
      },
      {
        name: 'a key without quota left',
        status: 401,
        code: 'token_quota_exhausted',
        headers: async (user) =>
          bearer((await w.t.createKey(user, { unlimitedQuota: false, remainQuota: 0 })).key),
      },
      {
        name: 'a key of a disabled user',
        status: 403,
        code: 'user_disabled',
        headers: async () => bearer((await w.t.createKey(await w.t.createUser({ disabled: true }))).key),
      },
      {
        name: 'a key whose IP allow-list excludes 127.0.0.1',
        status: 403,
        code: 'ip_not_allowed',
        headers: async (user) => bearer((await w.t.createKey(user, { allowIps: '10.1.2.3' })).key),
      },
      {
        name: 'a dashboard access token instead of a key',
        status: 401,
        code: 'invalid_api_key',
        headers: async (user) => bearer(user.accessToken),
      },
    ];

    it.each(refusals)('every route refuses $name with $status and charges nothing', async (refusal) => {
      const before = await w.balance();
      for (const [route, call] of Object.entries(ROUTES)) {
        const headers = await refusal.headers(w.user);
        expectSunoError(await send(call(), headers), refusal.status, refusal.code);
        // Credentials are checked before the body: a caller without them learns nothing about its input.
        if (call().body !== undefined) {
          const junk = await w.t.request(call().method, call().path, {
            rawBody: '{"ids":',
            headers: { ...headers, 'content-type': 'application/json' },
          });
          expect(junk.status, `${route} with a broken body`).toBe(refusal.status);
        }
      }
      expect(await w.balance()).toEqual(before);
    });

    it('every route accepts the key as Bearer, bare, or as mj-api-secret', async () => {
      for (const headers of [bearer(w.key), { authorization: w.key }, { 'mj-api-secret': w.key }]) {
        for (const [route, call] of Object.entries(ROUTES)) {
          const response = await send(call(), headers);
          expect(response.status, `${route} ${response.text}`).toBe(200);
          expect(response.body.code).toBe('success');
        }
      }
    });

    it('a key limited to other models may not submit songs, and is not charged', async () => {
      const { key } = await w.t.createKey(w.user, { modelLimitsEnabled: true, modelLimits: 'suno_lyrics' });
      const before = await w.balance();
      expectSunoError(await w.submit('music', { prompt: 'not allowed' }, key), 403, 'model_not_allowed');
      expect(await w.balance()).toEqual(before);
      expect((await w.submit('lyrics', { prompt: 'allowed' }, key)).status).toBe(200);
      // Reading is not a model use.
      expect((await w.fetchOne(songId, key)).status).toBe(200);
    });

    it('another user’s task is unknown: fetch 404, batch fetch leaves it out, continuation 404', async () => {
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      const { key } = await w.t.createKey(stranger);
      expectSunoError(await w.fetchOne(songId, key), 404, 'task_not_exist');
      expectSunoError(await w.fetchOne('task_doesnotexist', key), 404, 'task_not_exist');
      expect((await w.fetchMany([songId], key)).body).toEqual({ code: 'success', message: '', data: [] });
      const balance = await w.t.ctx.store.db
        .selectFrom('users')
        .select('quota')
        .where('id', '=', stranger.id)
        .executeTakeFirstOrThrow();
      const continuation = await w.submit(
        'music',
        { prompt: 'steal', continue_clip_id: clipId, task_id: songId },
        key,
      );
      expectSunoError(continuation, 404, 'task_not_exist');
      const after = await w.t.ctx.store.db
        .selectFrom('users')
        .select('quota')
        .where('id', '=', stranger.id)
        .executeTakeFirstOrThrow();
      expect(after.quota).toBe(balance.quota);
      // Upstream ids are not public ids either: naming the song's upstream id finds nothing.
      const upstreamId = (await w.task(songId))!.upstream_id;
      expectSunoError(await w.fetchOne(upstreamId), 404, 'task_not_exist');
    });
  });
}
