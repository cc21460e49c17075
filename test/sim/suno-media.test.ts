// The files behind clip URLs are real: MP3 frames, PNG covers, an MP4 with a proper box structure; Range
// requests get 206 with the right slice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSunoSimulator, type SunoSimulator } from '../../src/sim/suno/index.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

const T0 = Date.UTC(2024, 6, 3, 10, 0, 0);
let now = T0;
let sim: SunoSimulator;
let base: string;
let streamingClip: { id: string; audio_url: string; image_url: string; image_large_url: string };
let doneClip: { id: string; audio_url: string; video_url: string; image_url: string };

async function fetchTask(id: string) {
  const r = await fetch(`${base}/suno/fetch`, { method: 'POST', body: JSON.stringify({ ids: [id] }) });
  return ((await r.json()) as { data: Json[] }).data[0];
}

async function download(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) };
}

/** Top-level ISO-BMFF boxes as [type, size]. */
function boxes(bytes: Buffer, from = 0, to = bytes.length): Array<[string, number, number]> {
  const found: Array<[string, number, number]> = [];
  for (let offset = from; offset < to; ) {
    const size = bytes.readUInt32BE(offset);
    found.push([bytes.toString('latin1', offset + 4, offset + 8), size, offset]);
    if (size < 8) throw new Error('bad box size');
    offset += size;
  }
  return found;
}

beforeAll(async () => {
  sim = createSunoSimulator({ now: () => now });
  base = await sim.listen();
  const submitted = await fetch(`${base}/suno/submit/music`, {
    method: 'POST',
    body: JSON.stringify({ prompt: 'm' }),
  });
  const id = ((await submitted.json()) as { data: string }).data;
  now = T0 + 30_000;
  streamingClip = (await fetchTask(id)).data[0];
  now = T0 + 70_000;
  doneClip = (await fetchTask(id)).data[0];
  now = T0 + 30_000; // back while streaming, for the audiopipe tests
});

afterAll(() => sim.close());

describe('while streaming', () => {
  it('streams MP3 audio progressively from the audiopipe URL', async () => {
    const r = await download(streamingClip.audio_url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    expect([r.bytes[0], r.bytes[1] & 0xe0]).toEqual([0xff, 0xe0]); // MPEG frame sync
  });

  it('already serves the covers, but not the final MP3', async () => {
    const cover = await download(streamingClip.image_url);
    expect(cover.status).toBe(200);
    const finalAudio = await download(`${base}/suno-cdn/${streamingClip.id}.mp3`);
    expect(finalAudio.status).toBe(404);
  });
});

describe('when complete', () => {
  it('serves a real MP3: consecutive MPEG-1 Layer III frames', async () => {
    now = T0 + 70_000;
    const r = await download(doneClip.audio_url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/mpeg');
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(r.headers.get('content-length'))).toBe(r.bytes.length);
    for (let offset = 0; offset < r.bytes.length; offset += 96) {
      expect(r.bytes.subarray(offset, offset + 4).toString('hex')).toBe('fffb14c0');
    }
    expect((r.bytes.length / 96) * (1152 / 48_000)).toBe(3); // matches metadata.duration
  });

  it('serves PNG covers of two sizes', async () => {
    for (const [url, side] of [
      [doneClip.image_url, 64],
      [streamingClip.image_large_url, 256],
    ] as const) {
      const r = await download(url);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(r.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect([r.bytes.readUInt32BE(16), r.bytes.readUInt32BE(20)]).toEqual([side, side]);
    }
  });

  it('serves an MP4 whose boxes are well formed: ftyp, moov (mvhd, trak), mdat', async () => {
    const r = await download(doneClip.video_url);
    expect(r.headers.get('content-type')).toBe('video/mp4');
    const top = boxes(r.bytes);
    expect(top.map(([type]) => type)).toEqual(['ftyp', 'moov', 'mdat']);
    expect(top.reduce((sum, [, size]) => sum + size, 0)).toBe(r.bytes.length);
    expect(r.bytes.toString('latin1', 8, 12)).toBe('isom');
    const [, moovSize, moovAt] = top[1];
    expect(boxes(r.bytes, moovAt + 8, moovAt + moovSize).map(([type]) => type)).toEqual(['mvhd', 'trak']);
    const mvhd = moovAt + 8;
    const timescale = r.bytes.readUInt32BE(mvhd + 20);
    expect(r.bytes.readUInt32BE(mvhd + 24) / timescale).toBe(3);
  });

  it('answers a Range with 206 and exactly that slice', async () => {
    const whole = await download(doneClip.video_url);
    const part = await download(doneClip.video_url, { range: 'bytes=4-11' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-11/${whole.bytes.length}`);
    expect(part.bytes.toString('latin1')).toBe('ftypisom');
    const tail = await download(doneClip.audio_url, { range: 'bytes=-96' });
    expect(tail.status).toBe(206);
    expect(tail.bytes.subarray(0, 4).toString('hex')).toBe('fffb14c0');
    const open = await download(doneClip.audio_url, { range: 'bytes=11904-' });
    expect([open.status, open.bytes.length]).toEqual([206, 96]);
    const beyond = await download(doneClip.audio_url, { range: 'bytes=999999-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toMatch(/^bytes \*\/\d+$/);
  });

  it('answers 404 for unknown clips and file names', async () => {
    expect((await download(`${base}/suno-cdn/00000000-0000-0000-0000-000000000000.mp3`)).status).toBe(404);
    expect((await download(`${base}/suno-cdn/image_${doneClip.id}.mp3`)).status).toBe(404);
    expect((await download(`${base}/suno-audiopipe/?item_id=nope`)).status).toBe(404);
  });
});

describe('knobs', () => {
  it('mediaExpired makes every media URL answer 404', async () => {
    sim.state.setKnobs({ mediaExpired: true });
    try {
      expect((await download(doneClip.audio_url)).status).toBe(404);
      expect((await download(doneClip.image_url)).status).toBe(404);
    } finally {
      sim.state.setKnobs({ mediaExpired: false });
    }
  });

  it('mediaBaseUrl lets URLs carry Suno-looking hosts', async () => {
    sim.state.setKnobs({ mediaBaseUrl: 'https://cdn1.suno.ai' });
    try {
      const id = sim.state.clipOwner(doneClip.id)?.task.taskId ?? '';
      const clip = (await fetchTask(id)).data[0];
      expect(clip.audio_url).toBe(`https://cdn1.suno.ai/suno-cdn/${clip.id}.mp3`);
    } finally {
      sim.state.setKnobs({ mediaBaseUrl: null });
    }
  });
});
