// Discord-like signed, expiring attachment URLs on the simulator's own base URL, and the route that serves
// real image (and video) bytes for them (reference 5.5). An expired or tampered URL answers 403 as Discord's CDN does.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { stillMp4 } from '../common/mp4.js';
import { colourFor, solidPng } from '../common/png.js';
import { solidWebp } from '../common/webp.js';

export const EXPIRED_TEXT = 'This content is no longer available.';

export interface AttachmentRef {
  channel: string;
  attachment: string;
  file: string;
  /** Simulated ms at which Discord handed out the URL; `ex` is this plus the TTL. */
  issuedAt: number;
}

function hex8(seconds: number): string {
  return Math.floor(seconds).toString(16).padStart(8, '0');
}

/** Signatures kept: a task's view carries the same URL on every poll until its stage changes. */
const SIGNATURES_KEPT = 262_144;

export class MediaSigner {
  private readonly key = randomBytes(32);
  private readonly signatures = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly ttlSeconds: () => number,
    private readonly baseUrl: () => string,
  ) {}

  url(ref: AttachmentRef): string {
    const path = `/attachments/${ref.channel}/${ref.attachment}/${encodeURIComponent(ref.file)}`;
    const is = hex8(ref.issuedAt / 1000);
    const ex = hex8(ref.issuedAt / 1000 + this.ttlSeconds());
    return `${this.baseUrl()}${path}?ex=${ex}&is=${is}&hm=${this.sign(path, ex, is)}&`;
  }

  /** Whether a served path with its query still opens. */
  check(path: string, query: Record<string, unknown>): boolean {
    const { ex, is, hm } = query;
    if (typeof ex !== 'string' || typeof is !== 'string' || typeof hm !== 'string') return false;
    const expected = Buffer.from(this.sign(path, ex, is));
    const given = Buffer.from(hm);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    return this.now() / 1000 <= Number.parseInt(ex, 16);
  }

  private sign(path: string, ex: string, is: string): string {
    const text = `${path}?ex=${ex}&is=${is}`;
    let signature = this.signatures.get(text);
    if (signature === undefined) {
      signature = createHmac('sha256', this.key).update(text).digest('hex');
      if (this.signatures.size >= SIGNATURES_KEPT) this.signatures.clear();
      this.signatures.set(text, signature);
    }
    return signature;
  }
}

const CACHE_LIMIT = 256;
const cache = new Map<string, { type: string; bytes: Buffer }>();

/** Real bytes for a file name: WebP previews, an MP4 still for videos, PNG for everything else. */
function fileFor(file: string): { type: string; bytes: Buffer } {
  let entry = cache.get(file);
  if (!entry) {
    const rgb = colourFor(file);
    if (file.endsWith('.webp')) entry = { type: 'image/webp', bytes: solidWebp(32, 32, rgb) };
    else if (file.endsWith('.mp4'))
      entry = { type: 'video/mp4', bytes: stillMp4({ width: 64, height: 64, rgb, seconds: 1 }) };
    else entry = { type: 'image/png', bytes: solidPng(64, 64, rgb) };
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(file, entry);
  }
  return entry;
}

export function registerMediaRoutes(app: FastifyInstance, signer: MediaSigner): void {
  app.get<{
    Params: { channel: string; attachment: string; file: string };
    Querystring: Record<string, unknown>;
  }>('/attachments/:channel/:attachment/:file', async (request, reply) => {
    const { channel, attachment, file } = request.params;
    const path = `/attachments/${channel}/${attachment}/${encodeURIComponent(file)}`;
    if (!signer.check(path, request.query)) {
      return reply.code(403).type('text/plain; charset=utf-8').send(EXPIRED_TEXT);
    }
    const { type, bytes } = fileFor(file);
    return reply.header('cache-control', 'public, max-age=3600').type(type).send(bytes);
  });
}
