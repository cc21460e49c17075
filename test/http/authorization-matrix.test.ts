// Who may call what (contract §4): every dashboard route × every kind of caller, sessions, per-user scoping on
// every engine, and the relay's API-key checks. The route table below must list every `/api/*` route the app
// registers: a new route without a row fails the completeness test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMjPublicId, newTaskPublicId } from '../../src/core/ids.js';
import { hashPassword } from '../../src/services/passwords.js';
import type { Dialect } from '../../src/store/db.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { updateToken } from '../../src/store/tokens.js';
import { updateUser } from '../../src/store/users.js';
import { type Actor, type Response, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixture: users with their own rows (tasks, an API key, a ledger row), each carrying unique markers, so that any
// response can be searched for another user's data.

interface Seeded {
  actor: Actor;
  keyId: number;
  keyName: string;
  mjTaskId: string;
  sunoTaskId: string;
  ledgerContent: string;
}

let sequence = 0;
const unique = (label: string) => `${label}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

async function seedUser(t: TestApp, label: string, role = 1): Promise<Seeded> {
  const actor = await t.createUser({ role, quota: 1_000_000 });
  const keyName = unique(`key-of-${label}`);
  const { id: keyId } = await t.createKey(actor, { name: keyName });
  const now = t.clock.now();
  const mjTaskId = newMjPublicId(now + sequence);
  const sunoTaskId = newTaskPublicId();
  await insertTask(
    t.ctx.store,
    taskValues(
      { task_id: mjTaskId, platform: 'midjourney', action: 'IMAGINE', user_id: actor.id, submit_time: now },
      now,
    ),
  );
  await insertTask(
    t.ctx.store,
    taskValues(
      { task_id: sunoTaskId, platform: 'suno', action: 'song', user_id: actor.id, submit_time: now },
      now,
    ),
  );
  const ledgerContent = unique(`ledger-of-${label}`);
  await t.ctx.store.db
    .insertInto('ledger')
    .values({
      created_at: now,
      user_id: actor.id,
      token_id: keyId,
      task_id: sunoTaskId,
      platform: 'suno',
      model: 'suno_music',
      kind: 'charge',
      quota: 10,
      delta: -10,
      content: ledgerContent,
    })
    .execute();
  return { actor, keyId, keyName, mjTaskId, sunoTaskId, ledgerContent };
}

/** Every trace of `owner` that must never show up in another (non-admin) user's response. */
function markersOf(owner: Seeded): string[] {
  return [
    owner.actor.username,
    owner.keyName,
    owner.mjTaskId,
    owner.sunoTaskId,
    owner.ledgerContent,
    `"user_id":${owner.actor.id},`,
    `"user_id":${owner.actor.id}}`,
  ];
}

const leaksOf = (response: Response, owner: Seeded) =>
  markersOf(owner).filter((m) => response.text.includes(m));

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asUser = (actor: Actor) => ({ ...bearer(actor.accessToken), 'new-api-user': String(actor.id) });

/** A failed dashboard call: the contract's `{success:false, message}` and nothing else. */
function expectDashboardError(response: Response, status: number) {
  expect(response.status, response.text).toBe(status);
  expect(Object.keys(response.body).sort()).toEqual(['message', 'success']);
  expect(response.body.success).toBe(false);
  expect(typeof response.body.message).toBe('string');
  expect(response.body.message.length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------------------------------------------
// The route table.

type Access = 'public' | 'user' | 'admin';

interface Call {
  path: string;
  body?: unknown;
}

interface MatrixFixture {
  t: TestApp;
  a: Seeded;
  b: Seeded;
  channelId: number;
  /** An API key of `actor` that can be read and updated (created on first use). */
  keyOf(actor: Actor): Promise<number>;
}

interface RouteRow {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As registered, with `:id` for path parameters. */
  route: string;
  access: Access;
  /** A valid request on behalf of `actor` (user A for the columns without a user of their own). */
  call?: (f: MatrixFixture, actor: Actor) => Call | Promise<Call>;
  /** Follow-up after an allowed call (e.g. the access token was replaced). */
  after?: (actor: Actor, response: Response) => void;
}

// Login is rate-limited to 10 calls a minute per address: its row runs once per column, so keep the columns
// at 10 or fewer, or give login its own app.
const ROUTES: RouteRow[] = [
  { method: 'GET', route: '/api/status', access: 'public' },
  {
    method: 'POST',
    route: '/api/user/login',
    access: 'public',
    call: () => ({ path: '/api/user/login', body: { username: 'root', password: 'root-password-1' } }),
  },
  { method: 'GET', route: '/api/user/logout', access: 'public' },
  { method: 'GET', route: '/api/user/self', access: 'user' },
  {
    method: 'GET',
    route: '/api/user/token',
    access: 'user',
    // It replaces the caller's access token: keep using the new one.
    after: (actor, response) => {
      actor.accessToken = response.body.data;
    },
  },
  { method: 'GET', route: '/api/user/', access: 'admin' },
  { method: 'GET', route: '/api/user/search', access: 'admin' },
  {
    method: 'GET',
    route: '/api/user/:id',
    access: 'admin',
    call: (f) => ({ path: `/api/user/${f.a.actor.id}` }),
  },
  {
    method: 'POST',
    route: '/api/user/',
    access: 'admin',
    call: () => ({ path: '/api/user/', body: { username: unique('new'), password: 'password-1234' } }),
  },
  {
    method: 'PUT',
    route: '/api/user/',
    access: 'admin',
    call: (f) => ({ path: '/api/user/', body: { id: f.a.actor.id, display_name: 'renamed by an admin' } }),
  },
  { method: 'GET', route: '/api/token/', access: 'user' },
  {
    method: 'GET',
    route: '/api/token/:id',
    access: 'user',
    call: async (f, actor) => ({ path: `/api/token/${await f.keyOf(actor)}` }),
  },
  {
    method: 'POST',
    route: '/api/token/',
    access: 'user',
    call: () => ({ path: '/api/token/', body: { name: 'k' } }),
  },
  {
    method: 'PUT',
    route: '/api/token/',
    access: 'user',
    call: async (f, actor) => ({ path: '/api/token/', body: { id: await f.keyOf(actor), remain_quota: 5 } }),
  },
  {
    method: 'DELETE',
    route: '/api/token/:id',
    access: 'user',
    call: async (f, actor) => ({ path: `/api/token/${(await f.t.createKey(actor, { name: 'doomed' })).id}` }),
  },
  { method: 'GET', route: '/api/channel/', access: 'admin' },
  {
    method: 'GET',
    route: '/api/channel/:id',
    access: 'admin',
    call: (f) => ({ path: `/api/channel/${f.channelId}` }),
  },
  {
    method: 'POST',
    route: '/api/channel/',
    access: 'admin',
    call: () => ({
      path: '/api/channel/',
      body: { type: 'suno', name: unique('channel'), base_url: 'http://127.0.0.1:9', key: 'upstream-secret' },
    }),
  },
  {
    method: 'PUT',
    route: '/api/channel/',
    access: 'admin',
    call: (f) => ({ path: '/api/channel/', body: { id: f.channelId, priority: 3 } }),
  },
  {
    method: 'DELETE',
    route: '/api/channel/:id',
    access: 'admin',
    call: async (f) => ({ path: `/api/channel/${await createChannel(f.t, 'http://127.0.0.1:9')}` }),
  },
  {
    method: 'GET',
    route: '/api/channel/test/:id',
    access: 'admin',
    call: (f) => ({ path: `/api/channel/test/${f.channelId}` }),
  },
  { method: 'GET', route: '/api/option/', access: 'admin' },
  {
    method: 'PUT',
    route: '/api/option/',
    access: 'admin',
    call: () => ({ path: '/api/option/', body: { key: 'RetryTimes', value: '2' } }),
  },
  { method: 'GET', route: '/api/log/self', access: 'user' },
  { method: 'GET', route: '/api/log/', access: 'admin' },
  { method: 'GET', route: '/api/mj/self', access: 'user' },
  { method: 'GET', route: '/api/mj/', access: 'admin' },
  { method: 'GET', route: '/api/task/self', access: 'user' },
  { method: 'GET', route: '/api/task/', access: 'admin' },
];

/** A channel whose base URL answers (Taskgate's own liveness route), so the channel test has a real upstream. */
async function createChannel(t: TestApp, baseUrl: string): Promise<number> {
  const response = await t.request('POST', '/api/channel/', {
    as: t.root,
    body: { type: 'midjourney', name: unique('channel'), base_url: baseUrl, key: 'upstream-secret' },
  });
  expect(response.status, response.text).toBe(200);
  return response.body.data.id;
}

// ---------------------------------------------------------------------------------------------------------------
// The callers.

interface Column {
  name: string;
  /** The user whose credentials are sent, if any (the one `call` acts for). */
  actor(p: Parties): Actor | undefined;
  headers(p: Parties): Record<string, string>;
  /** The status for a route of this access level; `allowed` means a 200 with `success: true`. */
  expected: Record<Exclude<Access, 'public'>, number | 'allowed'>;
}

interface Parties {
  a: Actor;
  b: Actor;
  disabled: Actor;
  admin: Actor;
  root: Actor;
}

const COLUMNS: Column[] = [
  {
    name: 'no credentials',
    actor: () => undefined,
    headers: () => ({}),
    expected: { user: 401, admin: 401 },
  },
  {
    name: 'access token without New-Api-User',
    actor: () => undefined,
    headers: (p) => bearer(p.a.accessToken),
    expected: { user: 401, admin: 401 },
  },
  {
    name: 'New-Api-User of another user',
    actor: () => undefined,
    headers: (p) => ({ ...bearer(p.a.accessToken), 'new-api-user': String(p.b.id) }),
    expected: { user: 401, admin: 401 },
  },
  {
    name: 'New-Api-User not a number',
    actor: () => undefined,
    headers: (p) => ({ ...bearer(p.a.accessToken), 'new-api-user': `${p.a.id}x` }),
    expected: { user: 401, admin: 401 },
  },
  {
    name: 'unknown access token',
    actor: () => undefined,
    headers: (p) => ({ ...bearer('not-a-real-access-token-000000000'), 'new-api-user': String(p.a.id) }),
    expected: { user: 401, admin: 401 },
  },
  {
    name: 'disabled user',
    actor: (p) => p.disabled,
    headers: (p) => asUser(p.disabled),
    expected: { user: 403, admin: 403 },
  },
  {
    name: 'user A',
    actor: (p) => p.a,
    headers: (p) => asUser(p.a),
    expected: { user: 'allowed', admin: 403 },
  },
  {
    name: 'user B',
    actor: (p) => p.b,
    headers: (p) => asUser(p.b),
    expected: { user: 'allowed', admin: 403 },
  },
  {
    name: 'admin',
    actor: (p) => p.admin,
    headers: (p) => asUser(p.admin),
    expected: { user: 'allowed', admin: 'allowed' },
  },
  {
    name: 'root',
    actor: (p) => p.root,
    headers: (p) => asUser(p.root),
    expected: { user: 'allowed', admin: 'allowed' },
  },
];

// ---------------------------------------------------------------------------------------------------------------

describe('dashboard authorization matrix [sqlite]', () => {
  let t: TestApp;
  let f: MatrixFixture;
  let parties: Parties;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const a = await seedUser(t, 'A');
    const b = await seedUser(t, 'B');
    const disabled = await t.createUser({ disabled: true });
    const admin = await t.createUser({ role: 10 });
    parties = { a: a.actor, b: b.actor, disabled, admin, root: t.root };
    const keys = new Map<number, number>([
      [a.actor.id, a.keyId],
      [b.actor.id, b.keyId],
    ]);
    f = {
      t,
      a,
      b,
      channelId: await createChannel(t, `${t.url}/healthz`),
      async keyOf(actor) {
        if (!keys.has(actor.id)) keys.set(actor.id, (await t.createKey(actor, { name: unique('key') })).id);
        return keys.get(actor.id)!;
      },
    };
  });
  afterAll(async () => t?.close());

  it('lists every /api route the app registers, and only those', async () => {
    const docs = await t.request('GET', '/docs/json');
    expect(docs.status).toBe(200);
    const registered = Object.entries(docs.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const listed = ROUTES.map((r) => `${r.method} ${r.route}`).sort();
    expect(listed).toEqual(registered);
    // With ignoreTrailingSlash, Fastify stores `/api/user/` as `/api/user`.
    for (const row of ROUTES) {
      expect(t.app.hasRoute({ method: row.method, url: row.route.replace(/\/$/, '') }), row.route).toBe(true);
    }
  });

  describe.each(ROUTES)('$method $route ($access)', (row) => {
    it.each(COLUMNS)('$name', async (column) => {
      const actor = column.actor(parties) ?? parties.a;
      const { path, body } = row.call ? await row.call(f, actor) : { path: row.route, body: undefined };
      const response = await t.request(row.method, path, { headers: column.headers(parties), body });
      const expected = row.access === 'public' ? 'allowed' : column.expected[row.access];
      if (expected !== 'allowed') {
        expectDashboardError(response, expected);
        return;
      }
      expect(response.status, response.text).toBe(200);
      expect(response.body.success).toBe(true);
      row.after?.(actor, response);
      // No route hands a plain user another user's rows.
      if (column.name === 'user A') expect(leaksOf(response, f.b)).toEqual([]);
      if (column.name === 'user B') expect(leaksOf(response, f.a)).toEqual([]);
    });
  });

  it('checks credentials before it reads or validates the request', async () => {
    // Anonymous: a malformed body or path is still "not logged in", not a 400 about input it may not send.
    const anonymous = [
      await t.request('POST', '/api/token/', {
        rawBody: '{not json',
        headers: { 'content-type': 'application/json' },
      }),
      await t.request('PUT', '/api/user/', { body: { id: 'x' } }),
      await t.request('GET', '/api/token/not-a-number'),
      await t.request('GET', '/api/mj/self?p=abc&page_size=-5'),
    ];
    for (const response of anonymous) expectDashboardError(response, 401);
    // A plain user on an admin route: 403 whatever the input.
    const user = parties.b;
    expectDashboardError(await t.request('POST', '/api/channel/', { as: user, body: { type: 42 } }), 403);
    expectDashboardError(await t.request('GET', '/api/user/abc', { as: user }), 403);
    expectDashboardError(await t.request('GET', '/api/task/?page_size=100000', { as: user }), 403);
  });

  it('accepts the access token with or without "Bearer "', async () => {
    const a = parties.a;
    const plain = await t.request('GET', '/api/user/self', {
      headers: { authorization: a.accessToken, 'new-api-user': String(a.id) },
    });
    expect(plain.status).toBe(200);
    expect(plain.body.data.id).toBe(a.id);
  });

  it('answers the admin listings without the trailing slash too', async () => {
    for (const path of ['/api/mj', '/api/task', '/api/user', '/api/log', '/api/channel', '/api/token']) {
      const response = await t.request('GET', path, { as: t.root });
      expect(response.status, path).toBe(200);
      expect(response.body.data.items, path).toBeInstanceOf(Array);
    }
  });

  it('lets an admin manage only users below its role', async () => {
    const admin = parties.admin;
    expectDashboardError(
      await t.request('PUT', '/api/user/', { as: admin, body: { id: 1, status: 2 } }),
      403,
    );
    const other = await t.createUser({ role: 10 });
    expectDashboardError(
      await t.request('PUT', '/api/user/', { as: admin, body: { id: other.id, quota: 5 } }),
      403,
    );
    expectDashboardError(
      await t.request('POST', '/api/user/', {
        as: admin,
        body: { username: unique('peer'), password: 'password-1234', role: 10 },
      }),
      403,
    );
    const root = await t.request('GET', '/api/user/self', { as: t.root });
    expect(root.body.data.status).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('dashboard sessions [sqlite]', () => {
  let t: TestApp;
  let user: Actor;
  const password = 'correct-horse-battery';

  const login = (username: string, pass: string) =>
    t.request('POST', '/api/user/login', { body: { username, password: pass } });
  const cookieOf = (response: Response) => response.headers.get('set-cookie')!.split(';')[0];

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    user = await t.createUser();
    await updateUser(t.ctx.store, user.id, { passwordHash: await hashPassword(password) }, t.clock.now());
  });
  afterAll(async () => t?.close());

  it('logs in with the password, and the cookie works only together with New-Api-User', async () => {
    const response = await login(user.username, password);
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ id: user.id, username: user.username });
    expect(response.text).not.toContain('password');
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^taskgate_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const cookie = cookieOf(response);

    const self = await t.request('GET', '/api/user/self', {
      headers: { cookie, 'new-api-user': String(user.id) },
    });
    expect(self.status).toBe(200);
    expect(self.body.data.id).toBe(user.id);

    expectDashboardError(await t.request('GET', '/api/user/self', { headers: { cookie } }), 401);
    expectDashboardError(
      await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': '1' } }),
      401,
    );
    // The session grants the user's role, no more.
    expectDashboardError(
      await t.request('GET', '/api/user/', { headers: { cookie, 'new-api-user': String(user.id) } }),
      403,
    );
  });

  it('refuses a forged or tampered cookie', async () => {
    const cookie = cookieOf(await login(user.username, password));
    const [name, value] = cookie.split('=');
    const tampered = `${name}=${value.slice(0, -3)}${value.endsWith('abc') ? 'xyz' : 'abc'}`;
    for (const forged of [tampered, `${name}=some-session-id`]) {
      expectDashboardError(
        await t.request('GET', '/api/user/self', {
          headers: { cookie: forged, 'new-api-user': String(user.id) },
        }),
        401,
      );
    }
  });

  it('ends the session at logout', async () => {
    const cookie = cookieOf(await login(user.username, password));
    const headers = { cookie, 'new-api-user': String(user.id) };
    expect((await t.request('GET', '/api/user/self', { headers })).status).toBe(200);
    const logout = await t.request('GET', '/api/user/logout', { headers });
    expect(logout.status).toBe(200);
    expect(logout.body.success).toBe(true);
    expect(logout.headers.get('set-cookie')).toMatch(/taskgate_session=;/);
    // The old cookie, replayed, is dead on the server side too.
    expectDashboardError(await t.request('GET', '/api/user/self', { headers }), 401);
  });

  it('refuses wrong passwords alike for known and unknown users, and disabled users', async () => {
    const wrong = await login(user.username, 'not-the-password');
    const unknown = await login('no-such-user', 'not-the-password');
    expectDashboardError(wrong, 401);
    expectDashboardError(unknown, 401);
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const other = await t.createUser();
    await updateUser(t.ctx.store, other.id, { passwordHash: await hashPassword(password) }, t.clock.now());
    const cookie = cookieOf(await login(other.username, password));
    await updateUser(t.ctx.store, other.id, { status: 2 }, t.clock.now());
    // An open session of a user disabled since is refused, and so is a new login.
    expectDashboardError(
      await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': String(other.id) } }),
      403,
    );
    expectDashboardError(await login(other.username, password), 403);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Scoping: a user's rows reach only that user (and admins), on every engine.

function describeScoping(dialect: Dialect) {
  let t: TestApp;
  let a: Seeded;
  let b: Seeded;
  const get = (actor: Actor, path: string) => t.request('GET', path, { as: actor });

  beforeAll(async () => {
    t = await startTestApp(dialect);
    a = await seedUser(t, 'A');
    b = await seedUser(t, 'B');
  });
  afterAll(async () => t?.close());

  const expectOnly = (response: Response, owner: Seeded, other: Seeded, ids: string[]) => {
    expect(response.status, response.text).toBe(200);
    const { items, total } = response.body.data;
    expect(items.map((i: { mj_id?: string; task_id?: string }) => i.mj_id ?? i.task_id)).toEqual(ids);
    expect(total).toBe(ids.length);
    for (const item of items) if ('user_id' in item) expect(item.user_id).toBe(owner.actor.id);
    expect(leaksOf(response, other)).toEqual([]);
  };

  it('GET /api/mj/self lists only the caller’s Midjourney tasks, whatever the filters', async () => {
    expectOnly(await get(b.actor, '/api/mj/self'), b, a, [b.mjTaskId]);
    expectOnly(await get(b.actor, `/api/mj/self?user_id=${a.actor.id}`), b, a, [b.mjTaskId]);
    expectOnly(await get(b.actor, `/api/mj/self?mj_id=${a.mjTaskId}`), b, a, []);
    expectOnly(await get(b.actor, `/api/mj/self?mj_id=${a.mjTaskId}&user_id=${a.actor.id}`), b, a, []);
    // The same filter finds the task for its owner: the empty answers above are scoping, not a broken filter.
    expectOnly(await get(a.actor, `/api/mj/self?mj_id=${a.mjTaskId}`), a, b, [a.mjTaskId]);
  });

  it('GET /api/task/self lists only the caller’s tasks, whatever the filters', async () => {
    expectOnly(await get(b.actor, '/api/task/self'), b, a, [b.sunoTaskId]);
    expectOnly(await get(b.actor, `/api/task/self?user_id=${a.actor.id}`), b, a, [b.sunoTaskId]);
    expectOnly(await get(b.actor, `/api/task/self?task_id=${a.sunoTaskId}`), b, a, []);
    expectOnly(
      await get(b.actor, `/api/task/self?task_id=${a.sunoTaskId}&platform=suno&action=MUSIC`),
      b,
      a,
      [],
    );
    expectOnly(
      await get(a.actor, `/api/task/self?task_id=${a.sunoTaskId}&platform=suno&action=MUSIC`),
      a,
      b,
      [a.sunoTaskId],
    );
  });

  it('admin listings see every user’s tasks and filter by user', async () => {
    const all = await get(t.root, '/api/mj/');
    expect(all.body.data.items.map((i: { mj_id: string }) => i.mj_id).sort()).toEqual(
      [a.mjTaskId, b.mjTaskId].sort(),
    );
    const onlyA = await get(t.root, `/api/task/?user_id=${a.actor.id}`);
    expect(onlyA.body.data.items.map((i: { task_id: string }) => i.task_id)).toEqual([a.sunoTaskId]);
  });

  it('another user’s API key is "not found" for reading, updating and deleting', async () => {
    const list = await get(b.actor, '/api/token/');
    expect(list.body.data.items.map((k: { id: number }) => k.id)).toEqual([b.keyId]);
    expect(leaksOf(list, a)).toEqual([]);

    expectDashboardError(await get(b.actor, `/api/token/${a.keyId}`), 404);
    expectDashboardError(
      await t.request('PUT', '/api/token/', {
        as: b.actor,
        body: { id: a.keyId, name: 'stolen', status: 2 },
      }),
      404,
    );
    expectDashboardError(
      await t.request('PUT', '/api/token/?status_only=true', {
        as: b.actor,
        body: { id: a.keyId, status: 2 },
      }),
      404,
    );
    expectDashboardError(await t.request('DELETE', `/api/token/${a.keyId}`, { as: b.actor }), 404);

    // A's key is untouched.
    const mine = await get(a.actor, `/api/token/${a.keyId}`);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toMatchObject({ id: a.keyId, name: a.keyName, status: 1 });
  });

  it('GET /api/log/self shows only the caller’s ledger rows', async () => {
    const own = await get(b.actor, '/api/log/self');
    expect(own.status).toBe(200);
    const rows: Array<{ user_id: number; content: string }> = own.body.data.items;
    expect(rows.length).toBeGreaterThanOrEqual(2); // the top-up and the charge
    expect(rows.every((r) => r.user_id === b.actor.id)).toBe(true);
    expect(rows.map((r) => r.content)).toContain(b.ledgerContent);
    expect(own.body.data.total).toBe(rows.length);
    expect(leaksOf(own, a)).toEqual([]);

    for (const query of [`user_id=${a.actor.id}`, `task_id=${a.sunoTaskId}`]) {
      const filtered = await get(b.actor, `/api/log/self?${query}`);
      expect(filtered.status).toBe(200);
      expect(leaksOf(filtered, a), query).toEqual([]);
      expect(
        filtered.body.data.items.every((r: { user_id: number }) => r.user_id === b.actor.id),
        query,
      ).toBe(true);
    }
    const adminView = await get(t.root, `/api/log/?user_id=${a.actor.id}`);
    expect(adminView.body.data.items.map((r: { content: string }) => r.content)).toContain(a.ledgerContent);
  });

  it('GET /api/user/self is the caller', async () => {
    const self = await get(b.actor, '/api/user/self');
    expect(self.body.data).toMatchObject({ id: b.actor.id, username: b.actor.username });
    expect(leaksOf(self, a)).toEqual([]);
  });
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`per-user scoping [${backend.dialect}]`, () =>
    describeScoping(backend.dialect),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Relay authentication (API keys), on GET /v1/models.

describe('relay API-key authentication on GET /v1/models [sqlite]', () => {
  let t: TestApp;
  let user: Actor;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    user = await t.createUser();
    key = (await t.createKey(user)).key;
    // One enabled channel of the user's group, so a working key sees a non-empty model list.
    const channel = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'suno', name: 'suno', base_url: 'http://127.0.0.1:9', key: 'upstream' },
    });
    expect(channel.status).toBe(200);
  });
  afterAll(async () => t?.close());

  const models = (headers: Record<string, string>) => t.request('GET', '/v1/models', { headers });

  function expectOpenAiError(response: Response, status: number, code: string) {
    expect(response.status, response.text).toBe(status);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code });
    expect(typeof response.body.error.message).toBe('string');
    expect(response.body.error.message.length).toBeGreaterThan(0);
    expect(response.text).not.toContain('sk-');
  }

  const refusals: Array<{
    name: string;
    status: number;
    code: string;
    headers: () => Promise<Record<string, string>>;
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
      headers: async () => {
        const k = await t.createKey(user);
        await updateToken(t.ctx.store, user.id, k.id, { status: 2 });
        return bearer(k.key);
      },
    },
    {
      name: 'an expired key',
      status: 401,
      code: 'api_key_expired',
      headers: async () => bearer((await t.createKey(user, { expiredTime: t.clock.now() / 1000 - 60 })).key),
    },
    {
      name: 'a key without quota left',
      status: 401,
      code: 'token_quota_exhausted',
      headers: async () => bearer((await t.createKey(user, { unlimitedQuota: false, remainQuota: 0 })).key),
    },
    {
      name: 'a key of a disabled user',
      status: 403,
      code: 'user_disabled',
      headers: async () => bearer((await t.createKey(await t.createUser({ disabled: true }))).key),
    },
    {
      name: 'a key whose IP allow-list excludes 127.0.0.1',
      status: 403,
      code: 'ip_not_allowed',
      headers: async () => bearer((await t.createKey(user, { allowIps: '10.1.2.3, 192.168.0.1' })).key),
    },
    {
      name: 'a dashboard access token instead of a key',
      status: 401,
      code: 'invalid_api_key',
      headers: async () => bearer(user.accessToken),
    },
  ];

  it.each(refusals)('refuses $name with $status', async ({ status, code, headers }) => {
    expectOpenAiError(await models(await headers()), status, code);
  });

  const acceptances: Array<{ name: string; headers: () => Promise<Record<string, string>> }> = [
    { name: 'Authorization: Bearer sk-…', headers: async () => bearer(key) },
    { name: 'Authorization: sk-… without Bearer', headers: async () => ({ authorization: key }) },
    { name: 'mj-api-secret: sk-…', headers: async () => ({ 'mj-api-secret': key }) },
    {
      name: 'mj-api-secret with Authorization: midjourney-proxy',
      headers: async () => ({ authorization: 'midjourney-proxy', 'mj-api-secret': key }),
    },
    {
      name: 'a key whose IP allow-list includes 127.0.0.1',
      headers: async () => bearer((await t.createKey(user, { allowIps: '10.1.2.3,127.0.0.1' })).key),
    },
  ];

  it.each(acceptances)('accepts $name', async ({ headers }) => {
    const response = await models(await headers());
    expect(response.status, response.text).toBe(200);
    expect(response.body.object).toBe('list');
    expect(response.body.data.map((m: { id: string }) => m.id)).toContain('suno_music');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Relay routes check the key as `onRequest`, before the body is read (docs/platforms.md): Midjourney's submit
// routes take bodies up to 64 MiB, and nobody without a key gets one read, parsed or validated.

describe('relay submits authenticate before the body [sqlite]', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    key = (await t.createKey(await t.createUser({ quota: 1_000_000 }))).key;
  });
  afterAll(async () => t?.close());

  const broken = (path: string, headers: Record<string, string> = {}) =>
    t.request('POST', path, {
      rawBody: '{"prompt": not json',
      headers: { 'content-type': 'application/json', ...headers },
    });
  const MJ_SUBMITS = ['/mj/submit/imagine', '/mj-fast/mj/submit/blend', '/mj/insight-face/swap'];

  it('answers a broken body from a caller without a key with 401, in each surface envelope', async () => {
    for (const path of [...MJ_SUBMITS, '/mj/task/list-by-condition', '/suno/submit/music', '/v1/videos']) {
      const answer = await broken(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 401 });
    }
    expect((await broken('/mj/submit/imagine')).body).toMatchObject({ code: 4, result: null });
    // A wrong key too, whatever the size of what it sends.
    const big = JSON.stringify({ base64Array: [`data:image/png;base64,${'A'.repeat(20 * 1024 * 1024)}`] });
    const huge = await t.request('POST', '/mj/submit/blend', {
      rawBody: big,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-not-a-key' },
    });
    expect(huge.status).toBe(401);
  });

  it('reads the body of a caller with a key (mj-api-secret included) and refuses it as bad input', async () => {
    const withKey: Array<Record<string, string>> = [
      { authorization: `Bearer ${key}` },
      { authorization: 'midjourney-proxy', 'mj-api-secret': key },
    ];
    for (const headers of withKey) {
      for (const path of MJ_SUBMITS) {
        const answer = await broken(path, headers);
        expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      }
    }
    // The mode prefix is still checked first: an unknown one is no route, key or not.
    expect((await broken('/not-a-mode/mj/submit/imagine')).status).toBe(404);
  });
});
