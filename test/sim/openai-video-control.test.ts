// Counters and the control API under /__sim/video.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoSimulator, type VideoSimulator } from '../../src/sim/openai-video/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

let sim: VideoSimulator;
let base: string;

async function call(path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: 'Bearer channel-key', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

beforeAll(async () => {
  sim = createVideoSimulator({ apiKey: 'channel-key' });
  base = await sim.listen();
});

beforeEach(async () => {
  await call('/__sim/video/reset', {});
});

afterAll(() => sim.close());

describe('counters', () => {
  it('counts routes, polls per video and caller, and records what was sent', async () => {
    const id = (await call('/v1/videos', { prompt: 'counted', seconds: '8' })).json.id;
    await call(`/v1/videos/${id}`, undefined, { 'x-taskgate-instance': 'a' });
    await call(`/v1/videos/${id}`, undefined, { 'x-taskgate-instance': 'a' });
    await call(`/v1/videos/${id}`);
    await call(`/v1/videos/${id}/content`);
    const calls = (await call('/__sim/video/calls')).json;
    expect(calls.routeCalls).toEqual({
      'POST /v1/videos': 1,
      'GET /v1/videos/:id': 3,
      'GET /v1/videos/:id/content': 1,
    });
    expect(calls.polls[id]).toEqual({ count: 3, returned: 3, byCaller: { a: 2, '127.0.0.1': 1 } });
    expect(calls.requests[0]).toMatchObject({ body: { prompt: 'counted', seconds: '8' }, status: 200 });
    expect(calls.requests[0].headers.authorization).toBe('Bearer channel-key');
    expect(calls.maxInFlight).toBeGreaterThanOrEqual(1);
  });
});

describe('control', () => {
  it('sets knobs over HTTP and refuses bad ones', async () => {
    const set = await call('/__sim/video/knobs', { pollAfterMs: 1000, timings: { queuedSeconds: 1 } });
    expect(set.json).toMatchObject({
      pollAfterMs: 1000,
      timings: { queuedSeconds: 1, renderBaseSeconds: 20 },
    });
    expect((await call('/__sim/video/knobs', { contentNotReadyStatus: 500 })).status).toBe(400);
    expect((await call('/__sim/video/knobs', { faults: { poll: 'html' } })).status).toBe(400);
    expect((await call('/__sim/video/knobs', { timings: { warp: 1 } })).status).toBe(400);
  });

  it('rotating the key makes old requests 401', async () => {
    await call('/__sim/video/knobs', { apiKey: 'rotated' });
    expect((await call('/v1/videos', { prompt: 'x' })).status).toBe(401);
  });

  it('advances the clock and inspects a video', async () => {
    const id = (await call('/v1/videos', { prompt: 'x' })).json.id;
    await call('/__sim/video/clock', { advanceMs: 3_600_000 });
    const inspected = (await call(`/__sim/video/tasks/${id}`)).json;
    expect(inspected).toMatchObject({ polls: 0, inputReference: null, video: { status: 'completed' } });
  });

  it('restart wipes videos and keeps counters; reset clears both', async () => {
    const id = (await call('/v1/videos', { prompt: 'x' })).json.id;
    await call('/__sim/video/restart', {});
    expect((await call(`/v1/videos/${id}`)).status).toBe(404);
    expect((await call('/__sim/video/calls')).json.routeCalls['POST /v1/videos']).toBe(1);
    await call('/__sim/video/reset', {});
    expect((await call('/__sim/video/calls')).json.routeCalls).toEqual({});
  });
});
