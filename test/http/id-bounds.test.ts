// Row ids past 15 digits: JSON numbers beyond 2^53 round to a neighbour when parsed, and database id columns are
// narrower still, so every id a dashboard route reads (body, path or query) must be refused with a clear 400 —
// never rounded to another row, never a 404 for a row nobody named, never a 500 from the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, type Response, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

const expectIdError = (response: Response, name: RegExp) => {
  expect(response.status, response.text).toBe(400);
  expect(response.body).toEqual({ success: false, message: expect.any(String) });
  expect(response.body.message).toMatch(name);
};

// Raw JSON, so the client's own number parsing changes nothing: these are the texts a client sends.
const HUGE_IDS = [
  '1234567890123456', // 16 digits, still exact in a double
  '9007199254740993', // 2^53 + 1: parses to 2^53
  '12345678901234567890',
  '1e20',
  '1e400', // parses to Infinity
];

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`ids past 15 digits [${backend.dialect}]`, () => {
    let t: TestApp;
    let user: Actor;
    let keyId: number;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
      user = await t.createUser();
      keyId = (await t.createKey(user)).id;
    });
    afterAll(async () => t?.close());

    const put = (path: string, as: Actor, rawBody: string) =>
      t.request('PUT', path, { as, rawBody, headers: { 'content-type': 'application/json' } });

    const bodyRoutes = [
      { path: '/api/user/', as: () => t.root, extra: '"display_name": "x"' },
      { path: '/api/token/', as: () => user, extra: '"name": "x"' },
      { path: '/api/channel/', as: () => t.root, extra: '"name": "x"' },
    ];

    it.each(bodyRoutes)('PUT $path with an id past 15 digits is a 400 naming the id', async (route) => {
      for (const id of HUGE_IDS) {
        expectIdError(await put(route.path, route.as(), `{"id": ${id}, ${route.extra}}`), /\bid\b/);
      }
      // The largest id accepted is a plain unknown row.
      const edge = await put(route.path, route.as(), `{"id": 999999999999999, ${route.extra}}`);
      expect(edge.status, edge.text).toBe(404);
    });

    it('PUT /api/token/ with a real id still works', async () => {
      const response = await put('/api/token/', user, `{"id": ${keyId}, "name": "renamed"}`);
      expect(response.status, response.text).toBe(200);
      expect(response.body.data.name).toBe('renamed');
    });

    it('path and query ids past 15 digits are 400s naming them', async () => {
      for (const path of ['/api/user/', '/api/channel/', '/api/channel/test/']) {
        expectIdError(await t.request('GET', `${path}1234567890123456`, { as: t.root }), /\bid\b/);
      }
      expectIdError(await t.request('GET', '/api/token/1234567890123456', { as: user }), /\bid\b/);
      const notify = await t.request('POST', '/mj/notify/1234567890123456/secret', { body: {} });
      expect(notify.status, notify.text).toBe(400);
      expect(notify.body.description).toMatch(/channelId/);
      for (const [path, name] of [
        ['/api/log/', 'user_id'],
        ['/api/mj/', 'channel_id'],
        ['/api/task/', 'user_id'],
      ]) {
        expectIdError(
          await t.request('GET', `${path}?${name}=1234567890123456`, { as: t.root }),
          new RegExp(name),
        );
      }
    });
  });
}
