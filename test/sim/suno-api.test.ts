// Suno-API wire contract over real HTTP: auth, envelope, validation errors and the two fetch routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

let sim: SunoSimulator;
let base: string;

async function call(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const body =
    typeof init.body === 'string' || init.body === undefined ? init.body : JSON.stringify(init.body);
  const response = await fetch(base + path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { authorization: 'Bearer s3cret', 'content-type': 'application/json', ...init.headers },
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json: json as Json };
}

beforeAll(async () => {
  sim = createSunoSimulator({ secretToken: 's3cret', lyricsDelayMs: 5 });
  base = await sim.listen();
});

afterAll(() => sim.close());

describe('authentication', () => {
  it('answers 401 with the envelope when the secret is wrong or missing', async () => {
    for (const headers of [{ authorization: 'Bearer nope' }, { authorization: '' }]) {
      const r = await call('/suno/fetch', { body: { ids: [] }, headers });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ code: 'invalid_request', message: 'unauthorized secret token', data: null });
    }
  });

  it('trims the header with a character set, so a bare token also works', async () => {
    expect(
      (await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: 's3cret' } })).status,
    ).toBe(200);
    expect(
      (await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: 'Bearer  s3cret' } })).status,
    ).toBe(200);
  });

  it('can never authenticate a secret starting with one of B, e, a, r or space, unless strictBearer', async () => {
    sim.state.setKnobs({ secretToken: 'abc' });
    try {
      expect(
        (await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: 'Bearer abc' } })).status,
      ).toBe(401);
      sim.state.setKnobs({ strictBearer: true });
      expect(
        (await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: 'Bearer abc' } })).status,
      ).toBe(200);
      expect(
        (await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: 'abc' } })).status,
      ).toBe(401);
    } finally {
      sim.state.setKnobs({ secretToken: 's3cret', strictBearer: false });
    }
  });

  it('is open when no secret is set', async () => {
    sim.state.setKnobs({ secretToken: null });
    try {
      expect((await call('/suno/fetch', { body: { ids: [] }, headers: { authorization: '' } })).status).toBe(
        200,
      );
    } finally {
      sim.state.setKnobs({ secretToken: 's3cret' });
    }
  });
});

describe('submit validation', () => {
  it('accepts the action in any case and answers a 32-hex id at once', async () => {
    const r = await call('/suno/submit/MuSiC', { body: { prompt: '[Verse] la', tags: 'pop', title: 'T' } });
    expect(r.status).toBe(200);
    expect(r.json.code).toBe('success');
    expect(r.json.message).toBe('');
    expect(r.json.data).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('x-any2api-request-id')).toBeTruthy();
  });

  it('refuses unknown actions, empty lyrics prompts and continuations without task_id', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/suno/submit/video', {}, 'invalid action'],
      ['/suno/submit/lyrics', { prompt: '' }, 'prompt is empty'],
      ['/suno/submit/music', { continue_clip_id: 'c1', continue_at: 20 }, 'task_id is empty'],
    ];
    for (const [path, body, message] of cases) {
      const r = await call(path, { body });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ code: 'invalid_request', message, data: null });
    }
  });

  it('answers Go decoder errors for bodies that are not JSON or have wrong types', async () => {
    const cases: Array<[string, string]> = [
      ['', 'unexpected end of JSON input'],
      ['{"prompt": "x"', 'unexpected end of JSON input'],
      ['xyz', "invalid character 'x' looking for beginning of value"],
      [
        '{"make_instrumental":"yes"}',
        'json: cannot unmarshal string into Go struct field SubmitGenSongReq.make_instrumental of type bool',
      ],
      [
        '{"continue_at":"10"}',
        'json: cannot unmarshal string into Go struct field SubmitGenSongReq.continue_at of type float64',
      ],
      ['[1]', 'json: cannot unmarshal array into Go value of type main.SubmitGenSongReq'],
    ];
    for (const [body, message] of cases) {
      const r = await call('/suno/submit/music', { body, method: 'POST' });
      expect(r.status, body).toBe(400);
      expect(r.json, body).toEqual({ code: 'invalid_request', message, data: null });
    }
    const fetchError = await call('/suno/fetch', { body: '{"ids":[1]}', method: 'POST' });
    expect(fetchError.json.message).toBe(
      'json: cannot unmarshal number into Go struct field FetchReq.ids of type string',
    );
  });

  it('drops the custom fields in inspiration mode', async () => {
    const id = (
      await call('/suno/submit/music', { body: { gpt_description_prompt: 'sea shanty', tags: 'rock' } })
    ).json.data;
    const task = (await call('/suno/fetch', { body: { ids: [id] } })).json.data[0];
    expect(task.data[0].metadata.gpt_description_prompt).toBe('sea shanty');
    expect(task.data[0].metadata.tags).toBe('');
  });
});

describe('fetch', () => {
  it('POST /suno/fetch returns full tasks in database order and omits unknown ids', async () => {
    const first = (await call('/suno/submit/music', { body: { prompt: 'one' } })).json.data;
    const second = (await call('/suno/submit/music', { body: { prompt: 'two' } })).json.data;
    const r = await call('/suno/fetch', {
      body: { ids: [second, 'unknown', first, second], action: 'MUSIC' },
    });
    expect(r.status).toBe(200);
    expect(r.json.code).toBe('success');
    expect(r.json.data.map((t: { task_id: string }) => t.task_id)).toEqual([first, second]);
    const task = r.json.data[0];
    expect(Object.keys(task)).toEqual([
      'id',
      'created_at',
      'updated_at',
      'task_id',
      'action',
      'status',
      'fail_reason',
      'submit_time',
      'start_time',
      'finish_time',
      'search_item',
      'data',
    ]);
    expect(task.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect(Number.isInteger(task.submit_time) && task.submit_time < 10_000_000_000).toBe(true);
    expect(task.action).toBe('MUSIC');
  });

  it('an empty or missing ids list yields an empty array', async () => {
    expect((await call('/suno/fetch', { body: {} })).json).toEqual({
      code: 'success',
      message: '',
      data: [],
    });
    expect((await call('/suno/fetch', { body: { ids: [] } })).json.data).toEqual([]);
  });

  it('GET /suno/fetch/:id returns only the data (the clip array) and 400 for unknown ids', async () => {
    const id = (await call('/suno/submit/music', { body: { prompt: 'solo' } })).json.data;
    const r = await call(`/suno/fetch/${id}`);
    expect(r.json.code).toBe('success');
    expect(Array.isArray(r.json.data)).toBe(true);
    expect(r.json.data).toHaveLength(2);
    const missing = await call('/suno/fetch/nope');
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ code: 'invalid_request', message: 'task not exist', data: null });
  });
});

describe('service routes', () => {
  it('answers ping without auth and gin-style plain 404s', async () => {
    expect((await call('/ping', { headers: { authorization: '' } })).json).toEqual({ message: 'pong' });
    const missing = await call('/suno/nothing');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('404 page not found');
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('reports the account with credits used by songs', async () => {
    const r = await call('/suno/account');
    expect(r.json.code).toBe('success');
    expect(r.json.data.certificate).toMatchObject({ monthly_limit: 500, is_active: true });
    expect(r.json.data.certificate.credits_left).toBeLessThan(500);
  });

  it('survives garbage of every kind without crashing', async () => {
    const garbage = [
      Buffer.from([0xff, 0x00, 0xfe]).toString('latin1'),
      '{"ids":{"a":1}}',
      'null',
      '"x"',
      '1e999',
    ];
    for (const body of garbage) {
      for (const path of ['/suno/submit/music', '/suno/submit/lyrics', '/suno/fetch']) {
        const r = await call(path, { body, method: 'POST' });
        expect([200, 400]).toContain(r.status);
      }
    }
    expect((await call('/ping')).status).toBe(200);
  });
});
