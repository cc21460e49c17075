// `taskgate demo` (npm run demo): Taskgate and the three upstream simulators, a demo user with an API key and
// balance, one channel per platform, and a ready curl line. Uses its own SQLite file, made afresh each time.
import { existsSync, rmSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { hashSecret, newAccessToken, newApiKey, randomString } from '../core/ids.js';
import { UI_ROOT } from '../http/ui.js';
import { hashPassword } from '../services/passwords.js';
import { createSimulators } from '../sim/server.js';
import { createChannel, newChannelValues } from '../store/channels.js';
import { changeBalance } from '../store/ledger.js';
import { createToken, unlimitedKey } from '../store/tokens.js';
import { createUser, setAccessTokenHash } from '../store/users.js';
import { serve } from './serve.js';

const DEMO_PASSWORD = 'demo-password';

export async function demo(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const simSecret = randomString(24);
  const sims = createSimulators({ secret: simSecret, timeScale: Number(env.SIM_TIME_SCALE ?? 10) });
  const simUrl = await sims.listen(Number(env.SIM_PORT ?? 0));
  const sqlitePath = env.SQLITE_PATH ?? './data/demo.db';
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath}${suffix}`, { force: true });
  // Root's password is chosen here, so the demo can print it with the rest instead of in a JSON log line.
  const rootPassword = env.INITIAL_ROOT_PASSWORD || randomString(16);
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ...env,
    SQLITE_PATH: sqlitePath,
    SQL_DSN: '',
    INITIAL_ROOT_PASSWORD: rootPassword,
  });
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
  // The dashboard curl line needs one: what the demo user would get from GET /api/user/token.
  const accessToken = newAccessToken();
  await setAccessTokenHash(store, userId, hashSecret(accessToken), now);
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
  // Without web/dist (run from source, unbuilt) the address serves the API only: say so rather than print a 404.
  const dashboard = existsSync(`${UI_ROOT}/index.html`)
    ? `${base}/   (log in as demo / ${DEMO_PASSWORD}, or as admin root / ${rootPassword})`
    : `not built (run npm run build); the API logs in as demo / ${DEMO_PASSWORD}, or as admin root / ${rootPassword}`;
  console.log(`
Taskgate demo is running.

  Dashboard:    ${dashboard}
  API docs:     ${base}/docs
  Simulators:   ${simUrl}   (midjourney-proxy, Suno-API and OpenAI video; generation runs 10x fast)
  API key:      ${key}

Submit an imagine:
  curl -s ${auth} -H 'Content-Type: application/json' -d '{"prompt":"a red fox in the snow"}' ${base}/mj/submit/imagine

Watch it finish (use the "result" id from the answer; it takes a few seconds):
  curl -s ${auth} ${base}/mj/task/<id>/fetch

Your tasks as the dashboard sees them (your ledger: the same with /api/log/self):
  curl -s -H 'Authorization: Bearer ${accessToken}' -H 'New-Api-User: ${userId}' "${base}/api/mj/self"

Stop with Ctrl+C.
`);
}
