// GET /v1/videos/{id}/content: real bytes per variant, Range requests, and the errors before completion,
// after expiry and on content faults.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVideoSimulator, type VideoSimulator } from '../../src/sim/openai-video/index.js';

const T0 = Date.UTC(2025, 9, 10, 12, 0, 0);
let now = T0;
let sim: VideoSimulator;
let base: string;

async function create(prompt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await fetch(`${base}/v1/videos`, { method: 'POST', body: JSON.stringify({ prompt, ...extra }) });
  return ((await r.json()) as { id: string }).id;
}

async function content(id: string, query = '', headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/v1/videos/${id}/content${query}`, { headers });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

const errorOf = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')).error;

beforeAll(async () => {
  sim = createVideoSimulator({ now: () => now, contentTtlSeconds: 3600 });
  base = await sim.listen();
});

beforeEach(() => {
  now = T0;
  sim.state.reset();
});

afterAll(() => sim.close());

describe('variants', () => {
  it('serves the video as an MP4 of the clip length, with Content-Length and Accept-Ranges', async () => {
    const id = await create('x', { seconds: '8', size: '1280x720' });
    now = T0 + 600_000;
    const r = await content(id);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('video/mp4');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(r.headers.get('content-length'))).toBe(r.bytes.length);
    expect(r.bytes.toString('latin1', 4, 12)).toBe('ftypisom');
    const top: string[] = [];
    let offset = 0;
    while (offset < r.bytes.length) {
      top.push(r.bytes.toString('latin1', offset + 4, offset + 8));
      offset += r.bytes.readUInt32BE(offset);
    }
    expect(top).toEqual(['ftyp', 'moov', 'mdat']);
    expect(offset).toBe(r.bytes.length);
    const mvhd = r.bytes.readUInt32BE(0) + 8;
    expect(r.bytes.toString('latin1', mvhd + 4, mvhd + 8)).toBe('mvhd');
    expect(r.bytes.readUInt32BE(mvhd + 24) / r.bytes.readUInt32BE(mvhd + 20)).toBe(8);
    expect(r.bytes.includes(Buffer.from('avc1'))).toBe(true);
  });

  it('serves the thumbnail as WebP and the spritesheet as JPEG', async () => {
    const id = await create('x');
    now = T0 + 600_000;
    const thumbnail = await content(id, '?variant=thumbnail');
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.bytes.toString('latin1', 0, 4)).toBe('RIFF');
    expect(thumbnail.bytes.toString('latin1', 8, 16)).toBe('WEBPVP8L');
    expect(thumbnail.bytes.readUInt32LE(4)).toBe(thumbnail.bytes.length - 8);
    const sprites = await content(id, '?variant=spritesheet');
    expect(sprites.headers.get('content-type')).toBe('image/jpeg');
    expect(sprites.bytes.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    expect(sprites.bytes.subarray(-2).toString('hex')).toBe('ffd9');
  });

  it('answers 206 with the requested slice, and 416 beyond the end', async () => {
    const id = await create('x');
    now = T0 + 600_000;
    const whole = await content(id);
    const part = await content(id, '', { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${whole.bytes.length}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(part.bytes.equals(whole.bytes.subarray(100, 200))).toBe(true);
    const tail = await content(id, '', { range: 'bytes=-10' });
    expect(tail.bytes.equals(whole.bytes.subarray(-10))).toBe(true);
    expect((await content(id, '', { range: `bytes=${whole.bytes.length}-` })).status).toBe(416);
    expect((await content(id, '', { range: 'bytes=0-1,5-6' })).status).toBe(200); // several ranges: whole file
  });

  it('refuses an unknown variant', async () => {
    const id = await create('x');
    now = T0 + 600_000;
    const r = await content(id, '?variant=poster');
    expect(r.status).toBe(400);
    expect(errorOf(r.bytes)).toMatchObject({ param: 'variant', code: 'invalid_value' });
  });
});

describe('errors', () => {
  it('refuses content before completion with 400, or 404 with the knob', async () => {
    const id = await create('x');
    const early = await content(id);
    expect(early.status).toBe(400);
    expect(errorOf(early.bytes)).toMatchObject({ type: 'invalid_request_error', code: 'video_not_ready' });
    sim.state.setKnobs({ contentNotReadyStatus: 404 });
    expect((await content(id)).status).toBe(404);
  });

  it('refuses content of a failed video and after expires_at, while the object stays retrievable', async () => {
    const failed = await create('sim:fail');
    expect((await content(failed)).status).toBe(400);
    const id = await create('x');
    now = T0 + 50_000 + 3_600_000;
    const expired = await content(id);
    expect(expired.status).toBe(404);
    expect(errorOf(expired.bytes).code).toBe('video_expired');
    expect((await fetch(`${base}/v1/videos/${id}`)).status).toBe(200);
  });

  it('sim:contentfault=truncated cuts the download short under a full Content-Length', async () => {
    const id = await create('sim:contentfault=truncated@1');
    now = T0 + 600_000;
    await expect(content(id)).rejects.toThrow();
    expect((await content(id)).status).toBe(200);
  });

  it('content faults by knob: 5xx, empty, slow', async () => {
    const id = await create('x');
    now = T0 + 600_000;
    sim.state.setKnobs({ faults: { content: '503' } });
    const unavailable = await content(id);
    expect(unavailable.status).toBe(503);
    expect(errorOf(unavailable.bytes).type).toBe('server_error');
    sim.state.setKnobs({ faults: { content: 'empty' } });
    expect((await content(id)).bytes.length).toBe(0);
    sim.state.setKnobs({ faults: { content: { kind: 'slow', delayMs: 100 } } });
    const started = Date.now();
    expect((await content(id)).bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});
