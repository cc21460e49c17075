// Two instances on one database and one Redis: a rate limit counts across both, a submit on one wakes the
// other's poller, and channel and option changes made on one are seen by the other without waiting for timers.
// The instances share a clock that only moves by hand, so no cache TTL or poll interval can explain what is seen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_POLL_MS } from '../../src/engine/submit.js';
import { apiKeyCache } from '../../src/http/plugins/api-key-cache.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { backends } from '../support/databases.js';
import { pollOf } from '../support/task-polls.js';
import {
  bothSee,
  eventually,
  login,
  type Pair,
  redisReadiness,
  sharedRedisUrl,
  startPair,
} from './instances.js';

const SIM_SECRET = 'redis-sim-secret';
const redisUrl = sharedRedisUrl();
const postgres = backends().find((b) => b.dialect === 'postgres')!;

describe.skipIf(!redisUrl || !postgres.available)('two instances sharing Redis [postgres]', () => {
  let pair: Pair;
  let sim: MidjourneySimulator;
  let key: string;
  let channelId: number;

  beforeAll(async () => {
    // B's poller would otherwise look only every 60 s: a prompt poll there is the wake-up's doing.
    pair = await startPair('postgres', redisUrl!, { pollerB: { idleDelayMs: 60_000 } });
    const { a, b } = pair;
    sim = createMidjourneySimulator({ apiSecret: SIM_SECRET, mode: 'P' });
    const created = await a.request('POST', '/api/channel/', {
      as: b.root,
      body: { type: 'midjourney-plus', name: 'sim', base_url: await sim.listen(), key: SIM_SECRET },
    });
    expect(created.status).toBe(200);
    channelId = created.body.data.id;
    const user = await a.createUser({ quota: 10_000_000 });
    key = (await a.createKey(user)).key;
    await bothSee(pair, 'up');
  });
  afterAll(async () => {
    await pair?.close();
    await sim?.close();
  });

  const imagine = (on: 'a' | 'b', prompt: string) =>
    pair[on].request('POST', '/mj/submit/imagine', {
      body: { prompt },
      headers: { authorization: `Bearer ${key}` },
    });

  it('reports Redis up in /readyz', async () => {
    expect(await redisReadiness(pair.a)).toEqual({ status: 200, redis: 'up' });
  });

  it('counts the login limit (10 a minute) across both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(pair.a)).status, (await login(pair.b)).status);
    expect(statuses).toEqual(Array(10).fill(200));
    // Each instance has seen only 5: alone, either would still let the 11th through.
    expect((await login(pair.a)).status).toBe(429);
    expect((await login(pair.b)).status).toBe(429);
  });

  it('wakes the other instance’s poller when a task submitted here becomes due', async () => {
    pair.b.ctx.engine.startBackground();
    const submitted = await imagine('a', 'wake the other instance');
    expect(submitted.body.code).toBe(1);
    const taskId = submitted.body.result as string;
    // The task is due FIRST_POLL_MS after its submit on the shared clock; A polls nothing (no background work).
    pair.a.clock.advance(FIRST_POLL_MS);
    // Due now on the standing clock; a claim moves its next poll ahead (poll_attempts would not do: an answer
    // that changes the status resets it to 0).
    const polledByB = async () => {
      const poll = await pollOf(pair.b.ctx.store, taskId);
      return poll === undefined || poll.next_poll_at > pair.a.clock.now();
    };
    expect(await polledByB()).toBe(false);
    await eventually(polledByB, 'B polls the task A accepted');
    await pair.b.ctx.engine.stopBackground();
  });

  it('stops choosing on B a channel disabled on A', async () => {
    // B reads the channels now; with the clock standing still its cache would never expire by itself.
    expect((await imagine('b', 'before the change')).body.code).toBe(1);
    const disabled = await pair.a.request('PUT', '/api/channel/', {
      as: pair.b.root,
      body: { id: channelId, status: 2 },
    });
    expect(disabled.status).toBe(200);
    await eventually(
      async () =>
        (await pair.b.ctx.engine.channels.candidates('midjourney', 'default', 'mj_imagine')).length === 0,
      'B drops its channel cache',
    );
    const refused = await imagine('b', 'after the change');
    expect(refused.body.code).not.toBe(1);
    await pair.a.request('PUT', '/api/channel/', { as: pair.b.root, body: { id: channelId, status: 1 } });
    await eventually(
      async () => (await imagine('b', 'enabled again')).body.code === 1,
      'B sees the channel enabled again',
    );
  });

  it('shows on B an option changed on A', async () => {
    const changed = await pair.a.request('PUT', '/api/option/', {
      as: pair.b.root,
      body: { key: 'RetryTimes', value: '7' },
    });
    expect(changed.status).toBe(200);
    await eventually(async () => {
      const listed = await pair.b.request('GET', '/api/option/', { as: pair.b.root });
      return listed.body.data.find((o: { key: string }) => o.key === 'RetryTimes')?.value === '7';
    }, 'B reads the new option');
  });

  it('drops on B the keys it cached when a key is disabled on A', async () => {
    const owner = await pair.a.createUser();
    const fresh = await pair.a.createKey(owner);
    const listOnB = () =>
      pair.b.request('GET', '/mj/task/list', { headers: { authorization: `Bearer ${fresh.key}` } });
    expect((await listOnB()).status).toBe(200);
    const cachedOnB = apiKeyCache(pair.b.ctx.store);
    expect(cachedOnB.size).toBeGreaterThan(0);
    const off = await pair.a.request('PUT', '/api/token/?status_only=true', {
      as: owner,
      body: { id: fresh.id, status: 2 },
    });
    expect(off.status).toBe(200);
    // Entries expire only when read: an emptied cache is the message's doing, not the TTL's.
    await eventually(async () => cachedOnB.size === 0, 'B forgets its cached keys');
    expect((await listOnB()).status).toBe(401);
  });
});
