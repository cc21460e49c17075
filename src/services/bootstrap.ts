// First start on an empty database: the root user, its optional preset access token and API key, and the
// server's own secret (stored, so every instance and every restart signs cookies and media URLs alike).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { hashSecret, randomString } from '../core/ids.js';
import { Role } from '../core/roles.js';
import { type DbContext, inTransaction } from '../store/db.js';
import { isUniqueViolation } from '../store/insert.js';
import { changeBalance } from '../store/ledger.js';
import { readOptions } from '../store/options.js';
import { createToken, unlimitedKey } from '../store/tokens.js';
import { createUser, setAccessTokenHash } from '../store/users.js';
import { hashPassword } from './passwords.js';

/** Root's starting balance, like new-api's (100,000,000 quota = 200 units). */
export const ROOT_INITIAL_QUOTA = 100_000_000;
/** Root is user 1, as in new-api, whichever of several instances starting together creates it. */
export const ROOT_USER_ID = 1;
const SECRET_OPTION = '_server_secret';

export async function ensureRoot(
  ctx: DbContext,
  config: Pick<Config, 'initialRootPassword' | 'initialRootAccessToken' | 'initialRootToken'>,
  log: Pick<Logger, 'info' | 'warn'>,
  now: number,
): Promise<void> {
  const existing = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return;
  const password = config.initialRootPassword ?? randomString(16);
  const passwordHash = await hashPassword(password);
  try {
    await inTransaction(ctx, async (trx) => {
      const id = await createUser(
        trx,
        { id: ROOT_USER_ID, username: 'root', passwordHash, displayName: 'Root', role: Role.root },
        now,
      );
      if (config.initialRootAccessToken)
        await setAccessTokenHash(trx, id, hashSecret(config.initialRootAccessToken), now);
      if (config.initialRootToken) {
        await createToken(
          trx,
          id,
          hashSecret(config.initialRootToken),
          config.initialRootToken,
          unlimitedKey('initial root token'),
          now,
        );
      }
      await changeBalance(trx, id, ROOT_INITIAL_QUOTA, 'initial root balance', now);
    });
  } catch (error) {
    // Another instance starting at the same moment created root first: that is the one root.
    if (isUniqueViolation(error)) return;
    throw error;
  }
  if (config.initialRootPassword)
    log.info('created the root user with the password from INITIAL_ROOT_PASSWORD');
  else log.warn(`created the root user; its generated password is shown this once: ${password}`);
}

/** The server's signing secret: SESSION_SECRET when given, otherwise one generated once and kept in the database. */
export async function serverSecret(ctx: DbContext, configured: string | null): Promise<string> {
  if (configured) return configured;
  const stored = (await readOptions(ctx))[SECRET_OPTION];
  if (stored) return stored;
  const fresh = randomBytes(32).toString('hex');
  try {
    await ctx.db.insertInto('options').values({ key: SECRET_OPTION, value: fresh }).execute();
    return fresh;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return (await readOptions(ctx))[SECRET_OPTION];
  }
}
