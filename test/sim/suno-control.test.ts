// Counters and the control API under /__sim/suno, and mounting the simulator as a plugin.
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { videoSimPlugin } from '../../src/sim/openai-video/index.js';
import {
  createSunoSimulator,
  type SunoSimulator,
  SunoState,
  sunoSimPlugin,
} from '../../src/sim/suno/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

let sim: SunoSimulator;
let base: string;

async function call(path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: 'Bearer gateway-key', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

const submit = async (prompt = 'x') => (await call('/suno/submit/music', { prompt })).json.data as string;

beforeAll(async () => {
  sim = createSunoSimulator({ secretToken: 'gateway-key' });
  base = await sim.listen();
});

beforeEach(async () => {
  await call('/__sim/suno/reset', {});
});

afterAll(() => sim.close());

describe('counters', () => {
  it('counts calls per route, polls per task and per caller, and fetch batch sizes', async () => {
    const a = await submit();
    const b = await submit();
    await call('/suno/fetch', { ids: [a, b] }, { 'x-taskgate-instance': 'node-1' });
    await call('/suno/fetch', { ids: [a, 'ghost'] }, { 'x-taskgate-instance': 'node-2' });
    await call(`/suno/fetch/${a}`);
    const calls = (await call('/__sim/suno/calls')).json;
    expect(calls.routeCalls).toEqual({
      'POST /suno/submit/:action': 2,
      'POST /suno/fetch': 2,
      'GET /suno/fetch/:id': 1,
    });
    expect(calls.polls[a]).toEqual({
      count: 3,
      returned: 3,
      byCaller: { 'node-1': 1, 'node-2': 1, '127.0.0.1': 1 },
    });
    expect(calls.polls[b]).toEqual({ count: 1, returned: 1, byCaller: { 'node-1': 1 } });
    expect(calls.polls.ghost).toEqual({ count: 1, returned: 0, byCaller: { 'node-2': 1 } });
    expect(calls.fetchBatchSizes).toEqual([2, 2]);
    expect(sim.state.calls.pollsOf(a, 'node-1')).toBe(1);
    expect(sim.state.calls.callsOf('POST /suno/fetch')).toBe(2);
  });

  it('records raw requests so tests can check what the gateway sent', async () => {
    await call('/suno/submit/music', { prompt: 'recorded', mv: 'chirp-v3-5' });
    const [request] = (await call('/__sim/suno/calls')).json.requests;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/suno/submit/music',
      route: 'POST /suno/submit/:action',
      body: { prompt: 'recorded', mv: 'chirp-v3-5' },
      status: 200,
    });
    expect(request.headers.authorization).toBe('Bearer gateway-key');
    expect(request.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('does not count control calls', async () => {
    await call('/__sim/suno/knobs');
    expect((await call('/__sim/suno/calls')).json.routeCalls).toEqual({});
  });
});

describe('control', () => {
  it('restart wipes tasks but keeps counters; reset also clears counters and knobs', async () => {
    const id = await submit();
    await call('/__sim/suno/knobs', { extraIds: 1 });
    await call('/__sim/suno/restart', {});
    expect((await call('/suno/fetch', { ids: [id] })).json.data).toHaveLength(1); // only the extra one
    expect((await call('/__sim/suno/calls')).json.routeCalls['POST /suno/submit/:action']).toBe(1);
    await call('/__sim/suno/reset', {});
    expect((await call('/__sim/suno/knobs')).json.extraIds).toBe(0);
    expect((await call('/__sim/suno/calls')).json.requests).toEqual([]);
  });

  it('the clock can jump forward and change speed', async () => {
    const id = await submit();
    const { json } = await call('/__sim/suno/clock', { advanceMs: 70_000 });
    expect(json.timeScale).toBe(1);
    expect((await call('/suno/fetch', { ids: [id] })).json.data[0].status).toBe('SUCCESS');
    expect((await call('/__sim/suno/clock', { timeScale: 30 })).json.timeScale).toBe(30);
    expect((await call('/__sim/suno/clock', { timeScale: 0 })).status).toBe(400);
  });

  it('forces a task by status, with a reason, or makes it vanish', async () => {
    const id = await submit();
    const forced = await call(`/__sim/suno/tasks/${id}`, { status: 'FAILURE', fail_reason: 'forced out' });
    expect(forced.json).toMatchObject({ status: 'FAILURE', fail_reason: 'forced out' });
    expect(forced.json.finish_time).toBeGreaterThan(0);
    const inspected = await call(`/__sim/suno/tasks/${id}`);
    expect(inspected.json).toMatchObject({ polls: 0, task: { status: 'FAILURE' } });
    await call(`/__sim/suno/tasks/${id}`, { vanish: true });
    expect((await call('/suno/fetch', { ids: [id] })).json.data).toEqual([]);
    expect((await call(`/__sim/suno/tasks/${id}`, { status: 'BOGUS' })).status).toBe(400);
    expect((await call('/__sim/suno/tasks/unknown', { status: 'SUCCESS' })).status).toBe(404);
  });
});

describe('plugin form', () => {
  it('mounts beside the video simulator on one port', async () => {
    const suno = new SunoState();
    const app = Fastify();
    await app.register(sunoSimPlugin, { state: suno });
    await app.register(videoSimPlugin, { apiKey: 'k' });
    const shared = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const submitted = await fetch(`${shared}/suno/submit/music`, {
        method: 'POST',
        body: '{"prompt":"p"}',
      });
      expect(submitted.status).toBe(200);
      const video = await fetch(`${shared}/v1/videos`, {
        method: 'POST',
        headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
        body: '{"prompt":"p"}',
      });
      expect(video.status).toBe(200);
      expect(suno.calls.callsOf('POST /suno/submit/:action')).toBe(1);
      expect(((await fetch(`${shared}/__sim/video/calls`).then((r) => r.json())) as Json).routeCalls).toEqual(
        {
          'POST /v1/videos': 1,
        },
      );
    } finally {
      await app.close();
    }
  });
});
