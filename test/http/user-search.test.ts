// The admin user search, as new-api's: `keyword` matches part of the username or display name regardless of case,
// and the id when it is a number; `%`, `_` and `!` are plain characters. Both `GET /api/user/?keyword=` and new-api's
// `GET /api/user/search?keyword=` answer it, with the same rows on every engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/store/users.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`admin user search [${backend.dialect}]`, () => {
    let t: TestApp;
    const ids: Record<string, number> = {};
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
      for (const [username, displayName] of [
        ['Alice.Smith', 'Alice in Wonderland'],
        ['bob_99', 'Bobby TABLES'],
        ['carol', 'Café Owner'],
        ['dave', '100% sure'],
        ['erin', 'erin!x'],
      ]) {
        ids[username] = await createUser(
          t.ctx.store,
          { username, passwordHash: 'not-a-hash', displayName, role: 1 },
          t.clock.now(),
        );
      }
    });
    afterAll(async () => t?.close());

    /** The usernames found by a keyword, on both routes (which must agree), sorted. */
    const search = async (keyword: string, extra = '') => {
      const found: string[][] = [];
      for (const path of ['/api/user/', '/api/user/search']) {
        const response = await t.request('GET', `${path}?keyword=${encodeURIComponent(keyword)}${extra}`, {
          as: t.root,
        });
        expect(response.status, `${path} ${keyword}: ${response.text}`).toBe(200);
        expect(response.body.data.total).toBeGreaterThanOrEqual(response.body.data.items.length);
        found.push((response.body.data.items as Array<{ username: string }>).map((u) => u.username).sort());
      }
      expect(found[1]).toEqual(found[0]);
      return found[0];
    };

    it('matches part of the username, in any case', async () => {
      expect(await search('alice')).toEqual(['Alice.Smith']);
      expect(await search('SMITH')).toEqual(['Alice.Smith']);
      expect(await search('ob_9')).toEqual(['bob_99']);
    });

    it('matches part of the display name, in any case', async () => {
      expect(await search('wonderland')).toEqual(['Alice.Smith']);
      expect(await search('bobby tables')).toEqual(['bob_99']);
      expect(await search('café')).toEqual(['carol']);
      // Accents are not folded away on any engine (MariaDB's default collation would).
      expect(await search('cafe')).toEqual([]);
    });

    it('matches the id when the keyword is a number, besides names holding it', async () => {
      const found = await search(String(ids.carol));
      expect(found).toContain('carol');
      expect(await search('99')).toEqual(expect.arrayContaining(['bob_99']));
      expect(await search('1')).toEqual(expect.arrayContaining(['root']));
    });

    it('takes %, _ and ! as plain characters', async () => {
      expect(await search('%')).toEqual(['dave']);
      expect(await search('100%')).toEqual(['dave']);
      expect(await search('_')).toEqual(['bob_99']);
      expect(await search('!')).toEqual(['erin']);
      expect(await search('a%e')).toEqual([]);
    });

    it('an empty keyword lists everyone; an unknown one no one', async () => {
      expect(await search('')).toHaveLength(6);
      expect(await search('nobody-here')).toEqual([]);
    });

    it('pages the search and counts every match', async () => {
      const response = await t.request('GET', '/api/user/search?keyword=a&page_size=1', { as: t.root });
      expect(response.status, response.text).toBe(200);
      expect(response.body.data.items).toHaveLength(1);
      // alice, carol, dave (display name "100% sure" has none), and "TABLES".
      expect(response.body.data.total).toBe((await search('a')).length);
    });

    it('is for admins only', async () => {
      const user = await t.createUser();
      const response = await t.request('GET', '/api/user/search?keyword=a', { as: user });
      expect(response.status).toBe(403);
    });
  });
}
