// A real Taskgate on loopback over a fresh database, and helpers to act as different users through real HTTP.
import { loadConfig } from '../../src/config.js';
import { type Clock, ManualClock } from '../../src/core/clock.js';
import { hashSecret, newAccessToken, newApiKey } from '../../src/core/ids.js';
import { buildApp } from '../../src/http/app.js';
import type { AppContext } from '../../src/http/context.js';
import type { App } from '../../src/http/types.js';
import { openRuntime } from '../../src/runtime.js';
import type { Dialect } from '../../src/store/db.js';
import { changeBalance } from '../../src/store/ledger.js';
import { createToken, type TokenSettings } from '../../src/store/tokens.js';
import { createUser, setAccessTokenHash, updateUser } from '../../src/store/users.js';
import { createTestDatabase } from './databases.js';

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

export interface TestApp {
  url: string;
  app: App;
  ctx: AppContext;
  clock: ManualClock;
  root: Actor;
  /** Every route the app registered (HEAD excluded). */
  routes: Array<{ method: string; url: string }>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely.
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<Response<T>>;
  createUser(options?: { role?: number; quota?: number; group?: string; disabled?: boolean }): Promise<Actor>;
  createKey(actor: Actor, settings?: Partial<TokenSettings>): Promise<{ id: number; key: string }>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<TestApp> {
  const database = await createTestDatabase(dialect);
  const manual = clock instanceof ManualClock ? clock : new ManualClock(Date.UTC(2026, 0, 1));
  const config = loadConfig({ INITIAL_ROOT_PASSWORD: 'root-password-1', LOG_LEVEL: 'silent', ...env });
  const silent = { info() {}, warn() {}, error() {} };
  const ctx = await openRuntime(config, silent, {
    clock: clock ?? manual,
    database: database.target,
    metricsDefaults: false,
  });
  const routes: Array<{ method: string; url: string }> = [];
  const app = await buildApp(ctx, {
    onRoute: ({ method, url }) => {
      for (const m of [method].flat()) if (m !== 'HEAD') routes.push({ method: m, url });
    },
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  ctx.config.serverAddress = address;

  const rootToken = newAccessToken();
  await setAccessTokenHash(ctx.store, 1, hashSecret(rootToken), manual.now());
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
    const response = await fetch(`${address}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: response.status, body: parsed as T, headers: response.headers, text };
  };

  return {
    url: address,
    app,
    routes,
    ctx,
    clock: manual,
    root,
    request,
    async createUser({ role = 1, quota = 0, group = 'default', disabled = false } = {}) {
      const username = `user${++counter}_${Math.random().toString(36).slice(2, 6)}`;
      const id = await createUser(
        ctx.store,
        { username, passwordHash: 'not-a-hash', role, group },
        manual.now(),
      );
      const accessToken = newAccessToken();
      await setAccessTokenHash(ctx.store, id, hashSecret(accessToken), manual.now());
      if (quota) await changeBalance(ctx.store, id, quota, 'test top-up', manual.now());
      if (disabled) await updateUser(ctx.store, id, { status: 2 }, manual.now());
      return { id, username, accessToken };
    },
    async createKey(actor, settings = {}) {
      const key = newApiKey();
      const id = await createToken(
        ctx.store,
        actor.id,
        hashSecret(key),
        key,
        {
          name: 'test key',
          remainQuota: 0,
          unlimitedQuota: true,
          expiredTime: -1,
          modelLimitsEnabled: false,
          modelLimits: '',
          allowIps: '',
          group: '',
          ...settings,
        },
        manual.now(),
      );
      return { id, key };
    },
    async close() {
      await ctx.engine.close();
      await app.close();
      await ctx.store.close();
      await database.drop();
    },
  };
}
