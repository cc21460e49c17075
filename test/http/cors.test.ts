// CORS (plugins/cors.ts): browsers may call the relay and the media links from any origin, with the relay's
// header credentials; the cookie-authenticated dashboard API and the UI answer no cross-origin request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const ORIGIN = 'https://chat.example.com';

describe('CORS on the relay and media routes only [sqlite]', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    ({ key } = await t.createKey(await t.createUser({ quota: 1_000_000 })));
  });
  afterAll(async () => t?.close());

  const preflight = (path: string, method: string, headers: string) =>
    fetch(`${t.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': method,
        'access-control-request-headers': headers,
      },
    });

  it.each([
    ['/mj/submit/imagine', 'POST', 'content-type,mj-api-secret'],
    ['/mj-fast/mj/submit/imagine', 'POST', 'content-type,mj-api-secret'],
    ['/suno/fetch', 'POST', 'content-type,authorization'],
    ['/v1/videos', 'POST', 'content-type,authorization'],
    ['/v1/videos/task_x/content', 'GET', 'authorization,range'],
    ['/mj/image/1234567890123456', 'GET', 'range'],
    ['/task/media/task_x/video', 'GET', 'range'],
  ])('answers the preflight for %s %s', async (path, method, headers) => {
    const answer = await preflight(path, method, headers);
    expect(answer.status, await answer.text()).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toContain(method);
    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase()).toBe(
      'authorization, mj-api-secret, content-type, range',
    );
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('marks relay answers readable cross-origin, refusals too', async () => {
    const listed = await fetch(`${t.url}/mj/task/list`, {
      headers: { origin: ORIGIN, 'mj-api-secret': key },
    });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe('*');
    expect(listed.headers.get('access-control-expose-headers')).toBe('Content-Range, Content-Length');
    // A browser must be able to read why it was refused.
    const refused = await fetch(`${t.url}/suno/fetch/task_unknown`, { headers: { origin: ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('sends no CORS headers to clients that are not browsers (no Origin): pollers pay nothing for them', async () => {
    const listed = await fetch(`${t.url}/mj/task/list`, { headers: { 'mj-api-secret': key } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBeNull();
    expect(listed.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('gives the dashboard API and the UI no CORS at all', async () => {
    const answer = await preflight('/api/user/self', 'GET', 'authorization,new-api-user');
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({ success: false, message: expect.any(String) });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    for (const path of ['/api/status', '/api/user/self', '/']) {
      const plain = await fetch(`${t.url}${path}`, { headers: { origin: ORIGIN } });
      expect(plain.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });
});
