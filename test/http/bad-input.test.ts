// Bad input on every dashboard route gets a clear 4xx with a message: never a 500, never a silent empty list.
// One block per class of bad input, each looping over every route the class applies to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMjPublicId, newTaskPublicId } from '../../src/core/ids.js';
import { MESSAGES } from '../../src/core/messages.js';
import type { Dialect } from '../../src/store/db.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { type Actor, type Response, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

// ---------------------------------------------------------------------------------------------------------------
// A fresh app per block (login is rate-limited per address, and no block should see another's leftovers), with
// a user who owns tasks on both listings, an API key and ledger rows, and a channel.

interface Env {
  t: TestApp;
  user: Actor;
  keyId: number;
  channelId: number;
}

function useApp(dialect: Dialect = 'sqlite'): () => Env {
  let env: Env;
  beforeAll(async () => {
    const t = await startTestApp(dialect);
    const user = await t.createUser({ quota: 1_000_000 });
    const { id: keyId } = await t.createKey(user, { name: 'seed key' });
    const now = t.clock.now();
    for (let i = 0; i < 2; i++) {
      const submit_time = now - i * 60_000;
      await insertTask(
        t.ctx.store,
        taskValues(
          {
            task_id: newMjPublicId(now + i),
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: user.id,
            submit_time,
          },
          now,
        ),
      );
      await insertTask(
        t.ctx.store,
        taskValues(
          { task_id: newTaskPublicId(), platform: 'suno', action: 'song', user_id: user.id, submit_time },
          now,
        ),
      );
    }
    const channel = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'suno', name: 'seed channel', base_url: 'http://127.0.0.1:9', key: 'upstream-secret' },
    });
    expect(channel.status, channel.text).toBe(200);
    env = { t, user, keyId, channelId: channel.body.data.id };
  });
  afterAll(async () => env?.t.close());
  return () => env;
}

type Caller = 'user' | 'root';
const actorOf = (env: Env, caller: Caller) => (caller === 'root' ? env.t.root : env.user);

/** A refused dashboard call: the exact status, `{success:false, message}` and a message worth reading. */
function expectClearError(response: Response, status: number, mention?: string | RegExp) {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ success: false, message: expect.any(String) });
  expect(response.body.message.trim()).not.toBe('');
  if (mention !== undefined) expect(response.body.message).toMatch(mention);
}

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
const withQuery = (path: string, params: Record<string, string>) => `${path}?${query(params)}`;

// ---------------------------------------------------------------------------------------------------------------
// Every list route, with the filters it takes.

interface ListRoute {
  path: string;
  caller: Caller;
  /** start_timestamp / end_timestamp */
  time?: boolean;
  /** Free-text filters: any string is a valid value. */
  text: string[];
  /** Numeric id filters (admin listings). */
  ids: string[];
  /** Filters with a closed set of values, with one valid value each. */
  enums: Record<string, string>;
}

const LIST_ROUTES: ListRoute[] = [
  { path: '/api/user/', caller: 'root', text: ['keyword'], ids: [], enums: {} },
  { path: '/api/token/', caller: 'user', text: [], ids: [], enums: {} },
  { path: '/api/channel/', caller: 'root', text: [], ids: [], enums: { type: 'suno', status: '1' } },
  { path: '/api/log/self', caller: 'user', time: true, text: ['task_id'], ids: [], enums: { kind: 'topup' } },
  {
    path: '/api/log/',
    caller: 'root',
    time: true,
    text: ['task_id'],
    ids: ['user_id'],
    enums: { kind: 'topup' },
  },
  {
    path: '/api/mj/self',
    caller: 'user',
    time: true,
    text: ['mj_id', 'action'],
    ids: [],
    enums: { status: 'NOT_START', platform: 'midjourney' },
  },
  {
    path: '/api/mj/',
    caller: 'root',
    time: true,
    text: ['mj_id', 'action'],
    ids: ['channel_id', 'user_id'],
    enums: { status: 'NOT_START', platform: 'midjourney' },
  },
  {
    path: '/api/task/self',
    caller: 'user',
    time: true,
    text: ['task_id', 'action'],
    ids: [],
    enums: { status: 'NOT_START', platform: 'suno' },
  },
  {
    path: '/api/task/',
    caller: 'root',
    time: true,
    text: ['task_id', 'action'],
    ids: ['channel_id', 'user_id'],
    enums: { status: 'NOT_START', platform: 'suno' },
  },
];

// Every route that takes a JSON body, with wrong-typed bodies and the field each must name.
interface BodyRoute {
  method: 'POST' | 'PUT';
  path: string;
  caller: Caller | 'anonymous';
  wrongTypes: (env: Env) => Array<{ body: unknown; field: string }>;
}

const CHANNEL = { type: 'suno', name: 'c', base_url: 'http://127.0.0.1:9', key: 'k' };

const BODY_ROUTES: BodyRoute[] = [
  {
    method: 'POST',
    path: '/api/user/login',
    caller: 'anonymous',
    wrongTypes: () => [
      { body: { username: 42, password: 'password-1234' }, field: 'username' },
      { body: { username: 'root', password: ['root-password-1'] }, field: 'password' },
    ],
  },
  {
    method: 'POST',
    path: '/api/user/',
    caller: 'root',
    wrongTypes: () => [
      { body: { username: 'new-user', password: 12345678 }, field: 'password' },
      { body: { username: 'new-user', password: 'password-1234', role: '10' }, field: 'role' },
      { body: { username: 'new user; --', password: 'password-1234' }, field: 'username' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/user/',
    caller: 'root',
    wrongTypes: (env) => [
      { body: { id: String(env.user.id) }, field: 'id' },
      { body: { id: env.user.id, quota: '100' }, field: 'quota' },
      { body: { id: env.user.id, status: true }, field: 'status' },
      { body: { id: env.user.id, quota: -1 }, field: 'quota' },
    ],
  },
  {
    method: 'POST',
    path: '/api/token/',
    caller: 'user',
    wrongTypes: () => [
      { body: { name: 5 }, field: 'name' },
      { body: { name: 'k', remain_quota: '100' }, field: 'remain_quota' },
      { body: { name: 'k', unlimited_quota: 'yes' }, field: 'unlimited_quota' },
      { body: { name: 'k', expired_time: 1.5 }, field: 'expired_time' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/token/',
    caller: 'user',
    wrongTypes: (env) => [
      { body: { id: String(env.keyId) }, field: 'id' },
      { body: { id: env.keyId, remain_quota: 1e20 }, field: 'remain_quota' },
      { body: { id: env.keyId, status: '2' }, field: 'status' },
    ],
  },
  {
    method: 'POST',
    path: '/api/channel/',
    caller: 'root',
    wrongTypes: () => [
      { body: { ...CHANNEL, priority: '3' }, field: 'priority' },
      { body: { ...CHANNEL, auto_ban: 1 }, field: 'auto_ban' },
      { body: { ...CHANNEL, base_url: 'javascript:alert(1)' }, field: 'base_url' },
      // Outbound proxies are HTTP(S) or SOCKS5 ones: SOCKS4 and anything else is refused.
      { body: { ...CHANNEL, proxy: 'socks4://127.0.0.1:1080' }, field: 'proxy' },
      { body: { ...CHANNEL, proxy: '127.0.0.1:7890' }, field: 'proxy' },
      { body: { ...CHANNEL, type: 'dall-e' }, field: 'type' },
      { body: { ...CHANNEL, type: '__proto__' }, field: 'type' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/channel/',
    caller: 'root',
    wrongTypes: (env) => [
      { body: { id: env.channelId, weight: 'heavy' }, field: 'weight' },
      { body: { id: env.channelId, push: 'on' }, field: 'push' },
      { body: { id: env.channelId, status: 4 }, field: 'status' },
    ],
  },
  {
    method: 'PUT',
    path: '/api/option/',
    caller: 'root',
    wrongTypes: () => [
      { body: { key: 5, value: '1' }, field: 'key' },
      { body: { key: 'RetryTimes' }, field: 'value' },
      { body: { key: 'RetryTimes', value: 'many' }, field: 'RetryTimes' },
    ],
  },
];

const sendBody = (env: Env, route: BodyRoute, rawBody: string, contentType = 'application/json') =>
  env.t.request(route.method, route.path, {
    as: route.caller === 'anonymous' ? undefined : actorOf(env, route.caller),
    rawBody,
    headers: { 'content-type': contentType },
  });

const get = (
  env: Env,
  route: ListRoute,
  params: Record<string, string> = {},
  headers?: Record<string, string>,
) => env.t.request('GET', withQuery(route.path, params), { as: actorOf(env, route.caller), headers });

// ---------------------------------------------------------------------------------------------------------------

describe('paging parameters on every list route [sqlite]', () => {
  const env = useApp();

  it.each(LIST_ROUTES)('$path: every route has rows to page through', async (route) => {
    const response = await get(env(), route);
    expect(response.status).toBe(200);
    expect(response.body.data.total).toBeGreaterThan(0);
    expect(response.body.data).toMatchObject({ page: 1, page_size: 20 });
  });

  it.each(LIST_ROUTES)('$path: a non-numeric p is a 400 naming p', async (route) => {
    for (const p of ['abc', '1.5', '1e2', '0x10', "1' OR '1'='1"]) {
      expectClearError(await get(env(), route, { p }), 400, /\bp\b/);
    }
    // Two values for one parameter are not a number either.
    expectClearError(
      await env().t.request('GET', `${route.path}?p=1&p=2`, { as: actorOf(env(), route.caller) }),
      400,
      /\bp\b/,
    );
  });

  it.each(LIST_ROUTES)('$path: p below 1 reads as page 1', async (route) => {
    const first = await get(env(), route, { p: '1' });
    for (const p of ['0', '-3']) {
      const response = await get(env(), route, { p });
      expect(response.status, response.text).toBe(200);
      expect(response.body.data.page).toBe(1);
      expect(response.body.data.items).toEqual(first.body.data.items);
    }
  });

  it.each(LIST_ROUTES)('$path: a non-numeric page_size is a 400 naming page_size', async (route) => {
    for (const page_size of ['ten', '2.5', '1e2']) {
      expectClearError(await get(env(), route, { page_size }), 400, /page_size/);
    }
  });

  // The issue: "page_size=-5 or 100000 gets a clear 4xx with a message" (newer than contract §5's clamping).
  it.each(LIST_ROUTES)('$path: page_size outside 1..100 is a 400 naming page_size', async (route) => {
    for (const page_size of ['-5', '0', '101', '100000']) {
      expectClearError(await get(env(), route, { page_size }), 400, /page_size/);
    }
  });

  it.each(LIST_ROUTES)(
    '$path: page_size 1 and 100 are accepted; a page past the end keeps its total',
    async (route) => {
      const one = await get(env(), route, { page_size: '1' });
      expect(one.status).toBe(200);
      expect(one.body.data.items).toHaveLength(1);
      expect(one.body.data.page_size).toBe(1);
      const hundred = await get(env(), route, { page_size: '100' });
      expect(hundred.body.data.page_size).toBe(100);
      const past = await get(env(), route, { p: '1000' });
      expect(past.status).toBe(200);
      expect(past.body.data).toMatchObject({ items: [], page: 1000, total: one.body.data.total });
    },
  );
});

describe('filters with numeric or closed values [sqlite]', () => {
  const env = useApp();
  const timed = LIST_ROUTES.filter((r) => r.time);
  const withIds = LIST_ROUTES.filter((r) => r.ids.length > 0);
  const withEnums = LIST_ROUTES.filter((r) => Object.keys(r.enums).length > 0);

  it.each(timed)('$path: a non-numeric or negative time filter is a 400 naming it', async (route) => {
    for (const name of ['start_timestamp', 'end_timestamp']) {
      for (const value of ['yesterday', '12abc', '1e9', '2026-01-01', '-1']) {
        expectClearError(await get(env(), route, { [name]: value }), 400, new RegExp(name));
      }
    }
    expectClearError(
      await get(env(), route, { start_timestamp: '1800000000', end_timestamp: '1700000000' }),
      400,
      /start_timestamp/,
    );
  });

  it.each(timed)('$path: valid seconds and milliseconds bounds still find the rows', async (route) => {
    const seconds = String(Math.floor(env().t.clock.now() / 1000));
    const ms = String(env().t.clock.now());
    const windows: Array<Record<string, string>> = [
      { end_timestamp: seconds },
      { start_timestamp: '0', end_timestamp: ms },
    ];
    for (const params of windows) {
      const response = await get(env(), route, params);
      expect(response.status, response.text).toBe(200);
      expect(response.body.data.total).toBeGreaterThan(0);
    }
  });

  it.each(withIds)('$path: a non-numeric id filter is a 400 naming it', async (route) => {
    for (const name of route.ids) {
      for (const value of ['abc', '1.5', '1 OR 1=1', '-2']) {
        expectClearError(await get(env(), route, { [name]: value }), 400, new RegExp(name));
      }
    }
  });

  it.each(withEnums)('$path: an unknown value of a closed filter is a 400 naming it', async (route) => {
    for (const [name, valid] of Object.entries(route.enums)) {
      const ok = await get(env(), route, { [name]: valid });
      expect(ok.status, `${name}=${valid}: ${ok.text}`).toBe(200);
      for (const value of ['DONE', 'success', 'midjourney-v7', "' OR 1=1 --", 'constructor', '__proto__']) {
        if (value === valid) continue;
        expectClearError(await get(env(), route, { [name]: value }), 400, new RegExp(name));
      }
    }
  });

  it('the MJ listings take only the midjourney platform, the task listings never it', async () => {
    const user = env().user;
    expectClearError(
      await env().t.request('GET', '/api/mj/self?platform=suno', { as: user }),
      400,
      /platform/,
    );
    expectClearError(
      await env().t.request('GET', '/api/task/self?platform=midjourney', { as: user }),
      400,
      /platform/,
    );
  });
});

// SQL-looking strings (and names of JavaScript internals) are strings: they match nothing and break nothing, on
// every engine.
const SPECIAL_STRINGS = [
  "' OR '1'='1",
  "1' OR 1=1 -- ",
  '" OR ""="',
  "x'); DROP TABLE tasks; --",
  '1; DELETE FROM users',
  "' UNION SELECT id, username, password_hash FROM users --",
  "%' OR 'a' LIKE '%",
  "\\' OR 1=1 #",
  "admin'/*",
  "'; UPDATE users SET role = 100 WHERE '1'='1",
  'constructor',
  '__proto__',
  'toString',
];

async function tableCounts(env: Env) {
  const db = env.t.ctx.store.db;
  const count = async (table: 'tasks' | 'users' | 'ledger' | 'tokens' | 'channels') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    tasks: await count('tasks'),
    users: await count('users'),
    ledger: await count('ledger'),
    tokens: await count('tokens'),
    channels: await count('channels'),
  };
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(
    `SQL-looking strings, over-long strings and NUL characters [${backend.dialect}]`,
    () => {
      const env = useApp(backend.dialect);
      const withText = LIST_ROUTES.filter((r) => r.text.length > 0);

      it.each(withText)('$path: SQL in a text filter matches no row and changes nothing', async (route) => {
        const before = await tableCounts(env());
        const baseline = await get(env(), route);
        expect(baseline.body.data.total).toBeGreaterThan(0);
        for (const name of route.text) {
          for (const value of SPECIAL_STRINGS) {
            const response = await get(env(), route, { [name]: value });
            expect(response.status, `${name}=${value}: ${response.text}`).toBe(200);
            expect(response.body.data, `${name}=${value}`).toMatchObject({ items: [], total: 0 });
          }
        }
        expect(await tableCounts(env())).toEqual(before);
        expect(before.tasks).toBe(4);
        const user = await env().t.request('GET', '/api/user/self', { as: env().user });
        expect(user.body.data.role).toBe(1);
      });

      it('SQL in a JSON body is stored as text, verbatim', async () => {
        const name = "k'); DROP TABLE tokens; --";
        const created = await env().t.request('POST', '/api/token/', { as: env().user, body: { name } });
        expect(created.status, created.text).toBe(200);
        const read = await env().t.request('GET', `/api/token/${created.body.data.id}`, { as: env().user });
        expect(read.body.data.name).toBe(name);
        expect((await tableCounts(env())).tasks).toBe(4);
      });

      it.each(withText)('$path: a text filter over its length limit is a 400 naming it', async (route) => {
        for (const name of route.text) {
          expectClearError(
            await get(env(), route, { [name]: "' OR 1=1 --".repeat(30) }),
            400,
            new RegExp(name),
          );
        }
      });

      it.each(withText)('$path: a NUL character in a filter is a 400', async (route) => {
        for (const name of route.text) {
          expectClearError(await get(env(), route, { [name]: 'a\u0000b' }), 400, /NUL/);
        }
      });

      it.each(BODY_ROUTES)('$method $path: a NUL character in the body is a 400', async (route) => {
        const body = JSON.stringify({ name: 'a\u0000b', username: 'a\u0000b', key: 'a\u0000b' });
        expectClearError(await sendBody(env(), route, body), 400, /NUL/);
      });
    },
  );
}

describe('malformed and unparsable bodies on every JSON route [sqlite]', () => {
  const env = useApp();

  it.each(BODY_ROUTES)('$method $path: malformed JSON is a 400 "not valid JSON"', async (route) => {
    for (const raw of ['{bad', '{"name": "x",}', '{"name": "x"', '']) {
      expectClearError(await sendBody(env(), route, raw), 400, /not valid JSON/);
    }
  });

  it.each(BODY_ROUTES)('$method $path: JSON nested deeper than any real body is a 400', async (route) => {
    const deep = (levels: number) => `{"name": "x", "extra": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
    for (const levels of [64, 200_000])
      expectClearError(await sendBody(env(), route, deep(levels)), 400, /nested/);
  });

  it.each(BODY_ROUTES)('$method $path: JSON that is not an object is a 400', async (route) => {
    for (const raw of ['[]', 'null']) {
      expectClearError(await sendBody(env(), route, raw), 400, /body must be object/);
    }
  });

  it.each(BODY_ROUTES)('$method $path: a form body is a 415', async (route) => {
    expectClearError(
      await sendBody(env(), route, 'name=x', 'application/x-www-form-urlencoded'),
      415,
      /content type/i,
    );
  });
});

describe('wrong types in JSON bodies [sqlite]', () => {
  const env = useApp();

  it.each(BODY_ROUTES)('$method $path: a wrong-typed field is a 400 naming the field', async (route) => {
    for (const { body, field } of route.wrongTypes(env())) {
      const response = await sendBody(env(), route, JSON.stringify(body));
      expectClearError(response, 400, new RegExp(field));
    }
  });

  it('an update naming only the key id changes nothing and says so plainly', async () => {
    const { t, user, keyId } = env();
    const before = await t.request('GET', `/api/token/${keyId}`, { as: user });
    const noop = await t.request('PUT', '/api/token/', { as: user, body: { id: keyId } });
    expect(noop.status, noop.text).toBe(200);
    expect(noop.body.data).toEqual(before.body.data);
    expectClearError(
      await t.request('PUT', '/api/token/?status_only=true', { as: user, body: { id: keyId } }),
      400,
      /status/,
    );
  });
});

describe('oversized bodies on every JSON route [sqlite]', () => {
  const env = useApp();
  const oneMiB = 1024 * 1024;

  it.each(BODY_ROUTES)('$method $path: a body over 1 MiB is a 413', async (route) => {
    const raw = JSON.stringify({
      name: 'x'.repeat(oneMiB),
      username: 'u',
      password: 'p',
      key: 'k',
      value: 'v',
    });
    expect(raw.length).toBeGreaterThan(oneMiB);
    expectClearError(await sendBody(env(), route, raw), 413, /too large/);
  });
});

describe('unknown ids and routes [sqlite]', () => {
  const env = useApp();
  const unknown = 987_654_321;

  const notFound: Array<{
    method: string;
    path: string;
    caller: Caller;
    body?: object;
    code: keyof typeof MESSAGES;
  }> = [
    { method: 'GET', path: `/api/user/${unknown}`, caller: 'root', code: 'user_not_found' },
    {
      method: 'PUT',
      path: '/api/user/',
      caller: 'root',
      body: { id: unknown, display_name: 'x' },
      code: 'user_not_found',
    },
    { method: 'GET', path: `/api/token/${unknown}`, caller: 'user', code: 'token_not_found' },
    {
      method: 'PUT',
      path: '/api/token/',
      caller: 'user',
      body: { id: unknown, name: 'x' },
      code: 'token_not_found',
    },
    { method: 'DELETE', path: `/api/token/${unknown}`, caller: 'user', code: 'token_not_found' },
    { method: 'GET', path: `/api/channel/${unknown}`, caller: 'root', code: 'channel_not_found' },
    {
      method: 'PUT',
      path: '/api/channel/',
      caller: 'root',
      body: { id: unknown, name: 'x' },
      code: 'channel_not_found',
    },
    { method: 'DELETE', path: `/api/channel/${unknown}`, caller: 'root', code: 'channel_not_found' },
    { method: 'GET', path: `/api/channel/test/${unknown}`, caller: 'root', code: 'channel_not_found' },
    { method: 'GET', path: '/api/no-such-route', caller: 'root', code: 'route_not_found' },
    { method: 'POST', path: '/api/mj/self', caller: 'user', body: {}, code: 'route_not_found' },
  ];

  it.each(notFound)('$method $path is a 404', async ({ method, path, caller, body, code }) => {
    const response = await env().t.request(method, path, { as: actorOf(env(), caller), body });
    expectClearError(response, 404, MESSAGES[code].en.replace(/\{\w+\}.*$/, ''));
  });

  const badIds = ['abc', '1.5', '-1', '1234567890123456', "1'; DROP TABLE users; --"];
  const idRoutes: Array<{ method: string; path: string; caller: Caller }> = [
    { method: 'GET', path: '/api/user/', caller: 'root' },
    { method: 'GET', path: '/api/token/', caller: 'user' },
    { method: 'DELETE', path: '/api/token/', caller: 'user' },
    { method: 'GET', path: '/api/channel/', caller: 'root' },
    { method: 'DELETE', path: '/api/channel/', caller: 'root' },
    { method: 'GET', path: '/api/channel/test/', caller: 'root' },
  ];

  it.each(idRoutes)(
    '$method $path:id with a malformed id is a 400 naming the id',
    async ({ method, path, caller }) => {
      for (const id of badIds) {
        const response = await env().t.request(method, `${path}${encodeURIComponent(id)}`, {
          as: actorOf(env(), caller),
        });
        expectClearError(response, 400, /params\/id/);
      }
    },
  );
});

describe('messages follow Accept-Language [sqlite]', () => {
  const env = useApp();
  const CJK = /[\u3040-\u30ff\u4e00-\u9fff]/;

  const cases: Array<{
    name: string;
    code: keyof typeof MESSAGES;
    send: (env: Env, headers: Record<string, string>) => Promise<Response>;
  }> = [
    {
      name: 'not logged in',
      code: 'not_logged_in',
      send: (e, headers) => e.t.request('GET', '/api/user/self', { headers }),
    },
    {
      name: 'insufficient role',
      code: 'insufficient_role',
      send: (e, headers) => e.t.request('GET', '/api/user/', { as: e.user, headers }),
    },
    {
      name: 'malformed JSON',
      code: 'invalid_json',
      send: (e, headers) =>
        e.t.request('POST', '/api/token/', {
          as: e.user,
          rawBody: '{bad',
          headers: { ...headers, 'content-type': 'application/json' },
        }),
    },
    {
      name: 'bad paging',
      code: 'invalid_request',
      send: (e, headers) => e.t.request('GET', '/api/mj/self?p=abc', { as: e.user, headers }),
    },
    {
      name: 'unknown key id',
      code: 'token_not_found',
      send: (e, headers) => e.t.request('GET', '/api/token/987654321', { as: e.user, headers }),
    },
    {
      name: 'oversized body',
      code: 'body_too_large',
      send: (e, headers) =>
        e.t.request('POST', '/api/token/', { as: e.user, body: { name: 'x'.repeat(1024 * 1024) }, headers }),
    },
  ];

  const languages = [
    { lang: 'zh' as const, header: 'zh-CN,zh;q=0.9,en;q=0.8' },
    { lang: 'ja' as const, header: 'ja' },
  ];

  describe.each(languages)('$header', ({ lang, header }) => {
    it.each(cases)('$name', async ({ code, send }) => {
      const english = await send(env(), {});
      const localised = await send(env(), { 'accept-language': header });
      expect(localised.status).toBe(english.status);
      expect(localised.status).toBeGreaterThanOrEqual(400);
      expect(localised.status).toBeLessThan(500);
      expect(localised.body.success).toBe(false);
      expect(localised.body.message).toMatch(CJK);
      expect(localised.body.message).not.toBe(english.body.message);
      // The catalogue's text for that language (its prefix, for messages with details filled in).
      const prefix = MESSAGES[code][lang].replace(/\{\w+\}.*$/, '');
      expect(localised.body.message.startsWith(prefix), localised.body.message).toBe(true);
    });
  });
});
