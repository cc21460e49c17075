import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  it('serves status, login and self', async () => {
    expect((await t.request('GET', '/healthz')).status).toBe(200);
    const status = await t.request('GET', '/api/status');
    expect(status.body.success).toBe(true);
    const login = await t.request('POST', '/api/user/login', {
      body: { username: 'root', password: 'root-password-1' },
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const self = await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': '1' } });
    expect(self.body.data.username).toBe('root');
    expect(self.body.data.quota).toBe(100_000_000);
  });
});
