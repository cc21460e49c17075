// Route tests for the account and admin surface of the dashboard API (contract §3–§5, §9): login and access
// tokens, users and their balances, API keys, channels, options, the ledger, and the operational endpoints.
// Every behaviour runs on each database engine through real HTTP.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHANNEL_MODELS } from '../../src/core/channel-types.js';
import { hashSecret, newAccessToken } from '../../src/core/ids.js';
import { findChannel } from '../../src/store/channels.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findUserById, setAccessTokenHash } from '../../src/store/users.js';
import { type Actor, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

const LEDGER_KEYS = [
  'content',
  'created_at',
  'id',
  'kind',
  'model',
  'platform',
  'quota',
  'task_id',
  'token_id',
  'user_id',
];

let serial = 0;
const uniqueName = (prefix: string) => `${prefix}_${++serial}_${Math.random().toString(36).slice(2, 7)}`;

/** The signed change a ledger row made to the balance. */
const signed = (row: Json): number =>
  row.kind === 'topup' || row.kind === 'refund' ? row.quota : -row.quota;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`accounts and admin routes [${backend.dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
    });
    afterAll(async () => t?.close());

    const as = (actor: Actor) => ({
      get: (path: string) => t.request('GET', path, { as: actor }),
      post: (path: string, body: unknown) => t.request('POST', path, { as: actor, body }),
      put: (path: string, body: unknown) => t.request('PUT', path, { as: actor, body }),
      del: (path: string) => t.request('DELETE', path, { as: actor }),
    });
    const root = () => as(t.root);
    const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

    /** All of a user's ledger rows, through the user's own view. */
    async function ownLedger(actor: Actor): Promise<Json[]> {
      const res = await as(actor).get('/api/log/self?page_size=100');
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.total).toBe(res.body.data.items.length);
      return res.body.data.items;
    }

    /** A user made through the API (by root unless said otherwise), with an access token set through the store
     *  (logins are rate-limited, so only the login tests log in). */
    async function apiUser(role: 1 | 10 = 1, by: Actor = t.root): Promise<Actor> {
      const username = uniqueName('u');
      const created = await as(by).post('/api/user/', { username, password: 'password-123', role });
      expect(created.status, created.text).toBe(200);
      const id: number = created.body.data.id;
      const accessToken = newAccessToken();
      await setAccessTokenHash(t.ctx.store, id, hashSecret(accessToken), t.clock.now());
      return { id, username, accessToken };
    }

    // -------------------------------------------------------------------------------------------------------
    describe('login, access tokens and authentication', () => {
      it('root logs in with INITIAL_ROOT_PASSWORD; the session cookie works with New-Api-User', async () => {
        const login = await t.request('POST', '/api/user/login', {
          body: { username: 'root', password: 'root-password-1' },
        });
        expect(login.status, login.text).toBe(200);
        expect(login.body.success).toBe(true);
        expect(login.body.data).toMatchObject({
          id: 1,
          username: 'root',
          role: 100,
          status: 1,
          group: 'default',
        });
        expect(login.text).not.toContain('password');
        const setCookie = login.headers.get('set-cookie')!;
        expect(setCookie).toMatch(/HttpOnly/i);
        const cookie = setCookie.split(';')[0];

        const self = await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': '1' } });
        expect(self.status).toBe(200);
        expect(self.body.data.username).toBe('root');
        // New-Api-User is required even with a cookie, and must name the logged-in user.
        expect((await t.request('GET', '/api/user/self', { headers: { cookie } })).status).toBe(401);
        expect(
          (await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': '2' } })).status,
        ).toBe(401);

        const logout = await t.request('GET', '/api/user/logout', { headers: { cookie } });
        expect(logout.status).toBe(200);
        expect(
          (await t.request('GET', '/api/user/self', { headers: { cookie, 'new-api-user': '1' } })).status,
        ).toBe(401);
      });

      it('a wrong password is a 401 with the dashboard error envelope', async () => {
        const res = await t.request('POST', '/api/user/login', {
          body: { username: 'root', password: 'wrong-pass' },
        });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ success: false, message: expect.any(String) });
        const unknown = await t.request('POST', '/api/user/login', {
          body: { username: 'nobody-here', password: 'root-password-1' },
        });
        expect(unknown.status).toBe(401);
      });

      it('access tokens: with or without Bearer; missing or mismatched New-Api-User is a 401', async () => {
        const user = await t.createUser();
        const bare = await t.request('GET', '/api/user/self', {
          headers: { authorization: user.accessToken, 'new-api-user': String(user.id) },
        });
        expect(bare.status).toBe(200);
        expect(bare.body.data.id).toBe(user.id);
        expect((await t.request('GET', '/api/user/self')).status).toBe(401);
        const noHeader = await t.request('GET', '/api/user/self', {
          headers: { authorization: `Bearer ${user.accessToken}` },
        });
        expect(noHeader.status).toBe(401);
        const other = await t.request('GET', '/api/user/self', {
          as: user,
          headers: { 'new-api-user': String(t.root.id) },
        });
        expect(other.status).toBe(401);
        const wrong = await t.request('GET', '/api/user/self', {
          headers: { authorization: 'Bearer not-a-token', 'new-api-user': String(user.id) },
        });
        expect(wrong.status).toBe(401);
        expect(wrong.body.success).toBe(false);
      });

      it('GET /api/user/token issues a new access token that works and invalidates the old one', async () => {
        const user = await t.createUser();
        const res = await as(user).get('/api/user/token');
        expect(res.status).toBe(200);
        const fresh: string = res.body.data;
        expect(fresh).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(fresh).not.toBe(user.accessToken);
        const withFresh = await as({ ...user, accessToken: fresh }).get('/api/user/self');
        expect(withFresh.status).toBe(200);
        expect(withFresh.body.data.id).toBe(user.id);
        const withOld = await as(user).get('/api/user/self');
        expect(withOld.status).toBe(401);
        // A second rotation invalidates the first new one too.
        const again = await as({ ...user, accessToken: fresh }).get('/api/user/token');
        expect((await as({ ...user, accessToken: fresh }).get('/api/user/self')).status).toBe(401);
        expect((await as({ ...user, accessToken: again.body.data }).get('/api/user/self')).status).toBe(200);
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('users', () => {
      it('an admin creates a user; the duplicate username is a 409; the user can log in', async () => {
        const username = uniqueName('created');
        const res = await root().post('/api/user/', {
          username,
          password: 'secret-pass-1',
          display_name: 'Created',
          group: 'vip',
        });
        expect(res.status, res.text).toBe(200);
        expect(res.body.data).toMatchObject({
          username,
          display_name: 'Created',
          role: 1,
          status: 1,
          group: 'vip',
          quota: 0,
          used_quota: 0,
        });
        expect(res.text).not.toContain('secret-pass-1');
        expect(res.text).not.toMatch(/password|access_token/);

        const duplicate = await root().post('/api/user/', { username, password: 'other-pass-2' });
        expect(duplicate.status).toBe(409);
        expect(duplicate.body.success).toBe(false);

        const login = await t.request('POST', '/api/user/login', {
          body: { username, password: 'secret-pass-1' },
        });
        expect(login.status).toBe(200);
        expect(login.body.data.id).toBe(res.body.data.id);

        const listed = await root().get(`/api/user/?keyword=${username}`);
        expect(listed.body.data.total).toBe(1);
        expect(listed.body.data.items[0].id).toBe(res.body.data.id);
        const one = await root().get(`/api/user/${res.body.data.id}`);
        expect(one.body.data.username).toBe(username);
        expect((await root().get('/api/user/999999')).status).toBe(404);
      });

      it('bad user input is a 400', async () => {
        for (const body of [
          { username: uniqueName('short'), password: 'short' },
          { username: 'has space', password: 'long-enough-1' },
          { username: uniqueName('root'), password: 'long-enough-1', role: 100 },
          { password: 'long-enough-1' },
        ]) {
          const res = await root().post('/api/user/', body);
          expect(res.status, JSON.stringify(body)).toBe(400);
        }
      });

      it('admins cannot create or manage users of equal or higher role (403); root can', async () => {
        const admin = await apiUser(10);
        const otherAdmin = await apiUser(10);
        const user = await apiUser(1);

        // Creating: an admin makes users, not admins.
        const asAdmin = as(admin);
        const newAdmin = await asAdmin.post('/api/user/', {
          username: uniqueName('a'),
          password: 'password-123',
          role: 10,
        });
        expect(newAdmin.status).toBe(403);
        expect(newAdmin.body.success).toBe(false);
        const newUser = await asAdmin.post('/api/user/', {
          username: uniqueName('b'),
          password: 'password-123',
        });
        expect(newUser.status).toBe(200);
        expect(newUser.body.data.role).toBe(1);

        // Managing: an admin manages users only.
        expect((await asAdmin.put('/api/user/', { id: otherAdmin.id, display_name: 'x' })).status).toBe(403);
        expect((await asAdmin.put('/api/user/', { id: t.root.id, quota: 1 })).status).toBe(403);
        expect((await asAdmin.put('/api/user/', { id: admin.id, quota: 5 })).status).toBe(403);
        expect((await asAdmin.put('/api/user/', { id: user.id, role: 10 })).status).toBe(403);
        const renamed = await asAdmin.put('/api/user/', { id: user.id, display_name: 'Managed' });
        expect(renamed.status).toBe(200);
        expect(renamed.body.data.display_name).toBe('Managed');
        // Nothing changed for the refused calls.
        expect((await findUserById(t.ctx.store, otherAdmin.id))!.display_name).toBe(otherAdmin.username);
        expect((await findUserById(t.ctx.store, user.id))!.role).toBe(1);

        // Users are not admins at all.
        expect((await as(user).get('/api/user/')).status).toBe(403);
        expect(
          (await as(user).post('/api/user/', { username: uniqueName('c'), password: 'password-123' })).status,
        ).toBe(403);

        // Root manages admins: promote, rename, disable.
        const promoted = await root().put('/api/user/', { id: user.id, role: 10 });
        expect(promoted.status).toBe(200);
        expect(promoted.body.data.role).toBe(10);
        expect((await as(user).get('/api/user/')).status).toBe(200);
        const disabled = await root().put('/api/user/', { id: otherAdmin.id, status: 2 });
        expect(disabled.status).toBe(200);
        expect(disabled.body.data.status).toBe(2);
        expect((await as(otherAdmin).get('/api/user/self')).status).toBe(403);
        const rootAdmin = await root().post('/api/user/', {
          username: uniqueName('r'),
          password: 'password-123',
          role: 10,
        });
        expect(rootAdmin.status).toBe(200);
        expect(rootAdmin.body.data.role).toBe(10);

        // Root cannot lock itself out.
        expect((await root().put('/api/user/', { id: t.root.id, status: 2 })).status).toBe(400);
        expect((await root().put('/api/user/', { id: t.root.id, role: 10 })).status).toBe(400);
        expect((await root().get('/api/user/self')).body.data.role).toBe(100);
        // Renaming onto a taken username is a 409 as well; an unknown id a 404.
        expect((await root().put('/api/user/', { id: admin.id, username: user.username })).status).toBe(409);
        expect((await root().put('/api/user/', { id: 999999, display_name: 'x' })).status).toBe(404);
      });

      it('PUT quota writes a topup (or adjust when lower) ledger row; the balance is the sum of the rows', async () => {
        const admin = await apiUser(10);
        const user = await t.createUser();
        expect(await ownLedger(user)).toEqual([]);

        const up = await as(admin).put('/api/user/', { id: user.id, quota: 5000, remark: 'welcome bonus' });
        expect(up.status, up.text).toBe(200);
        expect(up.body.data.quota).toBe(5000);
        let rows = await ownLedger(user);
        expect(rows).toHaveLength(1);
        expect(Object.keys(rows[0]).sort()).toEqual(LEDGER_KEYS);
        expect(rows[0]).toMatchObject({
          user_id: user.id,
          token_id: 0,
          task_id: '',
          kind: 'topup',
          quota: 5000,
          content: `welcome bonus (set by admin ${admin.username})`,
          created_at: Math.floor(t.clock.now() / 1000),
        });

        t.clock.advance(5000);
        const down = await root().put('/api/user/', { id: user.id, quota: 3000 });
        expect(down.body.data.quota).toBe(3000);
        rows = await ownLedger(user);
        expect(rows.map((r) => [r.kind, r.quota])).toEqual([
          ['adjust', 2000],
          ['topup', 5000],
        ]);
        expect(rows[0].content).toContain('root');
        expect(rows[0].created_at).toBe(Math.floor(t.clock.now() / 1000));

        // The same quota again moves nothing and writes nothing.
        await root().put('/api/user/', { id: user.id, quota: 3000, display_name: 'Same' });
        expect(await ownLedger(user)).toHaveLength(2);

        // The admin's view of the ledger shows the same rows.
        const adminView = await as(admin).get(`/api/log/?user_id=${user.id}`);
        expect(adminView.status).toBe(200);
        expect(adminView.body.data.items).toEqual(rows);
        expect(adminView.body.data.total).toBe(2);

        const self = await as(user).get('/api/user/self');
        const sum = rows.reduce((total, row) => total + signed(row), 0);
        expect(self.body.data.quota).toBe(3000);
        expect(sum).toBe(self.body.data.quota);
        expect(await ledgerBalance(t.ctx.store, user.id)).toBe(3000);

        // Root's initial balance is a ledger row too.
        const rootRows = await ownLedger(t.root);
        const rootSelf = await root().get('/api/user/self');
        expect(rootRows.reduce((total, row) => total + signed(row), 0)).toBe(rootSelf.body.data.quota);
        expect(rootRows.some((r) => r.kind === 'topup' && r.quota === 100_000_000)).toBe(true);

        // A negative quota is refused and moves nothing.
        expect((await root().put('/api/user/', { id: user.id, quota: -1 })).status).toBe(400);
        expect((await as(user).get('/api/user/self')).body.data.quota).toBe(3000);
      });

      it("a user's ledger is private: /api/log/self shows only the caller's rows, /api/log/ is for admins", async () => {
        const [a, b] = [await t.createUser(), await t.createUser()];
        await root().put('/api/user/', { id: a.id, quota: 700 });
        await root().put('/api/user/', { id: b.id, quota: 900 });
        const rowsA = await ownLedger(a);
        expect(rowsA.map((r) => [r.user_id, r.quota])).toEqual([[a.id, 700]]);
        expect((await ownLedger(b)).map((r) => [r.user_id, r.quota])).toEqual([[b.id, 900]]);
        // A user_id on the self route is not applied.
        const peek = await as(a).get(`/api/log/self?user_id=${b.id}`);
        expect(peek.body.data.items.map((r: Json) => r.user_id)).toEqual([a.id]);
        expect((await as(a).get('/api/log/')).status).toBe(403);
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('API keys', () => {
      it('POST /api/token/ shows the full key once; lists and reads show it masked only; it works on /v1/models', async () => {
        const user = await t.createUser();
        // A channel so the model list has something to show.
        const channel = await root().post('/api/channel/', {
          type: 'suno',
          name: uniqueName('models'),
          base_url: 'http://127.0.0.1:9',
          key: 'k',
        });
        expect(channel.status, channel.text).toBe(200);

        const created = await as(user).post('/api/token/', { name: 'my key', unlimited_quota: true });
        expect(created.status, created.text).toBe(200);
        const key: string = created.body.data.key;
        expect(key).toMatch(/^sk-[A-Za-z0-9]{48}$/);
        expect(created.body.data).toMatchObject({
          user_id: user.id,
          name: 'my key',
          status: 1,
          unlimited_quota: true,
          expired_time: -1,
          remain_quota: 0,
          used_quota: 0,
        });
        const id = created.body.data.id;
        const middle = key.slice(7, -4);

        const list = await as(user).get('/api/token/');
        expect(list.status).toBe(200);
        expect(list.body.data.total).toBe(1);
        expect(list.body.data.items[0].id).toBe(id);
        expect(list.text).not.toContain(key);
        expect(list.text).not.toContain(middle);
        expect(list.body.data.items[0].key).toMatch(/^sk-[A-Za-z0-9]{0,4}\*+[A-Za-z0-9]{0,4}$/);
        expect(list.body.data.items[0].key).not.toBe(key);

        const one = await as(user).get(`/api/token/${id}`);
        expect(one.status).toBe(200);
        expect(one.text).not.toContain(key);
        expect(one.text).not.toContain(middle);
        expect(one.body.data.key).toBe(list.body.data.items[0].key);

        const models = await t.request('GET', '/v1/models', { headers: withKey(key) });
        expect(models.status, models.text).toBe(200);
        expect(models.body.object).toBe('list');
        const names = models.body.data.map((m: Json) => m.id);
        expect(names).toEqual(expect.arrayContaining(['suno_music', 'suno_lyrics']));
        expect(models.body.data.every((m: Json) => m.object === 'model')).toBe(true);
        // mj-api-secret works too (midjourney-proxy clients).
        expect((await t.request('GET', '/v1/models', { headers: { 'mj-api-secret': key } })).status).toBe(
          200,
        );

        const bogus = await t.request('GET', '/v1/models', { headers: withKey(`sk-${'x'.repeat(48)}`) });
        expect(bogus.status).toBe(401);
        expect((await t.request('GET', '/v1/models')).status).toBe(401);
      });

      it('PUT /api/token/ changes settings; ?status_only=true changes only the status; DELETE removes the key', async () => {
        const user = await t.createUser();
        const created = await as(user).post('/api/token/', { name: 'before', unlimited_quota: true });
        const { id, key } = created.body.data;

        const updated = await as(user).put('/api/token/', {
          id,
          name: 'after',
          remain_quota: 1234,
          unlimited_quota: false,
          model_limits_enabled: true,
          model_limits: 'suno_music',
        });
        expect(updated.status, updated.text).toBe(200);
        expect(updated.body.data).toMatchObject({
          id,
          name: 'after',
          remain_quota: 1234,
          unlimited_quota: false,
          model_limits_enabled: true,
          model_limits: 'suno_music',
          status: 1,
        });
        expect(updated.text).not.toContain(key);
        expect((await as(user).get(`/api/token/${id}`)).body.data.name).toBe('after');

        const disabled = await t.request('PUT', '/api/token/?status_only=true', {
          as: user,
          body: { id, status: 2, name: 'ignored', remain_quota: 1 },
        });
        expect(disabled.status, disabled.text).toBe(200);
        expect(disabled.body.data).toMatchObject({ status: 2, name: 'after', remain_quota: 1234 });
        expect((await t.request('GET', '/v1/models', { headers: withKey(key) })).status).toBe(401);

        const enabled = await t.request('PUT', '/api/token/?status_only=true', {
          as: user,
          body: { id, status: 1 },
        });
        expect(enabled.body.data.status).toBe(1);
        expect((await t.request('GET', '/v1/models', { headers: withKey(key) })).status).toBe(200);

        // Another user's key is unknown to everyone else, admins' own key routes included.
        const stranger = await t.createUser();
        expect((await as(stranger).get(`/api/token/${id}`)).status).toBe(404);
        expect((await as(stranger).put('/api/token/', { id, name: 'stolen' })).status).toBe(404);
        expect((await as(stranger).del(`/api/token/${id}`)).status).toBe(404);
        expect((await root().get(`/api/token/${id}`)).status).toBe(404);
        expect((await as(user).get(`/api/token/${id}`)).body.data.name).toBe('after');

        const deleted = await as(user).del(`/api/token/${id}`);
        expect(deleted.status).toBe(200);
        expect(deleted.body).toEqual({ success: true, message: '' });
        expect((await as(user).get(`/api/token/${id}`)).status).toBe(404);
        expect((await as(user).get('/api/token/')).body.data.total).toBe(0);
        expect((await t.request('GET', '/v1/models', { headers: withKey(key) })).status).toBe(401);
        expect((await as(user).del(`/api/token/${id}`)).status).toBe(404);
      });

      it('an expired key is refused; bad settings are a 400', async () => {
        const user = await t.createUser();
        const past = Math.floor(t.clock.now() / 1000) - 60;
        const expired = await as(user).post('/api/token/', {
          name: 'old',
          unlimited_quota: true,
          expired_time: past,
        });
        expect(expired.status).toBe(200);
        expect(
          (await t.request('GET', '/v1/models', { headers: withKey(expired.body.data.key) })).status,
        ).toBe(401);
        for (const body of [
          { name: '' },
          { name: 'x', remain_quota: -5 },
          { name: 'x', expired_time: 0 },
          {},
        ]) {
          const res = await as(user).post('/api/token/', body);
          expect(res.status, JSON.stringify(body)).toBe(400);
        }
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('channels', () => {
      const channelKey = () => `chan-secret-${Math.random().toString(36).slice(2)}${Date.now()}`;

      it('creates channels by type name and by new-api number; unknown types are a 400; models default per type', async () => {
        const cases: Array<[string | number, keyof typeof DEFAULT_CHANNEL_MODELS]> = [
          ['midjourney', 'midjourney'],
          ['midjourney-plus', 'midjourney-plus'],
          ['suno', 'suno'],
          ['openai-video', 'openai-video'],
          [2, 'midjourney'],
          [5, 'midjourney-plus'],
          [36, 'suno'],
          [55, 'openai-video'],
          ['36', 'suno'],
        ];
        for (const [type, name] of cases) {
          const key = channelKey();
          const res = await root().post('/api/channel/', {
            type,
            name: uniqueName(`ch-${name}`),
            base_url: 'https://upstream.example/',
            key,
            ...(typeof type === 'number' ? { models: '' } : {}),
          });
          expect(res.status, `${type}: ${res.text}`).toBe(200);
          expect(res.body.data.type).toBe(name);
          expect(res.body.data.models).toBe(DEFAULT_CHANNEL_MODELS[name].join(','));
          expect(res.body.data.base_url).toBe('https://upstream.example');
          expect(res.body.data).toMatchObject({ group: 'default', status: 1, auto_ban: true, push: false });
          expect(res.text).not.toContain(key);
          expect((await findChannel(t.ctx.store, res.body.data.id))!.key).toBe(key);
        }
        for (const type of ['dalle', 99, 0, '', 'MIDJOURNEY']) {
          const res = await root().post('/api/channel/', {
            type,
            name: 'bad',
            base_url: 'https://upstream.example',
            key: 'k',
          });
          expect(res.status, String(type)).toBe(400);
          expect(res.body.success).toBe(false);
        }
        const listed = await root().get('/api/channel/?type=36&page_size=100');
        expect(listed.body.data.items.length).toBeGreaterThanOrEqual(2);
        expect(listed.body.data.items.every((c: Json) => c.type === 'suno')).toBe(true);
        expect((await root().get('/api/channel/?type=nope')).status).toBe(400);
      });

      it('the channel key never appears in any response; an empty key on update keeps the old one', async () => {
        const key = channelKey();
        const created = await root().post('/api/channel/', {
          type: 'midjourney',
          name: uniqueName('secret'),
          base_url: 'https://mj.example',
          key,
          models: ' mj_imagine , mj_upscale,, ',
          group: 'default, vip',
          priority: 5,
          weight: 3,
          proxy: 'http://user:proxy-pass@proxy.example:8080',
        });
        expect(created.status, created.text).toBe(200);
        const id = created.body.data.id;
        expect(created.body.data).toMatchObject({
          models: 'mj_imagine,mj_upscale',
          group: 'default,vip',
          priority: 5,
          weight: 3,
        });
        expect(created.text).not.toContain('proxy-pass');
        const texts = [created.text];
        // A SOCKS5 proxy's password is masked the same way.
        const socks = await root().put('/api/channel/', {
          id,
          proxy: 'socks5://user:socks-pass@proxy.example:1080',
        });
        expect(socks.status, socks.text).toBe(200);
        expect(socks.body.data.proxy).toBe('socks5://user:***@proxy.example:1080');
        expect(socks.text).not.toContain('socks-pass');
        texts.push(socks.text);
        // Sending the masked proxy back, as the edit form does, keeps the stored one; a new one replaces it.
        const resent = await root().put('/api/channel/', { id, proxy: socks.body.data.proxy });
        expect(resent.status, resent.text).toBe(200);
        expect((await findChannel(t.ctx.store, id))!.proxy).toBe(
          'socks5://user:socks-pass@proxy.example:1080',
        );
        await root().put('/api/channel/', { id, proxy: 'socks5://other:pass-2@proxy.example:1080' });
        expect((await findChannel(t.ctx.store, id))!.proxy).toBe('socks5://other:pass-2@proxy.example:1080');

        const list = await root().get('/api/channel/?page_size=100');
        expect(list.body.data.items.map((c: Json) => c.id)).toContain(id);
        texts.push(list.text);
        const one = await root().get(`/api/channel/${id}`);
        expect(one.body.data.name).toBe(created.body.data.name);
        texts.push(one.text);

        const renamed = await root().put('/api/channel/', { id, key: '', name: 'renamed' });
        expect(renamed.status, renamed.text).toBe(200);
        expect(renamed.body.data.name).toBe('renamed');
        texts.push(renamed.text);
        expect((await findChannel(t.ctx.store, id))!.key).toBe(key);

        // Updating without a key at all keeps it as well.
        const weighted = await root().put('/api/channel/', { id, weight: 9 });
        expect(weighted.body.data.weight).toBe(9);
        texts.push(weighted.text);
        expect((await findChannel(t.ctx.store, id))!.key).toBe(key);

        const newKey = channelKey();
        const rekeyed = await root().put('/api/channel/', { id, key: newKey });
        expect(rekeyed.status).toBe(200);
        expect(rekeyed.text).not.toContain(newKey);
        expect((await findChannel(t.ctx.store, id))!.key).toBe(newKey);

        // An update that changes nothing (the key left empty, the rest as it was) still answers the channel.
        const unchanged = await root().put('/api/channel/', { id, key: '', weight: 9 });
        expect(unchanged.status, unchanged.text).toBe(200);
        expect(unchanged.body.data.weight).toBe(9);
        texts.push(unchanged.text);
        expect((await root().put('/api/channel/', { id })).status).toBe(200);
        expect((await findChannel(t.ctx.store, id))!.key).toBe(newKey);

        for (const text of texts) {
          expect(text).not.toContain(key);
          expect(text).not.toMatch(/"key"\s*:/);
        }
        expect((await root().put('/api/channel/', { id, type: 'bogus' })).status).toBe(400);
        expect((await root().put('/api/channel/', { id: 999999, name: 'x' })).status).toBe(404);
        expect((await root().get('/api/channel/999999')).status).toBe(404);
      });

      it('only admins manage channels; DELETE removes one', async () => {
        const user = await t.createUser();
        expect((await as(user).get('/api/channel/')).status).toBe(403);
        expect(
          (
            await as(user).post('/api/channel/', {
              type: 'suno',
              name: 'x',
              base_url: 'https://x.example',
              key: 'k',
            })
          ).status,
        ).toBe(403);
        const created = await root().post('/api/channel/', {
          type: 'suno',
          name: uniqueName('gone'),
          base_url: 'https://x.example',
          key: 'k',
        });
        const id = created.body.data.id;
        expect((await root().del(`/api/channel/${id}`)).status).toBe(200);
        expect((await root().get(`/api/channel/${id}`)).status).toBe(404);
        expect((await root().del(`/api/channel/${id}`)).status).toBe(404);
      });

      it('GET /api/channel/test/{id} reaches the upstream and records its response time', async () => {
        const seen: IncomingMessage[] = [];
        const server = createServer((request, response) => {
          seen.push(request);
          setTimeout(() => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end('{"ok":true}');
          }, 30);
        });
        const port = await listen(server);
        try {
          const key = channelKey();
          const created = await root().post('/api/channel/', {
            type: 'midjourney',
            name: uniqueName('tested'),
            base_url: `http://127.0.0.1:${port}`,
            key,
          });
          const id = created.body.data.id;
          expect(created.body.data.response_time).toBe(0);
          expect(created.body.data.test_time).toBe(0);

          t.clock.advance(60_000);
          const res = await root().get(`/api/channel/test/${id}`);
          expect(res.status, res.text).toBe(200);
          expect(res.body.data.reachable).toBe(true);
          expect(res.body.data.status).toBe(200);
          expect(res.body.data.time).toBeGreaterThanOrEqual(0.025);
          expect(res.text).not.toContain(key);
          expect(seen).toHaveLength(1);

          const after = await root().get(`/api/channel/${id}`);
          expect(after.body.data.response_time).toBeGreaterThanOrEqual(25);
          expect(after.body.data.test_time).toBe(Math.floor(t.clock.now() / 1000));
          expect((await root().get('/api/channel/test/999999')).status).toBe(404);
        } finally {
          await closeServer(server);
        }
      });

      it('a channel test against a closed port answers reachable false, never a 500', async () => {
        const server = createServer();
        const port = await listen(server);
        await closeServer(server);
        const created = await root().post('/api/channel/', {
          type: 'suno',
          name: uniqueName('closed'),
          base_url: `http://127.0.0.1:${port}`,
          key: 'k',
        });
        const res = await root().get(`/api/channel/test/${created.body.data.id}`);
        expect(res.status, res.text).toBe(200);
        expect(res.body.success).toBe(true);
        expect(res.body.data.reachable).toBe(false);
        expect(res.body.data.status).toBe(0);
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('options', () => {
      const optionsMap = async (): Promise<Record<string, string>> => {
        const res = await root().get('/api/option/');
        expect(res.status).toBe(200);
        expect(Array.isArray(res.body.data)).toBe(true);
        for (const item of res.body.data) {
          expect(Object.keys(item).sort()).toEqual(['key', 'value']);
          expect(typeof item.value).toBe('string');
        }
        return Object.fromEntries(res.body.data.map((item: Json) => [item.key, item.value]));
      };

      it('GET /api/option/ lists the defaults, never the server secret', async () => {
        const res = await root().get('/api/option/');
        expect(res.text).not.toContain(t.ctx.secret);
        const options = await optionsMap();
        expect(Object.keys(options)).not.toContain('_server_secret');
        const prices = JSON.parse(options.ModelPrice);
        expect(prices.mj_imagine).toBe(0.1);
        expect(prices.mj_upscale).toBe(0.05);
        expect(prices.suno_music).toBe(0.3);
        expect(JSON.parse(options.GroupRatio).default).toBe(1);
        expect(options.RetryTimes).toBe('2');
        expect(options.MjForwardUrlEnabled).toBe('true');
        const user = await t.createUser();
        expect((await as(user).get('/api/option/')).status).toBe(403);
        expect((await as(user).put('/api/option/', { key: 'RetryTimes', value: '3' })).status).toBe(403);
      });

      it('PUT /api/option/ validates: unknown keys, bad JSON, negative prices, out-of-range numbers are a 400', async () => {
        const before = await optionsMap();
        for (const body of [
          { key: 'NoSuchOption', value: '1' },
          { key: '_server_secret', value: 'x'.repeat(40) },
          { key: 'ModelPrice', value: '{not json' },
          { key: 'ModelPrice', value: '{"mj_imagine": -0.1}' },
          { key: 'ModelPrice', value: '[0.1]' },
          { key: 'ModelPrice', value: { mj_imagine: 'cheap' } },
          { key: 'GroupRatio', value: '{"default": 0}' },
          { key: 'RetryTimes', value: '11' },
          { key: 'RetryTimes', value: -1 },
          { key: 'RetryTimes', value: '1.5' },
          { key: 'RetryTimes', value: 'two' },
          { key: 'MjForwardUrlEnabled', value: 'yes' },
        ]) {
          const res = await root().put('/api/option/', body);
          expect(res.status, JSON.stringify(body)).toBe(400);
          expect(res.body.success).toBe(false);
        }
        expect(await optionsMap()).toEqual(before);
        expect(t.ctx.secret).not.toBe('x'.repeat(40));
      });

      it('a valid change is visible afterwards, given as text or as JSON', async () => {
        const retry = await root().put('/api/option/', { key: 'RetryTimes', value: '5' });
        expect(retry.status, retry.text).toBe(200);
        expect(retry.body).toEqual({ success: true, message: '' });
        expect((await optionsMap()).RetryTimes).toBe('5');
        await root().put('/api/option/', { key: 'RetryTimes', value: 0 });
        expect((await optionsMap()).RetryTimes).toBe('0');
        expect(t.ctx.options.get('RetryTimes')).toBe(0);

        const prices = { mj_imagine: 0.2, suno_music: 0, 'sora-2': 0.15 };
        expect((await root().put('/api/option/', { key: 'ModelPrice', value: prices })).status).toBe(200);
        expect(JSON.parse((await optionsMap()).ModelPrice)).toEqual(prices);
        expect(t.ctx.options.get('ModelPrice').mj_imagine).toBe(0.2);
        // Stored, not only cached: a fresh read of the database sees it.
        const stored = await t.ctx.store.db
          .selectFrom('options')
          .select('value')
          .where('key', '=', 'ModelPrice')
          .executeTakeFirst();
        expect(JSON.parse(stored!.value)).toEqual(prices);

        expect((await root().put('/api/option/', { key: 'MjForwardUrlEnabled', value: false })).status).toBe(
          200,
        );
        expect((await optionsMap()).MjForwardUrlEnabled).toBe('false');
        expect((await t.request('GET', '/api/status')).body.data.media_forwarding).toBe(false);
        expect((await root().put('/api/option/', { key: 'MjForwardUrlEnabled', value: 'true' })).status).toBe(
          200,
        );
        expect((await t.request('GET', '/api/status')).body.data.media_forwarding).toBe(true);
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('logs', () => {
      it('pages the ledger newest first and filters by kind', async () => {
        const user = await t.createUser();
        // topup 1000, topup 2000, adjust 1000, topup 3000, adjust 5000.
        for (const quota of [1000, 3000, 2000, 5000, 0]) {
          const res = await root().put('/api/user/', { id: user.id, quota });
          expect(res.status, res.text).toBe(200);
          t.clock.advance(1000);
        }
        const all = await ownLedger(user);
        expect(all.map((r) => [r.kind, r.quota])).toEqual([
          ['adjust', 5000],
          ['topup', 3000],
          ['adjust', 1000],
          ['topup', 2000],
          ['topup', 1000],
        ]);
        expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => b - a));
        expect(all.reduce((sum, row) => sum + signed(row), 0)).toBe(0);

        const page1 = await as(user).get('/api/log/self?page_size=2');
        expect(page1.body.data).toMatchObject({ total: 5, page: 1, page_size: 2 });
        expect(page1.body.data.items.map((r: Json) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
        const page3 = await as(user).get('/api/log/self?p=3&page_size=2');
        expect(page3.body.data).toMatchObject({ total: 5, page: 3, page_size: 2 });
        expect(page3.body.data.items.map((r: Json) => r.id)).toEqual([all[4].id]);
        const defaults = await as(user).get('/api/log/self');
        expect(defaults.body.data).toMatchObject({ total: 5, page: 1, page_size: 20 });

        const topups = await as(user).get('/api/log/self?kind=topup');
        expect(topups.body.data.total).toBe(3);
        expect(topups.body.data.items.map((r: Json) => r.quota)).toEqual([3000, 2000, 1000]);
        const adjusts = await as(user).get('/api/log/self?kind=adjust');
        expect(adjusts.body.data.items.map((r: Json) => r.quota)).toEqual([5000, 1000]);
        expect((await as(user).get('/api/log/self?kind=charge')).body.data.total).toBe(0);
        expect((await as(user).get('/api/log/self?kind=bogus')).status).toBe(400);

        const admin = await root().get(`/api/log/?user_id=${user.id}&kind=topup&page_size=2`);
        expect(admin.body.data).toMatchObject({ total: 3, page_size: 2 });
        expect(admin.body.data.items.every((r: Json) => r.user_id === user.id && r.kind === 'topup')).toBe(
          true,
        );
        const everyone = await root().get('/api/log/?kind=topup&page_size=100');
        const users = new Set(everyone.body.data.items.map((r: Json) => r.user_id));
        expect(users.has(user.id)).toBe(true);
        expect(users.has(t.root.id)).toBe(true);
        expect((await root().get('/api/log/?user_id=abc')).status).toBe(400);
      });
    });

    // -------------------------------------------------------------------------------------------------------
    describe('operations', () => {
      it('/api/status is public and names version, database and features', async () => {
        const res = await t.request('GET', '/api/status');
        expect(res.status).toBe(200);
        expect(res.body.success).toBe(true);
        expect(res.body.data).toMatchObject({
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          server_address: t.url,
          database: backend.dialect,
          media_forwarding: true,
        });
        expect(res.body.data.platforms).toEqual(
          expect.arrayContaining(['midjourney', 'suno', 'openai-video']),
        );
      });

      it('/healthz and /readyz answer ok', async () => {
        const health = await t.request('GET', '/healthz');
        expect(health.status).toBe(200);
        expect(health.body.status).toBe('ok');
        const ready = await t.request('GET', '/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ status: 'ok', checks: { database: 'ok' } });
      });

      it('/metrics is Prometheus text with the request counter by route', async () => {
        await t.request('GET', '/api/status');
        const res = await t.request('GET', '/metrics');
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(res.text).toContain('# TYPE taskgate_http_requests_total counter');
        expect(res.text).toMatch(/taskgate_http_requests_total\{[^}]*route="\/api\/status"[^}]*\} \d+/);
        // Route patterns, not raw URLs: ids do not become labels.
        expect(res.text).not.toMatch(/route="\/api\/token\/\d+"/);
      });
    });
  });
}
