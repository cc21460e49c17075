// A video's life under an injected clock: queued → in_progress (rising progress) → completed | failed, and
// the directives that script it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoSimulator, type VideoSimulator } from '../../src/sim/openai-video/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

const T0 = Date.UTC(2025, 9, 10, 12, 0, 0);
let now = T0;
let sim: VideoSimulator;
let base: string;

const at = (seconds: number) => {
  now = T0 + seconds * 1000;
};

async function create(prompt: string, extra: Record<string, unknown> = {}) {
  const r = await fetch(`${base}/v1/videos`, { method: 'POST', body: JSON.stringify({ prompt, ...extra }) });
  return (await r.json()) as Json;
}

async function retrieve(id: string) {
  const r = await fetch(`${base}/v1/videos/${id}`);
  return { status: r.status, json: (await r.json()) as Json };
}

async function statuses(id: string, seconds: number[]): Promise<Array<[string, number]>> {
  const seen: Array<[string, number]> = [];
  for (const s of seconds) {
    at(s);
    const { json } = await retrieve(id);
    seen.push([json.status, json.progress]);
  }
  return seen;
}

beforeAll(async () => {
  sim = createVideoSimulator({ now: () => now, contentTtlSeconds: 600 });
  base = await sim.listen();
});

beforeEach(() => {
  at(0);
  sim.state.reset();
});

afterAll(() => sim.close());

describe('the happy path', () => {
  it('is queued, then in_progress with rising progress, then completed with completed_at and expires_at', async () => {
    const video = await create('a lighthouse at dawn'); // sora-2, 4 s: 10 s queued + 40 s render
    expect(await statuses(video.id, [0, 9, 10, 20, 30, 49, 50, 500])).toEqual([
      ['queued', 0],
      ['queued', 0],
      ['in_progress', 0],
      ['in_progress', 25],
      ['in_progress', 50],
      ['in_progress', 97],
      ['completed', 100],
      ['completed', 100],
    ]);
    const { json } = await retrieve(video.id);
    expect(json.completed_at).toBe(Math.floor(T0 / 1000) + 50);
    expect(json.expires_at).toBe(json.completed_at + 600);
    expect(json.error).toBeNull();
  });

  it('takes longer for longer clips and for sora-2-pro', async () => {
    const long = await create('x', { seconds: '12' }); // 10 + 80
    const pro = await create('x', { model: 'sora-2-pro' }); // 10 + 80
    at(89);
    expect((await retrieve(long.id)).json.status).toBe('in_progress');
    expect((await retrieve(pro.id)).json.status).toBe('in_progress');
    at(90);
    expect((await retrieve(long.id)).json.status).toBe('completed');
    expect((await retrieve(pro.id)).json.status).toBe('completed');
  });

  it('follows the time scale and the timings knob', async () => {
    sim.state.setKnobs({ timeScale: 100, timings: { queuedSeconds: 2 } });
    const video = await create('x');
    at(0.5); // 50 simulated seconds
    expect((await retrieve(video.id)).json.status).toBe('completed');
  });
});

describe('directives', () => {
  it('sim:fail@N fails when progress reaches N, keeping that progress and an error', async () => {
    const video = await create('sim:fail@40 sim:error="the render crashed" sim:code=render_error');
    expect(await statuses(video.id, [25, 26])).toEqual([
      ['in_progress', 37],
      ['failed', 40],
    ]);
    const { json } = await retrieve(video.id);
    expect(json.error).toEqual({ code: 'render_error', message: 'the render crashed' });
    expect(json.completed_at).toBe(Math.floor(T0 / 1000) + 26);
    expect(json.expires_at).toBeNull();
  });

  it('sim:error alone fails at once; sim:noerror fails without an error object', async () => {
    const failed = await create('sim:error=moderation_blocked');
    expect((await retrieve(failed.id)).json).toMatchObject({
      status: 'failed',
      progress: 0,
      error: { code: 'video_generation_failed', message: 'moderation_blocked' },
    });
    const bare = await create('sim:fail sim:noerror');
    expect((await retrieve(bare.id)).json).toMatchObject({ status: 'failed', error: null });
  });

  it('sim:hang stays in_progress forever at 50; sim:stuck@N stalls at N; sim:stuck@0 stays queued', async () => {
    const hang = await create('sim:hang');
    const stuck = await create('sim:stuck@80');
    const queued = await create('sim:stuck@0');
    at(1_000_000);
    expect((await retrieve(hang.id)).json).toMatchObject({ status: 'in_progress', progress: 50 });
    expect((await retrieve(stuck.id)).json).toMatchObject({ status: 'in_progress', progress: 80 });
    expect((await retrieve(queued.id)).json).toMatchObject({ status: 'queued', progress: 0 });
  });

  it('sim:vanish@N answers N retrieves, then 404', async () => {
    const video = await create('sim:vanish@1');
    expect((await retrieve(video.id)).status).toBe(200);
    expect((await retrieve(video.id)).status).toBe(404);
  });
});

describe('forcing', () => {
  it('forces a status, progress and error through the control API', async () => {
    const video = await create('x');
    const force = (body: unknown) =>
      fetch(`${base}/__sim/video/tasks/${video.id}`, { method: 'POST', body: JSON.stringify(body) }).then(
        async (r) => ({
          status: r.status,
          json: (await r.json()) as Json,
        }),
      );
    expect((await force({ status: 'in_progress', progress: 63 })).json).toMatchObject({
      status: 'in_progress',
      progress: 63,
    });
    const failed = await force({ status: 'failed', error: { code: 'x', message: 'forced' } });
    expect(failed.json).toMatchObject({ status: 'failed', error: { code: 'x', message: 'forced' } });
    expect(failed.json.completed_at).toBe(Math.floor(T0 / 1000));
    expect((await force({ status: 'completed' })).json).toMatchObject({ status: 'completed', progress: 100 });
    expect((await force({ status: 'done' })).status).toBe(400);
    await force({ vanish: true });
    expect((await retrieve(video.id)).status).toBe(404);
  });
});
