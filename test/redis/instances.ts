// Two Taskgate instances in this process on one database and one Redis, sharing a hand-moved clock (so timers
// such as the channel cache's never expire by themselves: only a Redis message explains a change seen).
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { PollerSettings } from '../../src/engine/poller-settings.js';
import type { Dialect } from '../../src/store/db.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
}

export interface Pair {
  a: TestApp;
  b: TestApp;
  /** Log lines of each instance, in order. */
  logs: { a: LogLine[]; b: LogLine[] };
  close(): Promise<void>;
}

/** A log that keeps each line's message (pino's call shapes: `(msg)` or `(object, msg)`). */
export function collectingLog(lines: LogLine[]): NonNullable<TestAppOptions['log']> {
  const line =
    (level: LogLine['level']) =>
    (...args: unknown[]) =>
      lines.push({ level, msg: String(typeof args[0] === 'string' ? args[0] : args[1]) });
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** A key prefix of its own, so test files running at once on one Redis never hear each other. */
export const testPrefix = () => `test-${randomBytes(4).toString('hex')}:`;

export function sharedRedisUrl(): string | null {
  return inject('services').redis;
}

export async function startPair(
  dialect: Dialect,
  redisUrl: string,
  options: { pollerB?: Partial<PollerSettings>; prefix?: string } = {},
): Promise<Pair> {
  const env = { REDIS_CONN_STRING: redisUrl, REDIS_KEY_PREFIX: options.prefix ?? testPrefix() };
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const logs = { a: [] as LogLine[], b: [] as LogLine[] };
  const a = await startTestApp(dialect, { ...env, INSTANCE_ID: 'a' }, { clock, log: collectingLog(logs.a) });
  const b = await startTestApp(
    dialect,
    { ...env, INSTANCE_ID: 'b' },
    { clock, database: a.database, poller: options.pollerB, log: collectingLog(logs.b) },
  );
  return {
    a,
    b,
    logs,
    async close() {
      await b.close();
      await a.close();
    },
  };
}

/** Polls `check` every 20 ms until it holds; fails after `boundMs` (a generous bound, not a timing claim). */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  boundMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const login = (t: TestApp) =>
  t.request('POST', '/api/user/login', { body: { username: 'root', password: 'root-password-1' } });

/** `/readyz`'s report of Redis on an instance. */
export const redisReadiness = async (t: TestApp) => {
  const res = await t.request('GET', '/readyz');
  return { status: res.status, redis: res.body.checks.redis as string };
};

/** The `taskgate_redis_up` value an instance exposes. */
export const redisUpMetric = async (t: TestApp) =>
  Number(/^taskgate_redis_up (\d+)$/m.exec((await t.request('GET', '/metrics')).text)?.[1]);

/** Waits until both instances' /readyz report Redis in `state`. */
export const bothSee = (pair: Pair, state: 'up' | 'down') =>
  eventually(
    async () =>
      (await redisReadiness(pair.a)).redis === state && (await redisReadiness(pair.b)).redis === state,
    `both instances see Redis ${state}`,
  );
