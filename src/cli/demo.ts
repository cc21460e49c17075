// `taskgate demo` (npm run demo): Taskgate and the three upstream simulators, a demo user with an API key and
// balance, one channel per platform, and a ready curl line. Uses its own SQLite file, made afresh each time.
import { rmSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { hashSecret, newApiKey, randomString } from '../core/ids.js';
import { hashPassword } from '../services/passwords.js';
import { createSimulators } from '../sim/server.js';
import { createChannel, newChannelValues } from '../store/channels.js';
import { changeBalance } from '../store/ledger.js';
import { createToken, unlimitedKey } from '../store/tokens.js';
import { createUser } from '../store/users.js';
import { serve } from './serve.js';

const DEMO_PASSWORD = 'demo-password';

export async function demo(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const simSecret = randomString(24);
  const sims = createSimulators({ secret: simSecret, timeScale: Number(env.SIM_TIME_SCALE ?? 10) });
  const simUrl = await sims.listen(Number(env.SIM_PORT ?? 0));
  const sqlitePath = env.SQLITE_PATH ?? './data/demo.db';
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
  const config = loadConfig({ LOG_LEVEL: 'warn', ...env, SQLITE_PATH: sqlitePath, SQL_DSN: '' });
  const { ctx } = await serve(config, () => sims.close());
  const { store, clock } = ctx;
  const now = clock.now();

  const userId = await createUser(
    store,
    { username: 'demo', passwordHash: await hashPassword(DEMO_PASSWORD), role: 1 },
    now,
  );
  await changeBalance(store, userId, 50_000_000, 'demo balance', now);
  const key = newApiKey();
  await createToken(store, userId, hashSecret(key), key, unlimitedKey('demo key'), now);
  // What an admin creating them gets (every model of the type), with auto-ban off.
  const channel = { base_url: simUrl, key: simSecret, auto_ban: 0 };
  await createChannel(
    store,
    newChannelValues({ ...channel, type: 'midjourney-plus', name: 'demo midjourney-proxy', push: 1 }),
    now,
  );
  await createChannel(store, newChannelValues({ ...channel, type: 'suno', name: 'demo Suno-API' }), now);
  await createChannel(store, newChannelValues({ ...channel, type: 'openai-video', name: 'demo video' }), now);
  ctx.engine.channels.invalidate();

  const base = config.serverAddress;
  const auth = `-H 'Authorization: Bearer ${key}'`;
  console.log(`
Taskgate demo is running.

  Gateway:      ${base}   (API reference: ${base}/docs)
  Simulators:   ${simUrl}   (midjourney-proxy, Suno-API and OpenAI video; generation runs 10x fast)
  Log in:       demo / ${DEMO_PASSWORD}   (root's password is in the log above, or set INITIAL_ROOT_PASSWORD)
  API key:      ${key}

Submit an imagine:
  curl -s ${auth} -H 'Content-Type: application/json' -d '{"prompt":"a red fox in the snow"}' ${base}/mj/submit/imagine

Watch it finish (use the "result" id from the answer; it takes a few seconds):
  curl -s ${auth} ${base}/mj/task/<id>/fetch

Your tasks and your ledger, as the dashboard sees them:
  curl -s -H 'Authorization: Bearer <access token>' -H 'New-Api-User: ${userId}' "${base}/api/mj/self"

Stop with Ctrl+C.
`);
}
