// Prompt directives (`sim:…`) script one Suno task's life and its HTTP answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';

const T0 = Date.UTC(2024, 6, 3, 10, 0, 0);
let now = T0;
let sim: SunoSimulator;
let base: string;

const at = (seconds: number) => {
  now = T0 + seconds * 1000;
};

async function post(path: string, body: unknown, signal?: AbortSignal) {
  const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(body), signal });
  const text = await r.text();
  return { status: r.status, text, type: r.headers.get('content-type') };
}

async function submit(prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await post('/suno/submit/music', { prompt, ...extra });
  return JSON.parse(r.text).data;
}

async function fetchTask(id: string) {
  const r = await post('/suno/fetch', { ids: [id] });
  return JSON.parse(r.text).data[0];
}

async function timeline(id: string, seconds: number[]): Promise<Array<[string, string[], string]>> {
  const seen: Array<[string, string[], string]> = [];
  for (const s of seconds) {
    at(s);
    const task = await fetchTask(id);
    seen.push([task.status, task.data.map((c: { status: string }) => c.status), task.fail_reason]);
  }
  return seen;
}

beforeAll(async () => {
  sim = createSunoSimulator({ now: () => now });
  base = await sim.listen();
});

beforeEach(() => at(0));

afterAll(() => sim.close());

describe('outcomes', () => {
  it('sim:fail@N fails both clips at N % of the timeline with the default reason', async () => {
    const id = await submit('[Verse] x sim:fail@50'); // 50 % of 70 s = 35 s, during streaming
    expect(await timeline(id, [30, 35])).toEqual([
      ['IN_PROGRESS', ['streaming', 'streaming'], ''],
      ['FAILURE', ['error', 'error'], 'simulated generation failure'],
    ]);
    const task = await fetchTask(id);
    expect(task.finish_time - task.submit_time).toBe(35);
    expect(task.data[0].metadata).toMatchObject({
      error_type: 'generation_error',
      error_message: 'simulated generation failure',
    });
  });

  it('sim:error=<reason> alone fails at the first tick, quoted reasons keep their spaces', async () => {
    const id = await submit('x', { tags: 'sim:error="lyrics flagged by moderation"' });
    expect(await timeline(id, [4, 5])).toEqual([
      ['NOT_START', ['submitted', 'submitted'], ''],
      ['FAILURE', ['error', 'error'], 'lyrics flagged by moderation'],
    ]);
  });

  it('sim:noreason fails with an empty fail_reason', async () => {
    const id = await submit('sim:fail@20 sim:noreason');
    at(20);
    expect(await fetchTask(id)).toMatchObject({ status: 'FAILURE', fail_reason: '' });
  });

  it('sim:cliperror@1 with sim:fail@N: clip 1 errors while clip 0 streams (IN_PROGRESS) until clip 0 completes', async () => {
    const id = await submit('sim:cliperror@1 sim:fail@50 sim:error=bad_clip');
    expect(await timeline(id, [35, 59, 60])).toEqual([
      ['IN_PROGRESS', ['streaming', 'error'], ''],
      ['IN_PROGRESS', ['streaming', 'error'], ''],
      ['FAILURE', ['complete', 'error'], 'bad_clip'],
    ]);
  });

  it('sim:cliperror@0 fails when clip 0 would complete, while clip 1 streams', async () => {
    const id = await submit('sim:cliperror@0');
    expect(await timeline(id, [55, 60])).toEqual([
      ['IN_PROGRESS', ['streaming', 'streaming'], ''],
      ['FAILURE', ['error', 'streaming'], 'simulated generation failure'],
    ]);
  });

  it('sim:status=<word> reports an unknown clip status: FAILURE with an empty reason', async () => {
    const id = await submit('sim:status=rendering');
    expect(await timeline(id, [25])).toEqual([['FAILURE', ['rendering', 'rendering'], '']]);
  });

  it('sim:reverse completes clip 1 first (streaming + complete = IN_PROGRESS)', async () => {
    const id = await submit('sim:reverse');
    expect(await timeline(id, [60, 70])).toEqual([
      ['IN_PROGRESS', ['streaming', 'complete'], ''],
      ['SUCCESS', ['complete', 'complete'], ''],
    ]);
  });

  it('sim:regress shows QUEUED again for one tick after IN_PROGRESS', async () => {
    const id = await submit('sim:regress');
    expect((await timeline(id, [25, 30, 35])).map(([status]) => status)).toEqual([
      'IN_PROGRESS',
      'QUEUED',
      'IN_PROGRESS',
    ]);
    expect((await fetchTask(id)).start_time).toBeGreaterThan(0);
  });
});

describe('vanishing and slowness', () => {
  it('sim:vanish@N returns the task to N fetches, then omits it (and GET says task not exist)', async () => {
    const id = await submit('sim:vanish@2');
    expect(await fetchTask(id)).toBeDefined();
    expect(await fetchTask(id)).toBeDefined();
    expect(await fetchTask(id)).toBeUndefined();
    const single = await fetch(`${base}/suno/fetch/${id}`);
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ message: 'task not exist' });
  });

  it('sim:slow=<ms> delays the submit answer while the task already exists', async () => {
    const before = sim.state.tasks.size;
    const started = Date.now();
    const answer = post('/suno/submit/music', { prompt: 'sim:slow=150' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.state.tasks.size).toBe(before + 1);
    expect((await answer).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('per-prompt HTTP faults', () => {
  it('sim:fault=<kind> answers the submit with that fault and creates no task', async () => {
    const before = sim.state.tasks.size;
    const html = await post('/suno/submit/music', { prompt: 'sim:fault=html' });
    expect([html.status, html.type]).toEqual([502, 'text/html']);
    const limited = await post('/suno/submit/music', { prompt: 'sim:fault=429' });
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text)).toEqual({
      code: 'invalid_request',
      message: '429 Too Many Requests',
      data: null,
    });
    const failed = await post('/suno/submit/music', { prompt: 'sim:fault=taskfailed' });
    expect([failed.status, JSON.parse(failed.text).message]).toEqual([500, 'task failed']);
    const transport = await post('/suno/submit/music', { prompt: 'sim:fault=transport' });
    expect(JSON.parse(transport.text)).toMatchObject({ code: 'internal_error' });
    expect(sim.state.tasks.size).toBe(before);
  });

  it('sim:pollfault=<kind>@N damages the first N fetches that ask for the task', async () => {
    const id = await submit('sim:pollfault=truncated@2');
    for (let i = 0; i < 2; i++) {
      const r = await post('/suno/fetch', { ids: [id] });
      expect(r.status).toBe(200);
      expect(() => JSON.parse(r.text)).toThrow();
    }
    expect(await fetchTask(id)).toMatchObject({ task_id: id });
  });

  it('sim:pollfault=badcode answers 200 with a code that is not success', async () => {
    const id = await submit('sim:pollfault=badcode');
    const r = await post('/suno/fetch', { ids: [id] });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).code).not.toBe('success');
  });

  it('sim:extra adds a task nobody asked for', async () => {
    const id = await submit('sim:extra');
    const r = JSON.parse((await post('/suno/fetch', { ids: [id] })).text);
    expect(r.data).toHaveLength(2);
    expect(r.data[1].task_id).not.toBe(id);
    expect(r.data[1].task_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
