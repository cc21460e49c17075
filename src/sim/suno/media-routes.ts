// The files behind clip URLs: a CDN for finished audio, video and covers, and an "audiopipe" that streams
// the audio progressively while a clip is `streaming`. Media of unknown clips, of clips not yet at that
// stage, or while the `mediaExpired` knob is on, answer 404 like an expired CDN link.
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendBytes } from '../common/byte-range.js';
import { silentMp3 } from '../common/mp3.js';
import { stillMp4 } from '../common/mp4.js';
import { colourFor, solidPng } from '../common/png.js';
import { SONG_SECONDS } from './clips.js';
import type { SunoState } from './state.js';

const SONG_MP3 = silentMp3(SONG_SECONDS);
const STREAM_CHUNK_BYTES = 4096;
const STREAM_CHUNK_GAP_MS = 20;
const CDN_FILE = /^(image_large_|image_)?([0-9a-f-]{36})\.(mp3|mp4|png)$/;

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('text/plain; charset=utf-8').send('404 page not found');
}

async function* trickle(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += STREAM_CHUNK_BYTES) {
    if (offset > 0) await sleep(STREAM_CHUNK_GAP_MS);
    yield bytes.subarray(offset, offset + STREAM_CHUNK_BYTES);
  }
}

export function mediaRoutes(app: FastifyInstance, state: SunoState): void {
  const clipStatus = (clipId: string): string | null => {
    const owner = state.knobs.mediaExpired ? undefined : state.clipOwner(clipId);
    return owner ? state.snapshot(owner.task).clipStatuses[owner.index] : null;
  };

  app.get<{ Params: { file: string } }>('/suno-cdn/:file', async (request, reply) => {
    const match = CDN_FILE.exec(request.params.file);
    if (!match || (match[1] !== undefined) !== (match[3] === 'png')) return notFound(reply);
    const [, imagePrefix, clipId, extension] = match;
    const status = clipStatus(clipId);
    const ready =
      extension === 'png' ? status === 'streaming' || status === 'complete' : status === 'complete';
    if (!ready) return notFound(reply);
    if (extension === 'mp3') return sendBytes(request, reply, SONG_MP3, 'audio/mpeg');
    if (extension === 'mp4') {
      const video = stillMp4({ width: 112, height: 64, rgb: colourFor(clipId), seconds: SONG_SECONDS });
      return sendBytes(request, reply, video, 'video/mp4');
    }
    const side = imagePrefix === 'image_large_' ? 256 : 64;
    return sendBytes(request, reply, solidPng(side, side, colourFor(clipId)), 'image/png');
  });

  app.get<{ Querystring: { item_id?: string } }>('/suno-audiopipe/', async (request, reply) => {
    const status = clipStatus(request.query.item_id ?? '');
    if (status !== 'streaming' && status !== 'complete') return notFound(reply);
    return reply.type('audio/mpeg').send(Readable.from(trickle(SONG_MP3)));
  });
}
