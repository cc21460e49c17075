// The MUSIC timeline (driven by an injected clock), the 2-clip status aggregation of reference §1.8,
// clip fields, lyrics and continuation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';
import { parseSunoScript } from '../../src/sim/suno/script.js';
import { aggregateStatus, DEFAULT_SUNO_TIMINGS, evaluateMusic } from '../../src/sim/suno/timeline.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

const T0 = Date.UTC(2024, 6, 3, 10, 0, 0);
let now = T0;
let sim: SunoSimulator;
let base: string;

async function post(path: string, body: unknown) {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

const submit = async (body: Record<string, unknown>) =>
  (await post('/suno/submit/music', body)).json.data as string;
const fetchTask = async (id: string) => (await post('/suno/fetch', { ids: [id] })).json.data[0];
const at = (seconds: number) => {
  now = T0 + seconds * 1000;
};

beforeAll(async () => {
  sim = createSunoSimulator({ now: () => now, lyricsDelayMs: 20 });
  base = await sim.listen();
});

beforeEach(() => at(0));

afterAll(() => sim.close());

describe('aggregation over two clips (reference §1.8)', () => {
  it.each([
    ['complete', 'streaming', 'IN_PROGRESS'],
    ['streaming', 'complete', 'IN_PROGRESS'],
    ['complete', 'error', 'FAILURE'],
    ['streaming', 'error', 'IN_PROGRESS'],
    ['queued', 'streaming', 'QUEUED'],
    ['complete', 'complete', 'SUCCESS'],
    ['error', 'streaming', 'FAILURE'],
    ['submitted', 'submitted', 'SUBMITTED'],
    ['weird', 'weird', 'FAILURE'],
    ['complete', 'weird', 'FAILURE'],
  ])('%s + %s → %s', async (first, second, expected) => {
    expect(aggregateStatus([first, second])).toBe(expected);
    const id = await submit({ prompt: 'forced' });
    await post(`/__sim/suno/tasks/${id}`, { clips: [first, second] });
    const task = await fetchTask(id);
    expect(task.status).toBe(expected);
    expect(task.data.map((clip: { status: string }) => clip.status)).toEqual([first, second]);
  });

  it('uses clip 0 alone for any other clip count', () => {
    expect(aggregateStatus(['queued'])).toBe('QUEUED');
    expect(aggregateStatus(['complete', 'streaming', 'error'])).toBe('SUCCESS');
  });
});

describe('the happy path', () => {
  it('moves NOT_START → SUBMITTED → QUEUED → IN_PROGRESS → SUCCESS on 5-second ticks', async () => {
    const id = await submit({
      prompt: '[Verse] neon',
      tags: 'synthwave',
      title: 'Neon Nights',
      mv: 'chirp-v3-5',
    });
    const seen: Array<[number, string, string[]]> = [];
    for (const seconds of [0, 4, 5, 10, 24, 25, 59, 60, 65, 70, 400]) {
      at(seconds);
      const task = await fetchTask(id);
      seen.push([seconds, task.status, task.data.map((c: { status: string }) => c.status)]);
    }
    expect(seen).toEqual([
      [0, 'NOT_START', ['submitted', 'submitted']],
      [4, 'NOT_START', ['submitted', 'submitted']],
      [5, 'SUBMITTED', ['submitted', 'submitted']],
      [10, 'QUEUED', ['queued', 'queued']],
      [24, 'QUEUED', ['queued', 'queued']],
      [25, 'IN_PROGRESS', ['streaming', 'streaming']],
      [59, 'IN_PROGRESS', ['streaming', 'streaming']],
      [60, 'IN_PROGRESS', ['complete', 'streaming']],
      [65, 'IN_PROGRESS', ['complete', 'streaming']],
      [70, 'SUCCESS', ['complete', 'complete']],
      [400, 'SUCCESS', ['complete', 'complete']],
    ]);
  });

  it('sets start_time when IN_PROGRESS is seen, finish_time at SUCCESS, updated_at on each change', async () => {
    const id = await submit({ prompt: 'times' });
    const submitted = Math.floor(T0 / 1000);
    at(30);
    let task = await fetchTask(id);
    expect([task.submit_time, task.start_time, task.finish_time]).toEqual([submitted, submitted + 25, 0]);
    expect(task.updated_at).toBe(new Date(T0 + 25_000).toISOString());
    at(90);
    task = await fetchTask(id);
    expect([task.start_time, task.finish_time]).toEqual([submitted + 25, submitted + 70]);
    expect(task.created_at).toBe(new Date(T0).toISOString());
    expect(task.updated_at).toBe(new Date(T0 + 70_000).toISOString());
    expect(task.fail_reason).toBe('');
  });

  it('gives clips the full Suno field set, with streaming and final media URLs', async () => {
    const id = await submit({ prompt: '[Verse] lyrics here', tags: 'pop', title: 'Song', mv: 'chirp-v3-5' });
    at(10);
    const queued = (await fetchTask(id)).data[0];
    expect(Object.keys(queued).sort()).toEqual(
      [
        'id',
        'video_url',
        'audio_url',
        'image_url',
        'image_large_url',
        'is_video_pending',
        'major_model_version',
        'model_name',
        'metadata',
        'is_liked',
        'user_id',
        'display_name',
        'handle',
        'is_handle_updated',
        'is_trashed',
        'reaction',
        'created_at',
        'status',
        'title',
        'play_count',
        'upvote_count',
        'is_public',
      ].sort(),
    );
    expect(Object.keys(queued.metadata).sort()).toEqual(
      [
        'tags',
        'prompt',
        'gpt_description_prompt',
        'audio_prompt_id',
        'history',
        'concat_history',
        'type',
        'duration',
        'refund_credits',
        'stream',
        'error_type',
        'error_message',
      ].sort(),
    );
    expect(queued).toMatchObject({ audio_url: '', video_url: '', image_url: '', title: 'Song' });
    expect(queued).not.toHaveProperty('text'); // lyrics live in metadata.prompt
    expect(queued.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(queued).toMatchObject({ model_name: 'chirp-v3', major_model_version: 'v3.5' });
    expect(queued.metadata).toMatchObject({ prompt: '[Verse] lyrics here', tags: 'pop', duration: null });
    at(30);
    const streaming = (await fetchTask(id)).data[0];
    expect(streaming.audio_url).toBe(`${base}/suno-audiopipe/?item_id=${streaming.id}`);
    expect(streaming.image_url).toBe(`${base}/suno-cdn/image_${streaming.id}.png`);
    expect(streaming.image_large_url).toBe(`${base}/suno-cdn/image_large_${streaming.id}.png`);
    expect(streaming.video_url).toBe('');
    at(70);
    const done = (await fetchTask(id)).data[0];
    expect(done.audio_url).toBe(`${base}/suno-cdn/${done.id}.mp3`);
    expect(done.video_url).toBe(`${base}/suno-cdn/${done.id}.mp4`);
    expect(done.metadata.duration).toBe(3);
  });

  it('follows the time scale of the clock', async () => {
    const id = await submit({ prompt: 'fast' });
    sim.state.setKnobs({ timeScale: 60 });
    try {
      at(2); // two real seconds are two simulated minutes
      expect((await fetchTask(id)).status).toBe('SUCCESS');
    } finally {
      sim.state.setKnobs({ timeScale: 1 });
    }
  });
});

describe('timeouts and lost tasks', () => {
  it('sim:stuck stays IN_PROGRESS until CHAT_TIME_OUT, then FAILURE "time out" with data unchanged', async () => {
    const id = await submit({ prompt: 'sim:stuck' });
    at(599);
    expect((await fetchTask(id)).status).toBe('IN_PROGRESS');
    at(600);
    const task = await fetchTask(id);
    expect(task).toMatchObject({ status: 'FAILURE', fail_reason: 'time out' });
    expect(task.finish_time - task.submit_time).toBe(600);
    expect(task.data.map((c: { status: string }) => c.status)).toEqual(['streaming', 'streaming']);
  });

  it('sim:hang@queued never ends and never times out', async () => {
    const id = await submit({ prompt: 'sim:hang@queued' });
    at(100_000);
    const task = await fetchTask(id);
    expect(task).toMatchObject({ status: 'QUEUED', finish_time: 0 });
  });

  it('sim:nostream goes from QUEUED to SUCCESS and leaves start_time 0', async () => {
    const id = await submit({ prompt: 'sim:nostream' });
    at(60);
    expect((await fetchTask(id)).status).toBe('QUEUED');
    at(70);
    const task = await fetchTask(id);
    expect(task).toMatchObject({ status: 'SUCCESS', start_time: 0 });
  });

  it('evaluates a task in bounded work however late it is polled', () => {
    const snapshot = evaluateMusic(parseSunoScript('sim:hang'), DEFAULT_SUNO_TIMINGS, 1e9);
    expect(snapshot.status).toBe('IN_PROGRESS');
  });
});

describe('lyrics', () => {
  it('blocks for lyricsDelayMs, then answers a dashed UUID of a finished task', async () => {
    const started = Date.now();
    const r = await post('/suno/submit/LYRICS', { prompt: 'rain on the window' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(r.json.data).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const task = await fetchTask(r.json.data);
    expect(task).toMatchObject({ action: 'LYRICS', status: 'SUCCESS', fail_reason: '' });
    expect(task.submit_time).toBe(task.start_time);
    expect(task.start_time).toBe(task.finish_time);
    expect(task.data).toMatchObject({ id: r.json.data, status: 'complete', title: 'Rain On The Window' });
    expect(task.data.text).toContain('[Verse]');
    const single = (await fetch(`${base}/suno/fetch/${r.json.data}`).then((x) => x.json())) as Json;
    expect(Object.keys(single.data).sort()).toEqual(['id', 'status', 'text', 'title']);
  });

  it('sim:error gives a FAILURE lyrics task whose text carries the reason', async () => {
    const r = await post('/suno/submit/lyrics', { prompt: 'sim:error=banned_words' });
    const task = await fetchTask(r.json.data);
    expect(task).toMatchObject({ status: 'FAILURE', data: { status: 'error', text: 'banned_words' } });
  });

  it('sim:hang makes the lyrics request hang', async () => {
    const r = fetch(`${base}/suno/submit/lyrics`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'sim:hang' }),
      signal: AbortSignal.timeout(150),
    });
    await expect(r).rejects.toThrow();
  });
});

describe('continuation', () => {
  it('accepts continue_clip_id + continue_at + task_id and lists the source clip in metadata.history', async () => {
    const source = await submit({ prompt: 'original' });
    at(70);
    const clipId = (await fetchTask(source)).data[0].id;
    const id = await submit({
      prompt: '[Verse] more',
      continue_clip_id: clipId,
      continue_at: 42.5,
      task_id: source,
    });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const clip = (await fetchTask(id)).data[0];
    expect(clip.metadata.history).toEqual([{ id: clipId, continue_at: 42.5, type: 'gen', source: 'web' }]);
  });

  it('checks task_id for presence only', async () => {
    const r = await post('/suno/submit/music', {
      continue_clip_id: 'x',
      continue_at: 1,
      task_id: 'does-not-exist',
    });
    expect(r.status).toBe(200);
  });
});
