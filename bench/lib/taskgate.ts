// Taskgate as the benchmarks run it: a fresh database (a temporary SQLite file, or a PostgreSQL schema of its
// own that is dropped afterwards), the runtime with its poller NOT started, optionally the HTTP app on loopback,
// and the fixtures a request needs: a user with quota, API keys, midjourney-proxy channels.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createLogger } from '../../src/cli/logger.js';
import { loadConfig } from '../../src/config.js';
import { type Clock, systemClock } from '../../src/core/clock.js';
import { hashSecret, newApiKey, randomString } from '../../src/core/ids.js';
import { buildApp } from '../../src/http/app.js';
import type { AppContext } from '../../src/http/context.js';
import { openRuntime } from '../../src/runtime.js';
import { createChannel, newChannelValues } from '../../src/store/channels.js';
import type { DatabaseTarget } from '../../src/store/db.js';
import { changeBalance } from '../../src/store/ledger.js';
import { createToken, unlimitedKey } from '../../src/store/tokens.js';
import { createUser } from '../../src/store/users.js';
import { log, onCleanup } from './util.js';

export type BenchDialect = 'sqlite' | 'postgres';
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL accepts connections (a missing one skips its variants, as the tests do). */
export function postgresAnswers(url = PG_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432), timeout: 1500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function pgQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

export async function createDatabase(dialect: BenchDialect): Promise<BenchDatabase> {
  if (dialect === 'postgres') {
    const schema = `tg_bench_${randomBytes(6).toString('hex')}`;
    await pgQuery(`create schema ${schema}`);
    const drop = onCleanup(() => pgQuery(`drop schema if exists ${schema} cascade`));
    return { target: { dialect, location: PG_URL, schema }, drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-bench-'));
  const drop = onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  return { target: { dialect, location: join(dir, 'taskgate.db') }, drop };
}

export interface Gateway {
  ctx: AppContext;
  /** The HTTP base URL, when the app was asked for. */
  url: string | null;
  close(): Promise<void>;
}

/** Opens the runtime on `database` (migrations included); the poller is not started. */
export async function startTaskgate(
  database: BenchDatabase,
  options: { http: boolean; clock?: Clock; env?: Record<string, string> },
): Promise<Gateway> {
  const config = loadConfig({ INITIAL_ROOT_PASSWORD: 'bench-root-password', ...options.env });
  // What `taskgate serve` logs at its default level, written as pino writes stdout (asynchronously), to nowhere.
  const log = createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: false }));
  const ctx = await openRuntime(config, log, {
    clock: options.clock ?? systemClock,
    database: database.target,
    metricsDefaults: false,
  });
  const app = options.http ? await buildApp(ctx, { logger: log }) : null;
  const url = app ? await app.listen({ host: '127.0.0.1', port: 0 }) : null;
  if (url) ctx.config.serverAddress = url;
  const close = onCleanup(async () => {
    await ctx.engine.close();
    await app?.close();
    await ctx.store.close();
  });
  return { ctx, url, close };
}

/** A user with more quota than any run spends, and `count` unlimited API keys. */
export async function createUserWithKeys(
  ctx: AppContext,
  count: number,
): Promise<{ userId: number; keys: string[] }> {
  const { store, clock } = ctx;
  const now = clock.now();
  const userId = await createUser(
    store,
    { username: `bench_${randomString(6)}`, passwordHash: 'x', role: 1 },
    now,
  );
  await changeBalance(store, userId, 1e15, 'bench top-up', now);
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = newApiKey();
    await createToken(store, userId, hashSecret(key), key, unlimitedKey(`bench ${i}`), now);
    keys.push(key);
  }
  if (count > 0) log(`created ${count} API keys`);
  return { userId, keys };
}

/** A midjourney-proxy ("plus") channel to `baseUrl`, as the admin API would create it. */
export async function createMjChannel(ctx: AppContext, baseUrl: string, secret: string, name: string) {
  const id = await createChannel(
    ctx.store,
    newChannelValues({ type: 'midjourney-plus', name, base_url: baseUrl, key: secret }),
    ctx.clock.now(),
  );
  ctx.engine.channels.invalidate();
  return id;
}
