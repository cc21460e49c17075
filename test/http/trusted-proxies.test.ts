// A key's IP allow-list cannot be passed by a forged X-Forwarded-For; a configured proxy's header is believed.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

describe('client addresses behind proxies', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  const tryKey = async (app: TestApp) => {
    const user = await app.createUser();
    const { key } = await app.createKey(user, { allowIps: '10.9.9.9' });
    return app.request('GET', '/v1/models', {
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': '10.9.9.9' },
    });
  };

  it('ignores X-Forwarded-For by default', async () => {
    t = await startTestApp('sqlite');
    const response = await tryKey(t);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('ip_not_allowed');
  });

  it('believes X-Forwarded-For from a proxy listed in TRUSTED_PROXIES', async () => {
    t = await startTestApp('sqlite', { TRUSTED_PROXIES: '127.0.0.1' });
    expect((await tryKey(t)).status).toBe(200);
  });
});
