import { expect, it } from 'vitest';
import { hashSecret } from '../../src/core/ids.js';
import type { Store } from '../../src/store/db.js';
import { changeBalance, ledgerBalance, refundQuota, reserveQuota } from '../../src/store/ledger.js';
import { createToken, findUserToken } from '../../src/store/tokens.js';
import { createUser, findUserById } from '../../src/store/users.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_760_000_000_000;

async function userWithKey(store: Store, balance: number, keyQuota: number, unlimited = false) {
  const userId = await createUser(store, { username: `u${Math.random()}`, passwordHash: 'x', role: 1 }, NOW);
  await changeBalance(store, userId, balance, 'initial top-up', NOW);
  const key = `sk-${Math.random()}`;
  const tokenId = await createToken(
    store,
    userId,
    hashSecret(key),
    key,
    {
      name: 'k',
      remainQuota: keyQuota,
      unlimitedQuota: unlimited,
      expiredTime: -1,
      modelLimitsEnabled: false,
      modelLimits: '',
      allowIps: '',
      group: '',
    },
    NOW,
  );
  return { userId, tokenId };
}

const reservation = (userId: number, tokenId: number, taskId: string, quota: number) => ({
  userId,
  tokenId,
  taskId,
  platform: 'midjourney',
  model: 'mj_imagine',
  quota,
  content: 'test',
});

describeEachBackend('ledger', (current) => {
  it('never takes a balance below zero under 40 parallel reservations, and the ledger sums to the balance', async () => {
    const store = current();
    const { userId, tokenId } = await userWithKey(store, 1000, 0, true);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        reserveQuota(store, reservation(userId, tokenId, `t-par-${i}`, 70), NOW),
      ),
    );
    const granted = results.filter((r) => r.status === 'fulfilled').length;
    expect(granted).toBe(14); // floor(1000 / 70)
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).message).toBe('insufficient_quota');
    }
    const user = await findUserById(store, userId);
    expect(user?.quota).toBe(1000 - 14 * 70);
    expect(user?.used_quota).toBe(14 * 70);
    expect(await ledgerBalance(store, userId)).toBe(user?.quota);
  });

  it("respects the key's remaining quota and leaves nothing behind when the key refuses", async () => {
    const store = current();
    const { userId, tokenId } = await userWithKey(store, 1000, 150);
    await reserveQuota(store, reservation(userId, tokenId, 't-key-1', 100), NOW);
    await expect(reserveQuota(store, reservation(userId, tokenId, 't-key-2', 100), NOW)).rejects.toThrow(
      'token_quota_exhausted',
    );
    const user = await findUserById(store, userId);
    expect(user?.quota).toBe(900); // the second reservation rolled back whole
    expect(await ledgerBalance(store, userId)).toBe(900);
  });

  it("records a charged submit as the key's last use, and a refused one not", async () => {
    const store = current();
    const { userId, tokenId } = await userWithKey(store, 1000, 150);
    await reserveQuota(store, reservation(userId, tokenId, 't-used-1', 100), NOW + 5_000);
    expect((await findUserToken(store, userId, tokenId))?.accessed_at).toBe(NOW + 5_000);
    await expect(
      reserveQuota(store, reservation(userId, tokenId, 't-used-2', 100), NOW + 9_000),
    ).rejects.toThrow('token_quota_exhausted');
    expect((await findUserToken(store, userId, tokenId))?.accessed_at).toBe(NOW + 5_000);
  });

  it('refunds a task exactly once however many refunds race', async () => {
    const store = current();
    const { userId, tokenId } = await userWithKey(store, 500, 500);
    await reserveQuota(store, reservation(userId, tokenId, 't-refund', 200), NOW);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => refundQuota(store, reservation(userId, tokenId, 't-refund', 200), NOW)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const user = await findUserById(store, userId);
    expect(user?.quota).toBe(500);
    expect(user?.used_quota).toBe(0);
    const token = await store.db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', tokenId)
      .executeTakeFirstOrThrow();
    expect(token.remain_quota).toBe(500);
    expect(token.used_quota).toBe(0);
    const rows = await store.db.selectFrom('ledger').selectAll().where('task_id', '=', 't-refund').execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(['charge', 'refund']);
  });

  it('refuses a second charge for the same task', async () => {
    const store = current();
    const { userId, tokenId } = await userWithKey(store, 500, 500);
    await reserveQuota(store, reservation(userId, tokenId, 't-twice', 100), NOW);
    await expect(reserveQuota(store, reservation(userId, tokenId, 't-twice', 100), NOW)).rejects.toThrow();
    expect((await findUserById(store, userId))?.quota).toBe(400);
  });

  it('records top-ups and refuses an adjustment below zero', async () => {
    const store = current();
    const { userId } = await userWithKey(store, 100, 0);
    await changeBalance(store, userId, -60, 'correction', NOW);
    await expect(changeBalance(store, userId, -60, 'too much', NOW)).rejects.toThrow('invalid_request');
    expect((await findUserById(store, userId))?.quota).toBe(40);
    expect(await ledgerBalance(store, userId)).toBe(40);
  });
});
