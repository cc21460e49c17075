import { expect, it } from 'vitest';
import { hashSecret } from '../../src/core/ids.js';
import { ensureRoot, ROOT_INITIAL_QUOTA, serverSecret } from '../../src/services/bootstrap.js';
import { verifyPassword } from '../../src/services/passwords.js';
import { ledgerBalance } from '../../src/store/ledger.js';
import { findTokenByKeyHash } from '../../src/store/tokens.js';
import { createUser } from '../../src/store/users.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_760_000_000_000;
const silent = { info() {}, warn() {} };

describeEachBackend('bootstrap', (current) => {
  it('creates root once, even when two instances start at the same moment, with the preset secrets', async () => {
    const store = current();
    const config = {
      initialRootPassword: 'root-password-9',
      initialRootAccessToken: 'preset-access-token-0123456789',
      initialRootToken: 'sk-PresetRootToken0123456789abcdef',
    };
    await Promise.all([ensureRoot(store, config, silent, NOW), ensureRoot(store, config, silent, NOW)]);
    await ensureRoot(store, config, silent, NOW);
    const users = await store.db.selectFrom('users').selectAll().execute();
    expect(users).toHaveLength(1);
    const [root] = users;
    expect(root).toMatchObject({ id: 1, username: 'root', role: 100, status: 1, quota: ROOT_INITIAL_QUOTA });
    expect(await verifyPassword('root-password-9', root.password_hash)).toBe(true);
    expect(root.access_token_hash).toBe(hashSecret('preset-access-token-0123456789'));
    const token = await findTokenByKeyHash(store, hashSecret('sk-PresetRootToken0123456789abcdef'));
    expect(token?.user_id).toBe(1);
    expect(await store.db.selectFrom('tokens').selectAll().execute()).toHaveLength(1);
    expect(await ledgerBalance(store, 1)).toBe(ROOT_INITIAL_QUOTA);
    // Root's explicit id must not leave PostgreSQL's sequence behind to hand out 1 again.
    expect(await createUser(store, { username: 'second', passwordHash: 'x', role: 1 }, NOW)).toBe(2);
  });

  it('keeps one server secret for every instance', async () => {
    const store = current();
    const [a, b] = await Promise.all([serverSecret(store, null), serverSecret(store, null)]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(await serverSecret(store, 'configured-secret-value')).toBe('configured-secret-value');
  });
});

it('logs a generated root password once when none is configured', async () => {
  const { createTestStore } = await import('../support/databases.js');
  const { store, dispose } = await createTestStore('sqlite');
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
  await ensureRoot(
    store,
    { initialRootPassword: null, initialRootAccessToken: null, initialRootToken: null },
    log,
    NOW,
  );
  await ensureRoot(
    store,
    { initialRootPassword: null, initialRootAccessToken: null, initialRootToken: null },
    log,
    NOW,
  );
  expect(lines).toHaveLength(1);
  const password = /shown this once: (\S+)/.exec(lines[0])?.[1];
  const root = await store.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
  expect(await verifyPassword(password!, root.password_hash)).toBe(true);
  await dispose();
});
