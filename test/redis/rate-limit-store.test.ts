// The shared rate-limit store on its own: counts in Redis across instances while Redis answers, and in memory per
// instance when it is unreachable, when a command fails, or when the server hangs. It never passes an error on,
// so a limit is never skipped and a request never fails because of Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Coordination,
  openCoordination,
  sharedRateLimitStore,
} from '../../src/services/coordination/index.js';
import { RedisCoordination } from '../../src/services/coordination/redis.js';
import { collectingLog, eventually, type LogLine, sharedRedisUrl, testPrefix } from './instances.js';
import { type OwnRedis, ownRedis } from './redis-server.js';

const WINDOW_MS = 60_000;
const redisUrl = sharedRedisUrl();

interface Limiter {
  hit(key: string): Promise<{ current: number; ttl: number }>;
}

/** A route's store as the plugin makes it: one per instance, then a child for the route. */
function limiter(coordination: Coordination): Limiter {
  const Store = sharedRateLimitStore(coordination);
  const store = new Store({}).child({
    routeInfo: { method: 'POST', url: '/limited' },
  } as never) as unknown as {
    incr(
      key: string,
      cb: (e: Error | null, r?: { current: number; ttl: number }) => void,
      w: number,
      m: number,
    ): void;
  };
  return {
    hit: (key) =>
      new Promise((resolve, reject) =>
        store.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), WINDOW_MS, 10),
      ),
  };
}

function coordinationAt(url: string, prefix: string, lines: LogLine[] = []) {
  return openCoordination({ redisUrl: url, redisKeyPrefix: prefix }, collectingLog(lines));
}

const upNow = (c: Coordination) => eventually(async () => c.state === 'up', 'Redis up');

describe('the shared rate-limit store without Redis', () => {
  let dead: OwnRedis;
  const opened: Coordination[] = [];
  beforeAll(async () => {
    dead = await ownRedis(); // never started: nothing listens on its port
  });
  afterAll(() => Promise.all(opened.map((c) => c.close())));

  it('counts per instance in memory and logs the outage once', async () => {
    const lines: LogLine[] = [];
    const one = coordinationAt(dead.url, testPrefix(), lines);
    const two = coordinationAt(dead.url, testPrefix());
    opened.push(one, two);
    await eventually(
      async () => one.state === 'down' && lines.length > 0,
      'the failure to connect is noticed',
    );
    const [a, b] = [limiter(one), limiter(two)];
    expect((await a.hit('client')).current).toBe(1);
    expect((await a.hit('client')).current).toBe(2);
    expect((await b.hit('client')).current).toBe(1);
    expect((await a.hit('another client')).current).toBe(1);
    expect((await a.hit('client')).ttl).toBeLessThanOrEqual(WINDOW_MS);
    // Reconnect attempts go on (100 ms doubling); none of their failures is logged again.
    await new Promise((r) => setTimeout(r, 800));
    expect(lines.map((l) => l.msg).filter((m) => m.startsWith('redis is down'))).toHaveLength(1);
  });

  it('is the plain local store when Redis is not configured', async () => {
    const local = openCoordination({ redisUrl: null, redisKeyPrefix: 'x:' }, collectingLog([]));
    expect(local.state).toBe('not configured');
    const a = limiter(local);
    expect((await a.hit('client')).current).toBe(1);
    expect((await a.hit('client')).current).toBe(2);
  });
});

describe.skipIf(!redisUrl)('the shared rate-limit store with Redis', () => {
  const prefix = testPrefix();
  let one: Coordination;
  let two: Coordination;
  let inspect: Redis;
  beforeAll(async () => {
    one = coordinationAt(redisUrl!, prefix);
    two = coordinationAt(redisUrl!, prefix);
    inspect = new Redis(redisUrl!);
    await Promise.all([upNow(one), upNow(two)]);
  });
  afterAll(async () => {
    const keys = await inspect.keys(`${prefix}*`);
    if (keys.length) await inspect.del(...keys);
    inspect.disconnect();
    await Promise.all([one?.close(), two?.close()]);
  });

  it('counts one window across instances and keeps only a hash of the key in Redis', async () => {
    const secretKey = 'Bearer sk-abcdefghijklmnop0123456789';
    expect((await limiter(one).hit(secretKey)).current).toBe(1);
    const second = await limiter(two).hit(secretKey);
    expect(second.current).toBe(2);
    expect(second.ttl).toBeGreaterThan(0);
    expect(second.ttl).toBeLessThanOrEqual(WINDOW_MS);
    const keys = await inspect.keys(`${prefix}rl:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toContain('POST/limited:');
    expect(keys[0]).not.toContain('sk-');
    expect(await inspect.pttl(keys[0])).toBeGreaterThan(0);
  });

  it('counts in memory when a command fails, instead of failing the request', async () => {
    const a = limiter(one);
    expect((await a.hit('broken')).current).toBe(1);
    // The keys counted once are this test's (the other one's stands at 2): make them something INCR refuses.
    const fresh = [];
    for (const key of await inspect.keys(`${prefix}rl:*`))
      if ((await inspect.get(key)) === '1') fresh.push(key);
    expect(fresh).toHaveLength(1);
    await inspect.set(fresh[0], 'not a number');
    expect((await a.hit('broken')).current).toBe(1); // the local count's first hit
    expect((await a.hit('broken')).current).toBe(2);
    expect(one.state).toBe('up'); // a refused command is not an outage
  });
});

describe('a hung Redis', () => {
  let redis: OwnRedis;
  const coordinations: Coordination[] = [];
  /** A coordination of its own with its log; its heartbeat as given (a long one stays out of the way). */
  const watch = async (heartbeatMs: number) => {
    const lines: LogLine[] = [];
    const c = new RedisCoordination({
      url: redis.url,
      prefix: testPrefix(),
      log: collectingLog(lines),
      heartbeatMs,
    });
    coordinations.push(c);
    await upNow(c);
    return { c, lines };
  };
  const outage = [
    'redis connected',
    expect.stringMatching(/^redis is down/),
    expect.stringMatching(/^redis is up again/),
  ];
  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
  });
  afterAll(async () => {
    redis?.resume();
    await Promise.all(coordinations.map((c) => c.close()));
    await redis?.kill();
  });

  it('is noticed without traffic (the heartbeat), and so is its return', async () => {
    const { c, lines } = await watch(200);
    redis.pause();
    await eventually(async () => c.state === 'down', 'the heartbeat times out');
    redis.resume();
    await upNow(c);
    expect(lines.map((l) => l.msg)).toEqual(outage);
    await c.close();
  });

  it('stops holding up the rate-limit store, which uses Redis again once it answers', async () => {
    const { c, lines } = await watch(60_000);
    const a = limiter(c);
    expect((await a.hit('client')).current).toBe(1);
    redis.pause();
    // The command times out and the hit is counted here; later hits no longer wait for Redis at all.
    expect((await a.hit('client')).current).toBe(1);
    expect(c.state).toBe('down');
    expect((await a.hit('client')).current).toBe(2);
    redis.resume();
    await upNow(c);
    // Redis's count again: 3, as the hit that timed out reached it late (a timeout never means "not applied").
    expect((await a.hit('client')).current).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual(outage);
  });
});
