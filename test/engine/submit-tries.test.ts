// Every submit try is logged with its channel, its number and its outcome, and health hears only of key and
// account failures. Drives the engine directly (a recording logger) against simulators on loopback.
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { newMjPublicId } from '../../src/core/ids.js';
import { Engine } from '../../src/engine/engine.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import { midjourneyAdapter, mjHeaders } from '../../src/platforms/midjourney/adapter.js';
import { Options } from '../../src/services/options.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { createChannel, findChannel, newChannelValues } from '../../src/store/channels.js';
import { changeBalance } from '../../src/store/ledger.js';
import type { ChannelRow, UserRow } from '../../src/store/schema.js';
import { createUser } from '../../src/store/users.js';
import { describeEachBackend } from '../support/databases.js';

/** The test clock stands still: a distinct millisecond per submit keeps midjourney ids from colliding. */
let distinctMs = 0;

const SECRET = 'tries-secret';

describeEachBackend('submit tries', (current) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const logs: Array<Record<string, unknown> & { msg: string }> = [];
  const record = (obj: object, msg = '') => logs.push({ ...obj, msg });
  const log = { info: record, warn: record, error: record };
  let engine: Engine;
  let simA: MidjourneySimulator;
  let simB: MidjourneySimulator;
  let user: UserRow;
  let channelIds: number[];

  beforeAll(async () => {
    const store = current();
    simA = createMidjourneySimulator({ apiSecret: SECRET });
    simB = createMidjourneySimulator({ apiSecret: SECRET });
    const urls = await Promise.all([simA.listen(), simB.listen()]);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    channelIds = [];
    for (const [i, url] of [`http://127.0.0.1:${port}`, ...urls].entries()) {
      channelIds.push(
        await createChannel(
          store,
          newChannelValues({
            type: 'midjourney',
            name: `c${i}`,
            base_url: url,
            key: i === 2 ? SECRET : 'wrong',
            models: 'mj_imagine',
            priority: 10 - i,
          }),
          clock.now(),
        ),
      );
    }
    const userId = await createUser(
      store,
      { username: 'tries', passwordHash: 'x', role: 1, group: 'default' },
      clock.now(),
    );
    await changeBalance(store, userId, 10_000_000, 'top-up', clock.now());
    user = await store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    const options = new Options(store);
    await options.refresh();
    engine = new Engine({
      store,
      clock,
      options,
      metrics: createMetrics(false),
      log,
      instanceId: 'tries',
      submitTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await engine?.close();
    await Promise.all([simA?.close(), simB?.close()]);
  });
  beforeEach(() => {
    logs.length = 0;
  });

  const submit = () =>
    engine.submit({
      platform: 'midjourney',
      action: 'IMAGINE',
      model: 'mj_imagine',
      user,
      token: null,
      publicId: newMjPublicId(clock.now() + ++distinctMs),
      request: (channel: ChannelRow) => ({
        method: 'POST',
        path: '/mj/submit/imagine',
        headers: mjHeaders(channel.key),
        body: { prompt: 'three tries' },
      }),
      read: midjourneyAdapter.readSubmit,
      fields: { prompt: 'three tries' },
    });

  it('logs each try (channel, attempt, outcome) and counts only the key failure against its channel', async () => {
    const [closed, wrongKey, good] = channelIds;
    const result = await submit();
    expect(result.accepted).toBe(true);
    if (!result.accepted) return;
    expect(result.task.channel_id).toBe(good);
    const tries = logs.filter((l) => l.msg === 'submit try');
    expect(tries.map(({ channel, attempt, of, outcome }) => ({ channel, attempt, of, outcome }))).toEqual([
      { channel: closed, attempt: 1, of: 3, outcome: 'unreachable' },
      { channel: wrongKey, attempt: 2, of: 3, outcome: 'refused, trying the next channel' },
      { channel: good, attempt: 3, of: 3, outcome: 'accepted' },
    ]);
    expect(tries.every((l) => l.task === result.task.task_id)).toBe(true);
    expect(tries[1]).toMatchObject({ status: 401 });
    const store = current();
    expect((await findChannel(store, closed))?.failure_count).toBe(0);
    expect((await findChannel(store, wrongKey))?.failure_count).toBe(1);
    expect((await findChannel(store, good))?.failure_count).toBe(0);
    expect(simB.state.tasks.size).toBe(1);
  });

  it('with no channel able to take it, the last refusal names every channel tried', async () => {
    const [closed, wrongKey, good] = channelIds;
    simB.state.setKnobs({ faults: { submit: { kind: 'status', status: 503, count: 1 } } });
    const result = await submit();
    expect(result.accepted).toBe(false);
    if (result.accepted) return;
    expect(result.reading.description).toBe(
      `the upstream failed (HTTP 503) (channels tried: ${closed} → ${wrongKey} → ${good})`,
    );
    expect(logs.filter((l) => l.msg === 'submit try').map((l) => l.outcome)).toEqual([
      'unreachable',
      'refused, trying the next channel',
      'refused',
    ]);
  });
});
