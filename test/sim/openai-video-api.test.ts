// The OpenAI Videos API surface over real HTTP: auth, create (JSON and multipart) with its validation,
// retrieve, list, delete and remix.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoSimulator, type VideoSimulator } from '../../src/sim/openai-video/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

const T0 = Date.UTC(2025, 9, 10, 12, 0, 0);
let now = T0;
let sim: VideoSimulator;
let base: string;
const auth = { authorization: 'Bearer sk-test-0123456789' };

async function call(
  path: string,
  init: { method?: string; json?: unknown; body?: RequestInit['body']; headers?: object } = {},
) {
  const body = init.json === undefined ? init.body : JSON.stringify(init.json);
  const headers = {
    ...auth,
    ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    ...init.headers,
  };
  const r = await fetch(base + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await r.text();
  return {
    status: r.status,
    headers: r.headers,
    json: (text ? JSON.parse(text) : null) as Json,
  };
}

const create = async (fields: Record<string, unknown>) => (await call('/v1/videos', { json: fields })).json;

beforeAll(async () => {
  sim = createVideoSimulator({ apiKey: 'sk-test-0123456789', now: () => now });
  base = await sim.listen();
});

beforeEach(() => {
  now = T0;
  sim.state.reset();
});

afterAll(() => sim.close());

describe('authentication', () => {
  it('answers 401 in the OpenAI error shape for a missing or wrong key', async () => {
    const missing = await call('/v1/videos', { json: { prompt: 'x' }, headers: { authorization: '' } });
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
    expect(missing.json.error.message).toContain("didn't provide an API key");
    const wrong = await call('/v1/videos/video_x', {
      headers: { authorization: 'Bearer sk-wrong-key-1234' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ code: 'invalid_api_key', param: null });
    expect(wrong.json.error.message).toMatch(/provided: sk-\*+1234\./);
  });
});

describe('create', () => {
  it('answers a queued video object with the defaults sora-2, "4", 720x1280', async () => {
    const r = await call('/v1/videos', { json: { prompt: 'a calico cat playing piano' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      id: expect.stringMatching(/^video_[0-9a-f]{48}$/),
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      created_at: Math.floor(T0 / 1000),
      completed_at: null,
      expires_at: null,
      seconds: '4',
      size: '720x1280',
      remixed_from_video_id: null,
      error: null,
      prompt: 'a calico cat playing piano',
    });
  });

  it.each([
    [{}, 'prompt', 'missing_required_parameter'],
    [{ prompt: 5 }, 'prompt', 'invalid_type'],
    [{ prompt: 'x', model: 'sora-3' }, 'model', 'invalid_value'],
    [{ prompt: 'x', seconds: 4 }, 'seconds', 'invalid_type'],
    [{ prompt: 'x', seconds: '5' }, 'seconds', 'invalid_value'],
    [{ prompt: 'x', size: '1792x1024' }, 'size', 'invalid_value'],
    [{ prompt: 'x', size: '640x480', model: 'sora-2-pro' }, 'size', 'invalid_value'],
    [{ prompt: 'x', input_reference: { image_url: 'a', file_id: 'b' } }, 'input_reference', 'invalid_value'],
    [{ prompt: 'x', group: 'default' }, 'group', 'unknown_parameter'],
  ])('refuses %j naming param %s', async (fields, param, code) => {
    const r = await call('/v1/videos', { json: fields });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('allows the large sizes for sora-2-pro, and a JSON input_reference', async () => {
    const video = await create({
      prompt: 'x',
      model: 'sora-2-pro',
      size: '1792x1024',
      seconds: '12',
      input_reference: { image_url: 'https://example.com/a.png' },
    });
    expect(video).toMatchObject({ model: 'sora-2-pro', size: '1792x1024', seconds: '12' });
    expect(sim.state.videos.get(video.id)?.inputReference).toEqual({
      kind: 'image_url',
      url: 'https://example.com/a.png',
    });
  });

  it('refuses a body that is not JSON', async () => {
    const r = await call('/v1/videos', {
      body: '{"prompt":',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('could not parse the JSON body');
  });

  it('lets strictParams off accept unknown parameters', async () => {
    sim.state.setKnobs({ strictParams: false });
    expect((await call('/v1/videos', { json: { prompt: 'x', metadata: { a: 1 } } })).status).toBe(200);
  });
});

describe('multipart create', () => {
  it('reads text fields and one input_reference file', async () => {
    const form = new FormData();
    form.set('prompt', 'from a picture');
    form.set('model', 'sora-2');
    form.set('seconds', '8');
    form.set('size', '1280x720');
    form.set(
      'input_reference',
      new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }),
      'frame.png',
    );
    const r = await call('/v1/videos', { body: form });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      prompt: 'from a picture',
      seconds: '8',
      size: '1280x720',
      status: 'queued',
    });
    expect(sim.state.videos.get(r.json.id)?.inputReference).toEqual({
      kind: 'file',
      filename: 'frame.png',
      contentType: 'image/png',
      size: 4,
    });
    const recorded = sim.state.calls.requests.at(-1)?.body as Array<Record<string, unknown>>;
    expect(recorded).toContainEqual({ name: 'prompt', value: 'from a picture' });
    expect(recorded).toContainEqual({
      name: 'input_reference',
      filename: 'frame.png',
      contentType: 'image/png',
      size: 4,
    });
  });

  it('reads a hand-written body: quoted names, bytes that look like boundaries, padding after the boundary', async () => {
    const image = Buffer.from('\r\n--XyZ-not-quite\r\n\u0000binary');
    const body = Buffer.concat([
      Buffer.from(
        'preamble\r\n--XyZ  \r\nContent-Disposition: form-data; name="prompt"\r\n\r\nline one\r\nline two\r\n',
      ),
      Buffer.from(
        '--XyZ\r\nContent-Disposition: form-data; name="input_reference"; filename="a \\"b\\".webp"\r\n',
      ),
      Buffer.from('Content-Type: image/webp\r\n\r\n'),
      image,
      Buffer.from('\r\n--XyZ--\r\nepilogue'),
    ]);
    const r = await call('/v1/videos', {
      body,
      headers: { 'content-type': 'multipart/form-data; boundary="XyZ"' },
    });
    expect(r.status).toBe(200);
    expect(r.json.prompt).toBe('line one\r\nline two');
    expect(sim.state.videos.get(r.json.id)?.inputReference).toEqual({
      kind: 'file',
      filename: 'a "b".webp',
      contentType: 'image/webp',
      size: image.length,
    });
  });

  it('validates the multipart fields like JSON ones', async () => {
    const form = new FormData();
    form.set('prompt', 'x');
    form.set('seconds', '7');
    expect((await call('/v1/videos', { body: form })).json.error).toMatchObject({ param: 'seconds' });
  });

  it('refuses a reference of another type, or a reference that is not a file', async () => {
    const wrongType = new FormData();
    wrongType.set('prompt', 'x');
    wrongType.set('input_reference', new Blob(['GIF89a'], { type: 'image/gif' }), 'a.gif');
    expect((await call('/v1/videos', { body: wrongType })).json.error).toMatchObject({
      param: 'input_reference',
      code: 'invalid_value',
    });
    const text = new FormData();
    text.set('prompt', 'x');
    text.set('input_reference', 'https://example.com/a.png');
    expect((await call('/v1/videos', { body: text })).json.error).toMatchObject({ code: 'invalid_type' });
  });

  it('refuses a malformed multipart body', async () => {
    const headers = { 'content-type': 'multipart/form-data; boundary=XyZ' };
    const cut = '--XyZ\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhello';
    const r = await call('/v1/videos', { body: cut, headers });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('closing boundary');
    const noBoundary = await call('/v1/videos', {
      body: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(noBoundary.status).toBe(400);
  });
});

describe('retrieve, list, delete', () => {
  it('retrieves a video, and answers 404 for unknown ids', async () => {
    const video = await create({ prompt: 'x' });
    expect((await call(`/v1/videos/${video.id}`)).json).toEqual(video);
    const missing = await call('/v1/videos/video_nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', code: 'video_not_found' });
  });

  it('lists with a cursor: after, limit, order, first_id / last_id / has_more', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      now = T0 + i * 1000;
      ids.push((await create({ prompt: `v${i}` })).id);
    }
    const first = (await call('/v1/videos?limit=2')).json;
    expect(first.object).toBe('list');
    expect(first.data.map((v: { id: string }) => v.id)).toEqual([ids[4], ids[3]]);
    expect(first).toMatchObject({ first_id: ids[4], last_id: ids[3], has_more: true });
    const next = (await call(`/v1/videos?limit=2&after=${first.last_id}`)).json;
    expect(next.data.map((v: { id: string }) => v.id)).toEqual([ids[2], ids[1]]);
    const last = (await call(`/v1/videos?limit=2&after=${next.last_id}`)).json;
    expect(last).toMatchObject({ first_id: ids[0], last_id: ids[0], has_more: false });
    const ascending = (await call('/v1/videos?order=asc&limit=100')).json;
    expect(ascending.data.map((v: { id: string }) => v.id)).toEqual(ids);
    expect((await call('/v1/videos?limit=0')).json.error.param).toBe('limit');
    expect((await call('/v1/videos?order=sideways')).json.error.param).toBe('order');
    sim.state.restart();
    expect((await call('/v1/videos')).json).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it('deletes a video; afterwards retrieve and content answer 404', async () => {
    const video = await create({ prompt: 'x' });
    const deleted = await call(`/v1/videos/${video.id}`, { method: 'DELETE' });
    expect(deleted.json).toEqual({ id: video.id, object: 'video.deleted', deleted: true });
    expect((await call(`/v1/videos/${video.id}`)).status).toBe(404);
    expect((await call(`/v1/videos/${video.id}/content`)).status).toBe(404);
    expect((await call(`/v1/videos/${video.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('remix', () => {
  it('remixes only a completed video, inheriting model, size and seconds', async () => {
    const source = await create({ prompt: 'x', model: 'sora-2-pro', size: '1024x1792', seconds: '8' });
    const early = await call(`/v1/videos/${source.id}/remix`, { json: { prompt: 'make it blue' } });
    expect(early.status).toBe(400);
    expect(early.json.error.message).toContain("'queued'");
    now = T0 + 3_600_000;
    const remix = await call(`/v1/videos/${source.id}/remix`, { json: { prompt: 'make it blue' } });
    expect(remix.json).toMatchObject({
      model: 'sora-2-pro',
      size: '1024x1792',
      seconds: '8',
      status: 'queued',
      prompt: 'make it blue',
      remixed_from_video_id: source.id,
    });
    expect(remix.json.id).not.toBe(source.id);
  });

  it('requires a prompt and a known source', async () => {
    const source = await create({ prompt: 'x' });
    now = T0 + 3_600_000;
    expect((await call(`/v1/videos/${source.id}/remix`, { json: {} })).json.error.param).toBe('prompt');
    expect((await call('/v1/videos/video_nope/remix', { json: { prompt: 'p' } })).status).toBe(404);
  });
});

describe('compatibility knobs', () => {
  it('adds openai-poll-after-ms, a legacy task_id and vendor status synonyms on request', async () => {
    sim.state.setKnobs({ pollAfterMs: 2500, legacyTaskId: true, statusSynonyms: true });
    const created = await call('/v1/videos', { json: { prompt: 'x' } });
    expect(created.headers.get('openai-poll-after-ms')).toBe('2500');
    expect(created.json).toMatchObject({ task_id: created.json.id, status: 'pending' });
    now = T0 + 20_000;
    const polled = await call(`/v1/videos/${created.json.id}`);
    expect(polled.headers.get('openai-poll-after-ms')).toBe('2500');
    expect(polled.json.status).toBe('processing');
    now = T0 + 3_600_000;
    expect((await call(`/v1/videos/${created.json.id}`)).json.status).toBe('succeeded');
  });

  it('answers unknown routes with an OpenAI-style 404', async () => {
    const r = await call('/v1/nothing');
    expect(r.status).toBe(404);
    expect(r.json.error.message).toContain('Invalid URL');
  });
});
