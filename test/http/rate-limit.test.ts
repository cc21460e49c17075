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
});
