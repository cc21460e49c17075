// Login and submit are rate limited, with the surface's own error body and a Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('allows 10 logins a minute per address, then answers 429 in the dashboard envelope and the caller’s language', async () => {
    const attempt = (lang = 'en') =>
      t.request('POST', '/api/user/login', {
        body: { username: 'root', password: 'wrong' },
        headers: { 'accept-language': lang },
      });
    for (let i = 0; i < 10; i++) expect((await attempt()).status).toBe(401);
    const limited = await attempt('zh');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ success: false, message: expect.stringContaining('请求过于频繁') });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits: the limit is on attempts, not failures.
    expect(
      (
        await t.request('POST', '/api/user/login', {
          body: { username: 'root', password: 'root-password-1' },
        })
      ).status,
    ).toBe(429);
  });

  it('limits Midjourney submits per API key (600 a minute), answering in midjourney-proxy’s shape', async () => {
    const user = await t.createUser({ quota: 1_000_000 });
    const { key } = await t.createKey(user);
    const other = await t.createKey(user);
    const submit = (k: string) =>
      t.request('POST', '/mj/submit/imagine', {
        body: { prompt: 'x' },
        headers: { authorization: `Bearer ${k}` },
      });
    const answers = await Promise.all(Array.from({ length: 600 }, () => submit(key)));
    // No channel exists, so every allowed submit is a clear 503 — none is limited yet.
    expect(answers.every((a) => a.status === 503)).toBe(true);
    const limited = await submit(key);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      code: 4,
      description: expect.stringContaining('Too many requests'),
    });
    // Another key of the same user has its own allowance.
    expect((await submit(other.key)).status).toBe(503);
  });

  // Every submit route counts per API key as authentication reads it (plugins/submit-rate-limit.ts), not per
  // Authorization header.
  const submitTo = (path: string, body: unknown) => (headers: Record<string, string>) =>
    t.request('POST', path, { body, headers });
  const mjSubmit = submitTo('/mj/submit/imagine', { prompt: 'x' });

  it('gives midjourney-proxy clients (Authorization: midjourney-proxy, key in mj-api-secret) an allowance each', async () => {
    const user = await t.createUser({ quota: 1_000_000 });
    const [a, b] = [await t.createKey(user), await t.createKey(user)];
    const asProxyClient = (key: string) => ({ authorization: 'midjourney-proxy', 'mj-api-secret': key });
    const answers = await Promise.all(Array.from({ length: 600 }, () => mjSubmit(asProxyClient(a.key))));
    expect(answers.every((r) => r.status === 503)).toBe(true);
    expect((await mjSubmit(asProxyClient(a.key))).status).toBe(429);
    // Another client with the same Authorization header is not limited by the first one's requests.
    expect((await mjSubmit(asProxyClient(b.key))).status).toBe(503);
  });

  // No channel is configured: each allowed submit is refused for that (a 400 model_not_found on the video route,
  // where the client picks the model; a 503 elsewhere), before anything is charged.
  it.each([
    ['Midjourney', mjSubmit, 503],
    ['Suno', submitTo('/suno/submit/music', { prompt: 'x' }), 503],
    ['video', submitTo('/v1/videos', { model: 'sora-2', prompt: 'x' }), 400],
  ])('counts one key once however its header is spelt (%s)', async (_name, submit, unserved) => {
    const user = await t.createUser({ quota: 1_000_000 });
    const { key } = await t.createKey(user);
    const answers = await Promise.all(
      Array.from({ length: 600 }, () => submit({ authorization: `Bearer ${key}` })),
    );
    expect(answers.every((r) => r.status === unserved)).toBe(true);
    const spellings: Array<Record<string, string>> = [
      { authorization: `Bearer  ${key}` },
      { authorization: `bearer ${key}` },
      { authorization: key },
      { 'mj-api-secret': key },
    ];
    for (const headers of spellings) {
      expect((await submit(headers)).status, JSON.stringify(headers).replace(key, 'sk-…')).toBe(429);
    }
  });
});
