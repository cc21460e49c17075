// Dashboard sessions end when the account they opened changes hands (docs/api.md, Authentication): a new password
// set by an admin, the answer to a stolen one, ends every session opened before it, and so does disabling the user.
// Changing one's own password keeps the session that did it and ends the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`sessions after account changes [${backend.dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
    });
    afterAll(async () => t?.close());

    let serial = 0;
    const login = (username: string, password: string) =>
      t.request('POST', '/api/user/login', { body: { username, password } });
    /** A logged-in session, as its cookie and a way to call /api/user/self with it. */
    async function session(username: string, password: string, id: number) {
      const answer = await login(username, password);
      expect(answer.status, answer.text).toBe(200);
      const cookie = answer.headers.get('set-cookie')!.split(';')[0];
      const headers = { cookie, 'new-api-user': String(id) };
      return { headers, self: async () => (await t.request('GET', '/api/user/self', { headers })).status };
    }
    async function newUser() {
      const username = `sessions_${++serial}_${backend.dialect}`;
      const created = await t.request('POST', '/api/user/', {
        as: t.root,
        body: { username, password: 'old-password-1' },
      });
      expect(created.status, created.text).toBe(200);
      return { username, id: created.body.data.id as number };
    }

    it('an admin setting a new password ends the sessions opened with the old one', async () => {
      const user = await newUser();
      const stolen = await session(user.username, 'old-password-1', user.id);
      expect(await stolen.self()).toBe(200);

      const reset = await t.request('PUT', '/api/user/', {
        as: t.root,
        body: { id: user.id, password: 'new-password-2' },
      });
      expect(reset.status, reset.text).toBe(200);
      expect(await stolen.self()).toBe(401);
      expect((await login(user.username, 'old-password-1')).status).toBe(401);
      expect(await (await session(user.username, 'new-password-2', user.id)).self()).toBe(200);
    });

    it('other edits keep sessions; disabling ends them, and enabling again does not bring them back', async () => {
      const user = await newUser();
      const open = await session(user.username, 'old-password-1', user.id);
      const edit = (body: Record<string, unknown>) =>
        t.request('PUT', '/api/user/', { as: t.root, body: { id: user.id, ...body } });
      // An empty password (what the edit form sends when it is left alone) changes nothing.
      expect((await edit({ display_name: 'Renamed', password: '' })).status).toBe(200);
      expect(await open.self()).toBe(200);

      expect((await edit({ status: 2 })).status).toBe(200);
      expect((await edit({ status: 1 })).status).toBe(200);
      expect(await open.self()).toBe(401);
    });

    it("root changing its own password keeps the session that did it and ends root's others", async () => {
      const here = await session('root', 'root-password-1', 1);
      const elsewhere = await session('root', 'root-password-1', 1);
      const change = await t.request('PUT', '/api/user/', {
        headers: { ...here.headers, 'content-type': 'application/json' },
        rawBody: JSON.stringify({ id: 1, password: 'root-password-2' }),
      });
      expect(change.status, change.text).toBe(200);
      expect(await here.self()).toBe(200);
      expect(await elsewhere.self()).toBe(401);
      // The access token is no session: it keeps working.
      expect((await t.request('GET', '/api/user/self', { as: t.root })).status).toBe(200);
    });
  });
}
