// Redis going away mid-run is a degradation, never an outage: requests keep succeeding, rate limits fall back to
// per-instance counts, /readyz stays ready while reporting Redis down, the metric drops to 0 and each instance logs
// it once. When Redis comes back on the same port the instances reconnect by themselves and share limits again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import {
  bothSee,
  eventually,
  login,
  type Pair,
  redisReadiness,
  redisUpMetric,
  startPair,
} from './instances.js';
import { type OwnRedis, ownRedis } from './redis-server.js';

const postgres = backends().find((b) => b.dialect === 'postgres')!;
const DOWN = /^redis is down/;

describe.skipIf(!postgres.available)('Redis down mid-run [postgres]', () => {
  let redis: OwnRedis;
  let pair: Pair;
  const both = () => [pair.a, pair.b];

  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
    pair = await startPair('postgres', redis.url);
    await bothSee(pair, 'up');
  });
  afterAll(async () => {
    await pair?.close();
    await redis?.kill();
  });

  /** Logs in `n` times on each instance in turn; answers the statuses. */
  async function logins(n: number, on = both()): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) for (const t of on) statuses.push((await login(t)).status);
    return statuses;
  }

  it('shares the login limit while Redis is up', async () => {
    expect(await logins(5)).toEqual(Array(10).fill(200));
    expect(await logins(1)).toEqual([429, 429]);
  });

  it('keeps serving when Redis is killed, limiting each instance on its own', async () => {
    await redis.kill();
    await bothSee(pair, 'down');
    // Ready all the same: taking every instance out of the load balancer would make this an outage.
    for (const t of both()) {
      expect(await redisReadiness(t)).toEqual({ status: 200, redis: 'down' });
      expect(await redisUpMetric(t)).toBe(0);
    }
    // The shared count (exhausted above) is out of reach: each instance counts 10 of its own, then refuses.
    expect(await logins(10, [pair.a])).toEqual(Array(10).fill(200));
    expect((await login(pair.a)).status).toBe(429);
    expect(await logins(10, [pair.b])).toEqual(Array(10).fill(200));
    expect((await login(pair.b)).status).toBe(429);
    // Changes that would be announced still go through (the message is dropped, not waited for).
    const channel = await pair.a.request('POST', '/api/channel/', {
      as: pair.b.root,
      body: { type: 'midjourney-plus', name: 'no upstream', base_url: 'http://127.0.0.1:9', key: 'k' },
    });
    expect(channel.status).toBe(200);
    const option = await pair.b.request('PUT', '/api/option/', {
      as: pair.b.root,
      body: { key: 'RetryTimes', value: '3' },
    });
    expect(option.status).toBe(200);
    expect((await pair.a.request('GET', '/api/status')).status).toBe(200);
  });

  it('logs the outage once per instance while it keeps retrying', async () => {
    // Long enough for several reconnect attempts (100 ms doubling): each fails, none is logged again.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(pair.logs.a.filter((l) => DOWN.test(l.msg))).toHaveLength(1);
    expect(pair.logs.b.filter((l) => DOWN.test(l.msg))).toHaveLength(1);
    expect(pair.logs.a.find((l) => DOWN.test(l.msg))?.level).toBe('warn');
  });

  it('reconnects when Redis is back on the same port and shares the limit again', async () => {
    await redis.start();
    await bothSee(pair, 'up');
    for (const t of both()) expect(await redisUpMetric(t)).toBe(1);
    // The new Redis starts empty: one count of 10 shared by both again, though each instance's own is spent.
    expect(await logins(5)).toEqual(Array(10).fill(200));
    expect(await logins(1)).toEqual([429, 429]);
    expect(pair.logs.a.filter((l) => /^redis is up again/.test(l.msg))).toHaveLength(1);
    // The change B made during the outage was announced to no one: A re-reads options when Redis is back.
    await eventually(async () => pair.a.ctx.options.get('RetryTimes') === 3, 'A catches up on reconnect');
    // Subscribed again too: a change on A reaches B (whose options are otherwise only read at start).
    await pair.a.request('PUT', '/api/option/', { as: pair.b.root, body: { key: 'RetryTimes', value: '6' } });
    await eventually(async () => pair.b.ctx.options.get('RetryTimes') === 6, 'B hears A after the reconnect');
  });
});
