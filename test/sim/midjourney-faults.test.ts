// HTTP faults of the midjourney-proxy simulator: every kind, per target, per prompt, by count and by rate.
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
  sim = createMidjourneySimulator(options);
  const base = await sim.listen();
  const call = async (method: string, path: string, body?: unknown, signal?: AbortSignal) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  const knobs = (patch: unknown) => call('POST', '/__sim/mj/knobs', patch);
  return { base, sim, call, knobs };
}

describe('midjourney simulator: fault kinds', () => {
  it('answers html, truncated, empty, 5xx, nonarray and json faults on list-by-condition', async () => {
    const { call, knobs, sim } = await start();
    const id = JSON.parse((await call('POST', '/mj/submit/imagine', { prompt: 'x' })).text).result;
    const poll = () => call('POST', '/mj/task/list-by-condition', { ids: [id] });

    await knobs({ faults: { listByCondition: { kind: 'html', count: 1 } } });
    const html = await poll();
    expect(html.status).toBe(502);
    expect(html.type).toContain('text/html');
    expect(html.text).toContain('502 Bad Gateway');

    await knobs({ faults: { listByCondition: 'truncated' } });
    const truncated = await poll();
    expect(truncated.status).toBe(200);
    expect(truncated.text.startsWith(`[{"id":"${id}"`)).toBe(true);
    expect(() => JSON.parse(truncated.text)).toThrow();

    await knobs({ faults: { listByCondition: 'empty' } });
    expect(await poll()).toMatchObject({ status: 200, text: '' });

    await knobs({ faults: { listByCondition: '503' } });
    const unavailable = await poll();
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.text)).toMatchObject({ status: 503, path: '/mj/task/list-by-condition' });

    await knobs({ faults: { listByCondition: 'nonarray' } });
    expect(JSON.parse((await poll()).text)).toMatchObject({ code: 9 });

    await knobs({
      faults: {
        listByCondition: { kind: 'json', status: 200, body: { code: 401, message: 'Invalid token' } },
      },
    });
    expect(JSON.parse((await poll()).text)).toEqual({ code: 401, message: 'Invalid token' });

    await knobs({ faults: { listByCondition: null } });
    expect(JSON.parse((await poll()).text)).toHaveLength(1);
    // Polls were counted whatever the answer.
    expect(sim.state.counters.pollsOf(id)).toBe(7);
  });

  it('delays slow answers, holds hung ones until the simulator closes, and resets connections', async () => {
    const { call, knobs, sim } = await start();
    await knobs({ faults: { fetch: { kind: 'slow', delayMs: 200, count: 1 } } });
    const began = Date.now();
    expect((await call('GET', '/mj/task/1/fetch')).status).toBe(200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(190);

    await knobs({ faults: { fetch: 'reset' } });
    await expect(call('GET', '/mj/task/1/fetch')).rejects.toThrow();

    await knobs({ faults: { fetch: 'hang' } });
    const hung = call('GET', '/mj/task/1/fetch').then(
      () => 'answered',
      () => 'dropped',
    );
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 150));
    expect(await Promise.race([hung, timeout])).toBe('still waiting');
    await sim.close();
    expect(await hung).toBe('dropped');
  });

  it('limits a rule to the next N requests, or to a rate', async () => {
    const { call, knobs } = await start();
    await knobs({ faults: { submit: { kind: 'status', status: 500, count: 2 } } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call('POST', '/mj/submit/imagine', { prompt: `p${i}` })).status);
    expect(statuses).toEqual([500, 500, 200]);
    await knobs({ faults: { submit: { kind: 'html', rate: 0 } } });
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'never' })).status).toBe(200);
    await knobs({ faults: { submit: { kind: 'html', rate: 1 } } });
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'always' })).status).toBe(502);
  });

  it('creates no task on a replacing fault, but does on a damaging one (the answer is lost)', async () => {
    const { call, sim } = await start();
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'a sim:fault=html' })).status).toBe(502);
    expect(sim.state.tasks.size).toBe(0);
    const lost = await call('POST', '/mj/submit/imagine', { prompt: 'b sim:fault=empty' });
    expect(lost).toMatchObject({ status: 200, text: '' });
    expect(sim.state.tasks.size).toBe(1);
  });

  it("applies a task's sim:pollfault to its fetches and to batches asking for it, @N polls only", async () => {
    const { call } = await start();
    const id = JSON.parse(
      (await call('POST', '/mj/submit/imagine', { prompt: 'x sim:pollfault=html@2' })).text,
    ).result;
    expect((await call('GET', `/mj/task/${id}/fetch`)).status).toBe(502);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: [id] })).status).toBe(502);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: [id] })).status).toBe(200);
  });
});
