// GET /api/channel/?status=… as new-api reads it: `enabled`/`1` lists enabled channels, `disabled`/`0` every disabled
// one (by an admin or automatically), `2` and `3` one kind of disabled each, `all` or empty no filter; anything else
// is a 400 naming status. On every engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`channel list status filter [${backend.dialect}]`, () => {
    let t: TestApp;
    const ids: Record<'enabled' | 'manual' | 'auto', number> = { enabled: 0, manual: 0, auto: 0 };
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
      for (const [name, status] of [
        ['enabled', 1],
        ['manual', 2],
        ['auto', 3],
      ] as const) {
        const created = await t.request('POST', '/api/channel/', {
          as: t.root,
          body: { type: 'suno', name, base_url: 'http://127.0.0.1:9', key: 'k', status },
        });
        expect(created.status, created.text).toBe(200);
        ids[name] = created.body.data.id;
      }
    });
    afterAll(async () => t?.close());

    const listed = async (status: string) => {
      const response = await t.request('GET', `/api/channel/?status=${encodeURIComponent(status)}`, {
        as: t.root,
      });
      expect(response.status, `status=${status}: ${response.text}`).toBe(200);
      expect(response.body.data.total).toBe(response.body.data.items.length);
      return (response.body.data.items as Array<{ id: number }>).map((c) => c.id).sort((a, b) => a - b);
    };

    it('enabled and 1 list the enabled channels', async () => {
      for (const value of ['enabled', '1', 'ENABLED']) expect(await listed(value)).toEqual([ids.enabled]);
    });

    it('disabled and 0 list every disabled channel, by an admin or automatically', async () => {
      for (const value of ['disabled', '0', 'Disabled'])
        expect(await listed(value)).toEqual([ids.manual, ids.auto]);
    });

    it('2 and 3 list one kind of disabled each', async () => {
      expect(await listed('2')).toEqual([ids.manual]);
      expect(await listed('3')).toEqual([ids.auto]);
    });

    it('all or empty lists every channel', async () => {
      for (const value of ['all', ''])
        expect(await listed(value)).toEqual([ids.enabled, ids.manual, ids.auto]);
    });

    it('an unknown value is a 400 naming status', async () => {
      for (const value of ['4', '-1', 'on', 'enable', '1.0', ' 1', 'constructor']) {
        const response = await t.request('GET', `/api/channel/?status=${encodeURIComponent(value)}`, {
          as: t.root,
        });
        expect(response.status, `status=${value}: ${response.text}`).toBe(400);
        expect(response.body).toEqual({ success: false, message: expect.stringMatching(/status/) });
      }
    });
  });
}
