// `taskgate serve` with REDIS_CONN_STRING set but Redis not there yet: it starts and serves all the same, logs
// the outage once, joins in when Redis appears, and still stops promptly on SIGTERM (the connections close).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Instance, startInstance, stopInstance, waitForHttp } from '../scale/procs.js';
import { eventually } from './instances.js';
import { type OwnRedis, ownRedis } from './redis-server.js';

describe('taskgate serve with Redis away at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskgate-redis-'));
  let redis: OwnRedis;
  let instance: Instance;
  afterAll(async () => {
    if (instance) await stopInstance(instance, 'SIGKILL');
    await redis?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const readiness = async () => {
    const res = await fetch(`${instance.url}/readyz`);
    return { status: res.status, redis: ((await res.json()) as { checks: { redis: string } }).checks.redis };
  };
  const lines = () =>
    instance
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number });

  it('serves without Redis, joins in when it comes, and stops cleanly', { timeout: 60_000 }, async () => {
    redis = await ownRedis();
    instance = await startInstance('solo', {
      SQLITE_PATH: join(dir, 'taskgate.db'),
      // A password Redis does not ask for (ioredis warns and goes on): it must never reach the log.
      REDIS_CONN_STRING: redis.url.replace('//', '//:never-logged-pw@'),
      INITIAL_ROOT_PASSWORD: 'redis-root-password',
    });
    await waitForHttp(instance);
    await eventually(async () => (await readiness()).redis === 'down', 'the outage is noticed');
    expect(await readiness()).toEqual({ status: 200, redis: 'down' });
    const login = await fetch(`${instance.url}/api/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', password: 'redis-root-password' }),
    });
    expect(login.status).toBe(200);

    await redis.start();
    await eventually(async () => (await readiness()).redis === 'up', 'it connects once Redis is there');
    // The logger writes stdout asynchronously (pino): the line may arrive after /readyz has answered.
    const upAgain = () => lines().filter((l) => l.msg.startsWith('redis is up again'));
    await eventually(async () => upAgain().length > 0, 'the return is logged');
    expect(lines().filter((l) => l.msg.startsWith('redis is down'))).toHaveLength(1);
    expect(upAgain()).toHaveLength(1);
    expect(instance.output()).not.toContain('never-logged-pw');

    expect(await stopInstance(instance, 'SIGTERM')).toBe(0);
  });
});
