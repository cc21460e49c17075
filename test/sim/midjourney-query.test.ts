// The midjourney-proxy simulator's query routes, counters and control API, over real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';

let sim: MidjourneySimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function start(options: MidjourneySimOptions = {}) {
  const realNow = 1_700_000_000_000;
  sim = createMidjourneySimulator({ now: () => realNow, ...options });
  const base = await sim.listen();
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  const submit = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push((await call('POST', '/mj/submit/imagine', { prompt: `task ${i}` })).json.result);
    return ids;
  };
  return { base, sim, call, submit };
}

describe('midjourney simulator: list-by-condition', () => {
  it('omits unknown ids, collapses duplicates, accepts numeric ids and answers [] without ids', async () => {
    const { call, submit } = await start({ shuffleListResults: false });
    const [a, b] = await submit(2);
    const res = await call('POST', '/mj/task/list-by-condition', { ids: [a, a, '999', Number(b), null] });
    expect(res.status).toBe(200);
    expect(res.json.map((t: { id: string }) => t.id)).toEqual([a, b]);
    expect(Object.keys(res.json[0])).toHaveLength(15);
    expect((await call('POST', '/mj/task/list-by-condition', {})).json).toEqual([]);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: null })).json).toEqual([]);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: 'x' })).status).toBe(400);
    expect((await call('POST', '/mj/task/list-by-condition')).status).toBe(400);
  });

  it('shuffles the order on purpose (a switch)', async () => {
    const { call, submit } = await start({ accounts: [{ id: 'a', queueSize: 20 }] });
    const ids = await submit(12);
    const orders = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/mj/task/list-by-condition', { ids });
      orders.add(res.json.map((t: { id: string }) => t.id).join());
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('can refuse batches over a maximum size', async () => {
    const { call, submit } = await start({ listByConditionMaxIds: 2 });
    const ids = await submit(3);
    expect((await call('POST', '/mj/task/list-by-condition', { ids })).status).toBe(500);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: ids.slice(0, 2) })).status).toBe(200);
  });
});

describe('midjourney simulator: fetch, list and queue', () => {
  it('answers an unknown id with 200 and an empty body, or 204/404 by knob', async () => {
    const { call } = await start();
    expect(await call('GET', '/mj/task/1/fetch')).toMatchObject({ status: 200, text: '' });
    await call('POST', '/__sim/mj/knobs', { fetchUnknown: '404' });
    expect((await call('GET', '/mj/task/1/fetch')).status).toBe(404);
    await call('POST', '/__sim/mj/knobs', { fetchUnknown: '204' });
    expect((await call('GET', '/mj/task/1/fetch')).status).toBe(204);
  });

  it('lists every task newest first, and the queue as waiting + running tasks oldest first', async () => {
    const { call, submit, sim } = await start({ accounts: [{ id: 'a', coreSize: 1 }] });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(...(await submit(1)));
      sim.state.clock.advance(n);
    }
    expect((await call('GET', '/mj/task/list')).json.map((t: { id: string }) => t.id)).toEqual(
      [...ids].reverse(),
    );
    expect((await call('GET', '/mj/task/queue')).json.map((t: { id: string }) => t.id)).toEqual(ids);
    sim.state.clock.advance(30_000);
    const queue = (await call('GET', '/mj/task/queue')).json;
    expect(queue.map((t: { id: string }) => t.id)).toEqual(ids.slice(1));
    expect(queue[0].status).toBe('IN_PROGRESS');
    expect(queue[1].status).toBe('NOT_START');
  });
});

describe('midjourney simulator: counters', () => {
  it('counts calls per route, polls per id and per caller, batch sizes and raw requests', async () => {
    const { call, submit, sim } = await start();
    const [a, b] = await submit(2);
    await call('GET', `/mj/task/${a}/fetch`, undefined, {
      'x-taskgate-instance': 'gw-1',
      'mj-api-secret': 'k',
    });
    await call('POST', '/mj/task/list-by-condition', { ids: [a, b, a] }, { 'x-taskgate-instance': 'gw-2' });
    await call('POST', '/mj/task/list-by-condition', { ids: [b, 'ghost'] });
    const calls = (await call('GET', '/__sim/mj/calls')).json;
    expect(calls.routeCalls).toMatchObject({
      'POST /mj/submit/imagine': 2,
      'GET /mj/task/:id/fetch': 1,
      'POST /mj/task/list-by-condition': 2,
    });
    expect(calls.polls[a]).toEqual({ count: 2, returned: 2, byCaller: { 'gw-1': 1, 'gw-2': 1 } });
    expect(calls.polls[b].byCaller).toEqual({ 'gw-2': 1, '127.0.0.1': 1 });
    expect(calls.polls.ghost).toEqual({ count: 1, returned: 0, byCaller: { '127.0.0.1': 1 } });
    expect(calls.listByConditionBatchSizes).toEqual([3, 2]);
    const fetchRecord = calls.requests.find((r: { route: string }) => r.route === 'GET /mj/task/:id/fetch');
    expect(fetchRecord.headers['mj-api-secret']).toBe('k');
    expect(fetchRecord.caller).toBe('gw-1');
    expect(calls.requests.find((r: { url: string }) => r.url === '/mj/task/list-by-condition').body).toEqual({
      ids: [a, b, a],
    });
    expect(sim.state.counters.pollsOf(a, 'gw-1')).toBe(1);
    // The control API's peek is no poll.
    expect((await call('GET', `/__sim/mj/tasks/${a}`)).json.view.id).toBe(a);
    expect(sim.state.counters.pollsOf(a)).toBe(2);
  });
});

describe('midjourney simulator: control API', () => {
  it('forces a task into an exact state, with the fields that state has', async () => {
    const { call, submit } = await start();
    const [id] = await submit(1);
    const forced = await call('POST', `/__sim/mj/tasks/${id}`, { status: 'SUCCESS' });
    expect(forced.json).toMatchObject({
      status: 'SUCCESS',
      progress: '100%',
      imageUrl: expect.stringContaining('.png'),
    });
    expect(forced.json.buttons).toHaveLength(9);
    const custom = await call('POST', `/__sim/mj/tasks/${id}`, { status: 'IN_PROGRESS', progress: '85%' });
    expect(custom.json).toMatchObject({ status: 'IN_PROGRESS', progress: '85%', finishTime: null });
    expect((await call('GET', `/mj/task/${id}/fetch`)).json.progress).toBe('85%');
    expect((await call('POST', `/__sim/mj/tasks/${id}`, { status: 'DONE' })).status).toBe(400);
    expect((await call('POST', `/__sim/mj/tasks/${id}`, { id: 'x' })).status).toBe(400);
    expect((await call('POST', '/__sim/mj/tasks/404', { status: 'SUCCESS' })).status).toBe(404);
  });

  it('sets and validates knobs, moves the clock and reports state', async () => {
    const { call, submit } = await start();
    expect((await call('POST', '/__sim/mj/knobs', { mode: 'X' })).status).toBe(400);
    expect((await call('POST', '/__sim/mj/knobs', { nope: 1 })).status).toBe(400);
    expect((await call('POST', '/__sim/mj/knobs', { faults: { fetch: { kind: 'boom' } } })).status).toBe(400);
    const knobs = (await call('POST', '/__sim/mj/knobs', { timings: { stepEveryMs: 10 }, timeScale: 2 }))
      .json;
    expect(knobs.timings).toMatchObject({ stepEveryMs: 10, toSubmittedMs: 500 });
    const [id] = await submit(1);
    const before = (await call('GET', '/__sim/mj/clock')).json;
    expect(before.timeScale).toBe(2);
    const after = (await call('POST', '/__sim/mj/clock', { advanceMs: 5000 })).json;
    expect(after.now - before.now).toBe(5000);
    expect((await call('POST', '/__sim/mj/clock', { advanceMs: -1 })).status).toBe(400);
    const state = (await call('GET', '/__sim/mj/state')).json;
    expect(state.accounts[0]).toMatchObject({ coreSize: 3, queueSize: 10, running: [id], waiting: [] });
    expect(state.tasks[0]).toMatchObject({ id, status: 'IN_PROGRESS' });
  });
});
