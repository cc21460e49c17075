// new-api clients send the page size as `ps` (and some as `size`) instead of `page_size`: every list route takes
// all three, with the same bounds and the same clear 400s, `page_size` first, then `ps`, then `size` as new-api reads
// them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMjPublicId, newTaskPublicId } from '../../src/core/ids.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { type Actor, startTestApp, type TestApp } from '../support/app.js';

describe('page size aliases on every list route [sqlite]', () => {
  let t: TestApp;
  let user: Actor;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    user = await t.createUser({ quota: 1000 });
    // Two rows on each list: keys, ledger rows (a top-up each), users.
    await t.createKey(user);
    await t.createKey(user);
    await t.request('PUT', '/api/user/', { as: t.root, body: { id: user.id, quota: 2000 } });
    for (const [platform, action] of [
      ['midjourney', 'IMAGINE'],
      ['midjourney', 'IMAGINE'],
      ['suno', 'song'],
      ['suno', 'song'],
    ] as const) {
      const taskId = platform === 'midjourney' ? newMjPublicId(t.clock.now()) : newTaskPublicId();
      await insertTask(
        t.ctx.store,
        taskValues(
          { task_id: taskId, platform, action, user_id: user.id, submit_time: t.clock.now() },
          t.clock.now(),
        ),
      );
    }
    for (const name of ['one', 'two']) {
      await t.request('POST', '/api/channel/', {
        as: t.root,
        body: { type: 'suno', name, base_url: 'http://127.0.0.1:9', key: 'k' },
      });
    }
  });
  afterAll(async () => t?.close());

  const routes: Array<{ path: string; as: () => Actor }> = [
    { path: '/api/user/', as: () => t.root },
    { path: '/api/token/', as: () => user },
    { path: '/api/channel/', as: () => t.root },
    { path: '/api/log/self', as: () => user },
    { path: '/api/log/', as: () => t.root },
    { path: '/api/mj/self', as: () => user },
    { path: '/api/mj/', as: () => t.root },
    { path: '/api/task/self', as: () => user },
    { path: '/api/task/', as: () => t.root },
  ];
  const get = (route: (typeof routes)[number], query: string) =>
    t.request('GET', `${route.path}?${query}`, { as: route.as() });

  it.each(routes)('$path: ps and size set the page size like page_size', async (route) => {
    for (const name of ['page_size', 'ps', 'size']) {
      for (const size of [1, 7, 100]) {
        const response = await get(route, `${name}=${size}`);
        expect(response.status, `${name}=${size}: ${response.text}`).toBe(200);
        expect(response.body.data.page_size).toBe(size);
      }
    }
  });

  it.each(routes)('$path: page_size wins over ps, ps over size', async (route) => {
    expect((await get(route, 'page_size=3&ps=4&size=5')).body.data.page_size).toBe(3);
    expect((await get(route, 'ps=4&size=5')).body.data.page_size).toBe(4);
    // An empty value is absent, as it is for page_size.
    expect((await get(route, 'page_size=&ps=&size=5')).body.data.page_size).toBe(5);
  });

  it.each(routes)('$path: ps and size limit the rows', async (route) => {
    const all = await get(route, 'page_size=100');
    expect(all.body.data.total).toBeGreaterThanOrEqual(2);
    for (const name of ['ps', 'size']) {
      const one = await get(route, `${name}=1`);
      expect(one.body.data.items).toHaveLength(1);
      expect(one.body.data.items[0]).toEqual(all.body.data.items[0]);
      const second = await get(route, `${name}=1&p=2`);
      expect(second.body.data.items[0]).toEqual(all.body.data.items[1]);
    }
  });

  it.each(routes)('$path: a bad ps or size is a 400 naming it', async (route) => {
    for (const name of ['ps', 'size']) {
      for (const value of ['ten', '2.5', '-5', '0', '101', '100000']) {
        const response = await get(route, `${name}=${value}`);
        expect(response.status, `${name}=${value}: ${response.text}`).toBe(400);
        expect(response.body).toEqual({
          success: false,
          message: expect.stringMatching(new RegExp(`\\b${name}\\b`)),
        });
      }
    }
  });
});
