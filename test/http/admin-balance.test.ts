// An admin's balance change must not overwrite a charge or refund that lands between the moment the balance was
// read (by the browser, or by the handler) and the write: `quota_delta` applies a change atomically, and a bare
// `quota` ("set the balance to") computes its ledger row from the balance read inside the transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalance, reserveQuota } from '../../src/store/ledger.js';
import { findUserById } from '../../src/store/users.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';
import { holdCharge } from '../support/held-charge.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`admin balance changes [${backend.dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
    });
    afterAll(async () => t?.close());

    const put = (body: unknown) => t.request('PUT', '/api/user/', { as: t.root, body });
    const balances = async (id: number) => ({
      quota: (await findUserById(t.ctx.store, id))?.quota,
      ledger: await ledgerBalance(t.ctx.store, id),
    });
    const charge = (userId: number, quota: number) =>
      reserveQuota(
        t.ctx.store,
        {
          userId,
          tokenId: 0,
          taskId: `t-${Math.random()}`,
          platform: 'midjourney',
          model: 'mj_imagine',
          quota,
          content: 'test charge',
        },
        t.clock.now(),
      );

    it('a quota_delta top-up keeps a charge made after the browser read the balance', async () => {
      const user = await t.createUser({ quota: 1000 });
      const seen = await t.request('GET', `/api/user/${user.id}`, { as: t.root });
      expect(seen.body.data.quota).toBe(1000);
      await charge(user.id, 300); // lands while the admin types the amount
      const res = await put({ id: user.id, quota_delta: 500 });
      expect(res.status).toBe(200);
      expect(res.body.data.quota).toBe(1200);
      expect(await balances(user.id)).toEqual({ quota: 1200, ledger: 1200 });
      const log = await t.request('GET', `/api/log/?user_id=${user.id}&kind=topup`, { as: t.root });
      expect(log.body.data.items[0]).toMatchObject({ kind: 'topup', quota: 500 });
    });

    it('a negative quota_delta deducts, and refuses to go below zero without moving anything', async () => {
      const user = await t.createUser({ quota: 1000 });
      expect((await put({ id: user.id, quota_delta: -400 })).body.data.quota).toBe(600);
      const refused = await put({ id: user.id, quota_delta: -601 });
      expect(refused.status).toBe(400);
      expect(await balances(user.id)).toEqual({ quota: 600, ledger: 600 });
    });

    it('refuses quota and quota_delta together', async () => {
      const user = await t.createUser({ quota: 1000 });
      const res = await put({ id: user.id, quota: 5, quota_delta: 5 });
      expect(res.status).toBe(400);
      expect(await balances(user.id)).toEqual({ quota: 1000, ledger: 1000 });
    });

    it('an edit the balance refuses changes nothing else either', async () => {
      const user = await t.createUser({ quota: 1000 });
      const before = await findUserById(t.ctx.store, user.id);
      const refused = await put({ id: user.id, display_name: 'Renamed', status: 2, quota_delta: -1001 });
      expect(refused.status).toBe(400);
      expect(await findUserById(t.ctx.store, user.id)).toEqual(before);
      expect(await balances(user.id)).toEqual({ quota: 1000, ledger: 1000 });
    });

    it("a remark is written with the admin's name, so the ledger still says who moved the money", async () => {
      const user = await t.createUser({ quota: 1000 });
      expect((await put({ id: user.id, quota_delta: 250, remark: 'refund for ticket 42' })).status).toBe(200);
      const log = await t.request('GET', `/api/log/?user_id=${user.id}&kind=topup`, { as: t.root });
      expect(log.body.data.items[0].content).toContain('refund for ticket 42');
      expect(log.body.data.items[0].content).toContain('root');
    });

    it.skipIf(backend.dialect === 'mysql')(
      'a quota_delta racing a charge held open by another connection applies both',
      async () => {
        const user = await t.createUser({ quota: 1000 });
        const held = await holdCharge(t.database, user.id, 300, 400);
        const res = await put({ id: user.id, quota_delta: 500 });
        await held.committed;
        expect(res.status).toBe(200);
        expect(await balances(user.id)).toEqual({ quota: 1200, ledger: 1200 });
      },
    );

    it.skipIf(backend.dialect === 'mysql')(
      'a bare quota racing a charge held open by another connection sets exactly that balance, and the ledger sums to it',
      async () => {
        const user = await t.createUser({ quota: 1000 });
        const held = await holdCharge(t.database, user.id, 300, 400);
        const res = await put({ id: user.id, quota: 5000 });
        await held.committed;
        expect(res.status).toBe(200);
        expect(res.body.data.quota).toBe(5000);
        expect(await balances(user.id)).toEqual({ quota: 5000, ledger: 5000 });
        const log = await t.request('GET', `/api/log/?user_id=${user.id}&kind=topup`, { as: t.root });
        expect(log.body.data.items[0]).toMatchObject({ kind: 'topup', quota: 4300 }); // from 700, not from 1000
      },
    );
  });
}
