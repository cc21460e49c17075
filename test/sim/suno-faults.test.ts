// HTTP faults set by knob (control API), aimed at submit and fetch separately, for the next N requests
// or at a rate.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';

let sim: SunoSimulator;
let base: string;

async function post(path: string, body: unknown, signal?: AbortSignal) {
  const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(body), signal });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

const knobs = (patch: unknown) => post('/__sim/suno/knobs', patch);
const submit = () => post('/suno/submit/music', { prompt: 'x' });
const fetchIds = (ids: string[]) => post('/suno/fetch', { ids });

beforeAll(async () => {
  sim = createSunoSimulator();
  base = await sim.listen();
});

afterEach(async () => {
  await knobs({ faults: { submit: null, fetch: null }, extraIds: 0 });
});

afterAll(() => sim.close());

describe('fault kinds', () => {
  it('html: a 502 text/html page from a proxy', async () => {
    await knobs({ faults: { fetch: 'html' } });
    const r = await fetchIds([]);
    expect([r.status, r.type]).toEqual([502, 'text/html']);
    expect(r.text).toContain('502 Bad Gateway');
  });

  it('truncated: the real JSON cut in half', async () => {
    await knobs({ faults: { fetch: { kind: 'truncated' } } });
    const r = await fetchIds([]);
    expect(r.status).toBe(200);
    expect('{"code":"success","message":"","data":[]}'.startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeLessThan(40);
  });

  it('empty: 200 with an empty body', async () => {
    await knobs({ faults: { fetch: 'empty' } });
    expect(await fetchIds([])).toMatchObject({ status: 200, text: '' });
  });

  it('non-JSON: a 200 HTML page where JSON was expected', async () => {
    await knobs({ faults: { fetch: { kind: 'html', status: 200 } } });
    const r = await fetchIds([]);
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('nonarray: a feed-v2 style object where the task array belongs', async () => {
    await knobs({ faults: { fetch: 'nonarray' } });
    expect(JSON.parse((await fetchIds([])).text).data).toEqual({ clips: [] });
  });

  it('5xx and 429 in the Suno envelope with the status line', async () => {
    await knobs({ faults: { submit: '503' } });
    const r = await submit();
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text)).toEqual({
      code: 'invalid_request',
      message: '503 Service Unavailable',
      data: null,
    });
    await knobs({ faults: { submit: { kind: 'status', status: 429 } } });
    expect((await submit()).status).toBe(429);
  });

  it('badcode: HTTP 200 whose code is not success', async () => {
    await knobs({ faults: { fetch: 'badcode' } });
    const r = await fetchIds([]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'fail_to_fetch_task', data: null });
  });

  it('slow: the real answer after delayMs', async () => {
    await knobs({ faults: { fetch: { kind: 'slow', delayMs: 120 } } });
    const started = Date.now();
    const r = await fetchIds([]);
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('hang: never answers (the client gives up)', async () => {
    await knobs({ faults: { fetch: 'hang' } });
    await expect(post('/suno/fetch', { ids: [] }, AbortSignal.timeout(150))).rejects.toThrow();
  });

  it('reset: the connection is dropped', async () => {
    await knobs({ faults: { submit: 'reset' } });
    await expect(submit()).rejects.toThrow();
  });

  it('extraIds: tasks nobody asked for in every batch answer', async () => {
    await knobs({ extraIds: 2 });
    const r = JSON.parse((await fetchIds(['unknown'])).text);
    expect(r.data).toHaveLength(2);
  });
});

describe('targets, counts and rates', () => {
  it('a submit fault leaves fetches alone and creates no task', async () => {
    await knobs({ faults: { submit: 'html' } });
    const before = sim.state.tasks.size;
    expect((await submit()).status).toBe(502);
    expect((await fetchIds([])).status).toBe(200);
    expect(sim.state.tasks.size).toBe(before);
  });

  it('a fetch fault hits both fetch routes and leaves submits alone', async () => {
    await knobs({ faults: { fetch: '500' } });
    const id = JSON.parse((await submit()).text).data;
    expect((await fetchIds([id])).status).toBe(500);
    expect((await fetch(`${base}/suno/fetch/${id}`)).status).toBe(500);
  });

  it('count: only the next N requests', async () => {
    await knobs({ faults: { fetch: { kind: 'status', status: 502, count: 2 } } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetchIds([])).status);
    expect(statuses).toEqual([502, 502, 200, 200]);
  });

  it('rate: a seeded share of requests', async () => {
    await knobs({ faults: { fetch: { kind: 'status', status: 503, rate: 0.5 } } });
    let failed = 0;
    for (let i = 0; i < 60; i++) if ((await fetchIds([])).status === 503) failed++;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
  });

  it('rejects knobs it does not understand, naming them', async () => {
    const r = await knobs({ faults: { fetch: 'explode' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toContain('explode');
    expect((await knobs({ nonsense: 1 })).status).toBe(400);
    expect((await knobs({ lyricsDelayMs: -1 })).status).toBe(400);
  });
});
