// Relay key lookups are cached briefly (api-key-cache.ts); every change made through the API takes effect on the
// very next request: a key disabled, deleted or out of quota, and a user disabled.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyCache, type KeyRows } from '../../src/http/plugins/api-key-cache.js';
import type { TokenRow, UserRow } from '../../src/store/schema.js';
import { startTestApp, type TestApp } from '../support/app.js';

const token = (id: number, userId: number) => ({ id, user_id: userId }) as TokenRow;
const user = (id: number) => ({ id }) as UserRow;

describe('ApiKeyCache', () => {
  it('keeps rows until their token or user is forgotten', () => {
    const cache = new ApiKeyCache(60_000);
    cache.set('a', token(1, 10), user(10), cache.begin());
    cache.set('b', token(2, 20), user(20), cache.begin());
    expect(cache.get('a')?.token.id).toBe(1);
    cache.forgetToken(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.user.id).toBe(20);
    cache.forgetUser(20);
    expect(cache.get('b')).toBeUndefined();
  });

  it('does not store a lookup that began before an invalidation', () => {
    const cache = new ApiKeyCache(60_000);
    const begun = cache.begin();
    cache.forgetToken(99);
    cache.set('a', token(1, 10), user(10), begun);
    expect(cache.get('a')).toBeUndefined();
  });

  it('shares one store read among the requests that miss the same key together', async () => {
    const cache = new ApiKeyCache(60_000);
    let loads = 0;
    let finish = (_rows: KeyRows | null) => {};
    const load = () => {
      loads++;
      return new Promise<KeyRows | null>((resolve) => {
        finish = resolve;
      });
    };
    const waiting = [cache.read('a', load), cache.read('a', load), cache.read('a', load)];
    const other = cache.read('b', async () => ({ token: token(2, 20), user: user(20) }));
    expect(loads).toBe(1);
    finish({ token: token(1, 10), user: user(10) });
    for (const found of await Promise.all(waiting)) expect(found?.token.id).toBe(1);
    expect((await other)?.token.id).toBe(2);
    expect(cache.get('a')?.user.id).toBe(10);
    // Settled reads are not kept: the next miss reads again.
    cache.forgetToken(1);
    await cache.read('a', async () => {
      loads++;
      return null;
    });
    expect(loads).toBe(2);
  });

  it('starts a fresh read after an invalidation instead of joining one begun before it', async () => {
    const cache = new ApiKeyCache(60_000);
    let finishOld = (_rows: KeyRows | null) => {};
    const old = cache.read(
      'a',
      () =>
        new Promise<KeyRows | null>((resolve) => {
          finishOld = resolve;
        }),
    );
    cache.forgetToken(1);
    const fresh = cache.read('a', async () => null);
    finishOld({ token: token(1, 10), user: user(10) });
    expect((await old)?.token.id).toBe(1);
    expect(await fresh).toBeNull();
    // The read begun before the change stored nothing, and the key is looked up again next time.
    expect(cache.get('a')).toBeUndefined();
    expect(await cache.read('a', async () => null)).toBeNull();
  });

  it('lets a failed read go, so the next request reads again', async () => {
    const cache = new ApiKeyCache(60_000);
    await expect(cache.read('a', () => Promise.reject(new Error('database gone')))).rejects.toThrow(
      'database gone',
    );
    expect((await cache.read('a', async () => ({ token: token(1, 10), user: user(10) })))?.token.id).toBe(1);
  });

  it('stores nothing with a TTL of 0', () => {
    const cache = new ApiKeyCache(0);
    cache.set('a', token(1, 10), user(10), cache.begin());
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('relay key changes through the API take effect at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t?.close());

  const list = (key: string) =>
    t.request('GET', '/mj/task/list', { headers: { authorization: `Bearer ${key}` } });

  it('a disabled key, then a re-enabled one', async () => {
    const owner = await t.createUser();
    const { id, key } = await t.createKey(owner);
    expect((await list(key)).status).toBe(200);
    const off = await t.request('PUT', '/api/token/?status_only=true', {
      as: owner,
      body: { id, status: 2 },
    });
    expect(off.status).toBe(200);
    expect((await list(key)).status).toBe(401);
    await t.request('PUT', '/api/token/?status_only=true', { as: owner, body: { id, status: 1 } });
    expect((await list(key)).status).toBe(200);
  });

  it('a deleted key', async () => {
    const owner = await t.createUser();
    const { id, key } = await t.createKey(owner);
    expect((await list(key)).status).toBe(200);
    expect((await t.request('DELETE', `/api/token/${id}`, { as: owner })).status).toBe(200);
    expect((await list(key)).status).toBe(401);
  });

  it('a key whose quota is set to nothing', async () => {
    const owner = await t.createUser();
    const { id, key } = await t.createKey(owner);
    expect((await list(key)).status).toBe(200);
    const put = await t.request('PUT', '/api/token/', {
      as: owner,
      body: { id, unlimited_quota: false, remain_quota: 0 },
    });
    expect(put.status).toBe(200);
    expect((await list(key)).status).toBe(401);
  });

  it('a disabled user', async () => {
    const owner = await t.createUser();
    const { key } = await t.createKey(owner);
    expect((await list(key)).status).toBe(200);
    const put = await t.request('PUT', '/api/user/', { as: t.root, body: { id: owner.id, status: 2 } });
    expect(put.status).toBe(200);
    expect((await list(key)).status).toBe(403);
  });
});

describe('keys on one keep-alive connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t?.close());

  it('each request is judged by the key it presents, not the one the connection presented before', async () => {
    const owner = await t.createUser();
    const { key } = await t.createKey(owner);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const list = (authorization: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(
          `${t.url}/mj/task/list`,
          { agent, headers: { authorization } },
          (response) => {
            sockets.add(request.socket);
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        request.on('error', reject);
      });
    try {
      expect(await list(`Bearer ${key}`)).toBe(200);
      expect(await list(`Bearer ${key}x`)).toBe(401);
      expect(await list(`Bearer ${key}`)).toBe(200);
      expect(await list('Bearer sk-not-a-key')).toBe(401);
      // All four on the same connection, or this would not test the per-connection memory of the key's hash.
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
