// HTTP faults for the video API: by knob (submit, fetch) for the next N requests or at a rate, and per
// prompt (sim:fault, sim:pollfault, sim:slow).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoSimulator, type VideoSimulator } from '../../src/sim/openai-video/index.js';

let sim: VideoSimulator;
let base: string;

async function post(path: string, body: unknown, signal?: AbortSignal) {
  const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(body), signal });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

async function get(path: string, signal?: AbortSignal) {
  const r = await fetch(base + path, { signal });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

const create = (prompt = 'x') => post('/v1/videos', { prompt });
const knobs = (patch: unknown) => post('/__sim/video/knobs', patch);

beforeAll(async () => {
  sim = createVideoSimulator();
  base = await sim.listen();
});

beforeEach(() => sim.state.reset());

afterAll(() => sim.close());

describe('knob faults on create (submit)', () => {
  it('html, truncated, empty, non-JSON', async () => {
    await knobs({ faults: { submit: 'html' } });
    expect(await create()).toMatchObject({ status: 502, type: 'text/html' });
    await knobs({ faults: { submit: 'truncated' } });
    const truncated = await create();
    expect(truncated.status).toBe(200);
    expect(() => JSON.parse(truncated.text)).toThrow();
    await knobs({ faults: { submit: 'empty' } });
    expect(await create()).toMatchObject({ status: 200, text: '' });
    await knobs({ faults: { submit: { kind: 'html', status: 200 } } });
    expect((await create()).text).toContain('<html>');
  });

  it('429 rate_limit_exceeded, the code "429" variant, 5xx and a moderation 400', async () => {
    await knobs({ faults: { submit: '429' } });
    const limited = await create();
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text).error).toMatchObject({ code: 'rate_limit_exceeded' });
    await knobs({ faults: { submit: '429code' } });
    expect(JSON.parse((await create()).text).error.code).toBe('429');
    await knobs({ faults: { submit: '500' } });
    const broken = await create();
    expect([broken.status, JSON.parse(broken.text).error.type]).toEqual([500, 'server_error']);
    await knobs({ faults: { submit: '400' } });
    expect(JSON.parse((await create()).text).error.code).toBe('moderation_blocked');
  });

  it('noid: a 200 video object without an id', async () => {
    await knobs({ faults: { submit: 'noid' } });
    const r = await create();
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).not.toHaveProperty('id');
  });

  it('slow, hang and reset', async () => {
    await knobs({ faults: { submit: { kind: 'slow', delayMs: 100 } } });
    const started = Date.now();
    expect((await create()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await knobs({ faults: { submit: 'hang' } });
    await expect(post('/v1/videos', { prompt: 'x' }, AbortSignal.timeout(150))).rejects.toThrow();
    await knobs({ faults: { submit: 'reset' } });
    await expect(create()).rejects.toThrow();
  });

  it('only the next N requests, or a seeded share of them', async () => {
    await knobs({ faults: { submit: { kind: 'status', status: 503, count: 1 } } });
    expect([(await create()).status, (await create()).status]).toEqual([503, 200]);
    await knobs({ faults: { submit: { kind: 'status', status: 503, rate: 0.3 } } });
    let failed = 0;
    for (let i = 0; i < 50; i++) if ((await create()).status === 503) failed++;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(30);
  });
});

describe('knob faults on retrieve (fetch)', () => {
  it('hit retrieves but not creates', async () => {
    const id = JSON.parse((await create()).text).id;
    await knobs({ faults: { fetch: '502' } });
    expect((await get(`/v1/videos/${id}`)).status).toBe(502);
    expect((await create()).status).toBe(200);
  });
});

describe('per-prompt faults', () => {
  it('sim:fault=<kind> answers the create with that fault and creates nothing', async () => {
    expect((await create('sim:fault=503')).status).toBe(503);
    expect((await create('sim:fault=html')).status).toBe(502);
    expect(sim.state.videos.size).toBe(0);
  });

  it('sim:pollfault=<kind>@N damages the first N retrieves', async () => {
    const id = JSON.parse((await create('sim:pollfault=429code@2')).text).id;
    expect((await get(`/v1/videos/${id}`)).status).toBe(429);
    expect((await get(`/v1/videos/${id}`)).status).toBe(429);
    expect((await get(`/v1/videos/${id}`)).status).toBe(200);
  });

  it('sim:slow=<ms> delays the answer while the video already exists', async () => {
    const answer = create('sim:slow=150');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.state.videos.size).toBe(1);
    expect((await answer).status).toBe(200);
  });
});
