// A real Taskgate on loopback over a fresh database, and helpers to act as different users through real HTTP.
// `reopen()` stops the process's parts and starts new ones on the same database: a restart.
import { loadConfig } from '../../src/config.js';
import { ManualClock } from '../../src/core/clock.js';
import { hashSecret, newAccessToken, newApiKey } from '../../src/core/ids.js';
import type { PollerSettings } from '../../src/engine/poller-settings.js';
import { buildApp } from '../../src/http/app.js';
import type { AppContext } from '../../src/http/context.js';
import type { App } from '../../src/http/types.js';
import { openRuntime } from '../../src/runtime.js';
import type { Dialect } from '../../src/store/db.js';
import { changeBalance } from '../../src/store/ledger.js';
import { createToken, type TokenSettings, unlimitedKey } from '../../src/store/tokens.js';
import { createUser, setAccessTokenHash, updateUser } from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface Actor {
  id: number;
  username: string;
  accessToken: string;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely.
export interface Response<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  as?: Actor;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestAppOptions {
  /** Poller settings (tests shorten timeouts and grace periods). */
  poller?: Partial<PollerSettings>;
  /** How long a submit waits for the upstream (default 60 s). */
  submitTimeoutMs?: number;
  clock?: ManualClock;
  /**
   * Another app's database, for several instances on one database. It is left for its owner to drop, and root's
   * access token is set anew: the last app's `root` is the one that works, on every app.
   */
  database?: TestDatabase;
  /** Receives the runtime's log lines (default: none). */
  log?: { info(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void };
}

export interface TestApp {
  readonly url: string;
  readonly app: App;
  readonly ctx: AppContext;
  readonly database: TestDatabase;
  clock: ManualClock;
  root: Actor;
  /** Every route the app registered (HEAD excluded). */
  routes: Array<{ method: string; url: string }>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely.
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Response<T>>;
  createUser(options?: { role?: number; quota?: number; group?: string; disabled?: boolean }): Promise<Actor>;
  createKey(actor: Actor, settings?: Partial<TokenSettings>): Promise<{ id: number; key: string }>;
  /** Closes this process's parts (as a stop would) and starts new ones on the same database. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
const silent = { info() {}, warn() {}, error() {} };

export async function startTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
  const routes: Array<{ method: string; url: string }> = [];
  let running: { ctx: AppContext; app: App; url: string };

  const open = async () => {
    const config = loadConfig({ INITIAL_ROOT_PASSWORD: 'root-password-1', LOG_LEVEL: 'silent', ...env });
    const ctx = await openRuntime(config, options.log ?? silent, {
      clock,
      database: database.target,
      metricsDefaults: false,
      poller: options.poller,
      submitTimeoutMs: options.submitTimeoutMs,
    });
    routes.length = 0;
    const app = await buildApp(ctx, {
      onRoute: ({ method, url }) => {
        for (const m of [method].flat()) if (m !== 'HEAD') routes.push({ method: m, url });
      },
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    ctx.config.serverAddress = url;
    running = { ctx, app, url };
  };
  const shut = async () => {
    await running.ctx.engine.close();
    await running.app.close();
    await running.ctx.store.close();
  };
  await open();

  const rootToken = newAccessToken();
  await setAccessTokenHash(running!.ctx.store, 1, hashSecret(rootToken), clock.now());
  const root: Actor = { id: 1, username: 'root', accessToken: rootToken };

  const request = async <T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Response<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) {
      headers.authorization ??= `Bearer ${options.as.accessToken}`;
      headers['new-api-user'] ??= String(options.as.id);
    }
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${running.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: response.status, body: parsed as T, headers: response.headers, text };
  };

  return {
    get url() {
      return running.url;
    },
    get app() {
      return running.app;
    },
    get ctx() {
      return running.ctx;
    },
    database,
    clock,
    root,
    routes,
    request,
    async createUser({ role = 1, quota = 0, group = 'default', disabled = false } = {}) {
      const { store } = running.ctx;
      const username = `user${++counter}_${Math.random().toString(36).slice(2, 6)}`;
      const id = await createUser(store, { username, passwordHash: 'not-a-hash', role, group }, clock.now());
      const accessToken = newAccessToken();
      await setAccessTokenHash(store, id, hashSecret(accessToken), clock.now());
      if (quota) await changeBalance(store, id, quota, 'test top-up', clock.now());
      if (disabled) await updateUser(store, id, { status: 2 }, clock.now());
      return { id, username, accessToken };
    },
    async createKey(actor, settings = {}) {
      const key = newApiKey();
      const id = await createToken(
        running.ctx.store,
        actor.id,
        hashSecret(key),
        key,
        { ...unlimitedKey('test key'), ...settings },
        clock.now(),
      );
      return { id, key };
    },
    async reopen() {
      await shut();
      await open();
    },
    async close() {
      await shut();
      if (!options.database) await database.drop();
    },
  };
}
