// Streams a file from a media host to the client through the SSRF guard: the one way Taskgate forwards media.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageCode } from '../../core/messages.js';
import type { ChannelDirectory } from '../../engine/channels.js';
import {
  type GuardedFetchError,
  type GuardedFetcher,
  type GuardedResponse,
  hostsOf,
} from '../../engine/guarded-fetch.js';
import type { ChannelRow } from '../../store/schema.js';
import { sendError } from '../plugins/errors.js';

/** Types served as they are; anything else (HTML above all) would run on Taskgate's own origin. */
const MEDIA_TYPE = /^(image|video|audio)\/[\w.+-]+$/i;

const FAILURES: Record<GuardedFetchError['kind'], { status: number; code: MessageCode; detail: string }> = {
  refused: {
    status: 403,
    code: 'invalid_request',
    detail: 'the stored media URL points at an address Taskgate does not fetch',
  },
  timeout: { status: 504, code: 'service_unavailable', detail: 'the media host did not answer in time' },
  too_large: {
    status: 502,
    code: 'service_unavailable',
    detail: 'the media file is larger than Taskgate forwards',
  },
  failed: { status: 502, code: 'service_unavailable', detail: 'the media host could not be reached' },
};

/** Where a stored URL points, for logs: never the query, which holds the host's own signature. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

/** A client-facing answer to an upstream's refusal of the file, in place of the generic 502. */
export interface MediaRefusal {
  status: number;
  body: unknown;
}

/** How much of a refusal's body is read to explain it. */
const REFUSAL_BYTES = 16 * 1024;

/** The start of a body (an error page or object), never more than `limit` bytes; the rest is dropped. */
async function readHead(upstream: GuardedResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of upstream.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut short explains what it can.
  } finally {
    upstream.discard();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

export interface MediaSource {
  url: string;
  /** Extra request headers (a channel key for upstreams whose content needs one). */
  headers?: Record<string, string>;
  /** Served when the host names no type. */
  defaultType: string;
  maxBytes: number;
  /** Pass the client's Range header on (audio and video). */
  ranges: boolean;
  allowedHosts: Set<string>;
  /** The task's channel's outbound proxy: media hosts are reached the way its upstream is. */
  proxy: string;
  /** For logs. */
  where: Record<string, string>;
  /**
   * Answers a 4xx refusal (given the start of its body) to the client; null or absent: the generic 502. Routes
   * that name the upstream's object (a video's content) use it, signed media links do not.
   */
  refusal?: (status: number, text: string) => MediaRefusal | null;
}

/**
 * How a task's media hosts are reached: the configured channels' hosts may be private (a simulator, a LAN
 * proxy), and the task's channel's outbound proxy carries the request, as it carries the channel's upstream calls.
 */
export async function mediaReach(
  channels: ChannelDirectory,
  channel: ChannelRow | undefined,
): Promise<Pick<MediaSource, 'allowedHosts' | 'proxy'>> {
  const all = await channels.all();
  return { allowedHosts: hostsOf(all.map((c) => c.base_url)), proxy: channel?.proxy ?? '' };
}

export async function streamMedia(
  fetcher: GuardedFetcher,
  request: FastifyRequest,
  reply: FastifyReply,
  source: MediaSource,
) {
  const range = source.ranges ? request.headers.range : undefined;
  const where = { ...source.where, host: origin(source.url) };
  let upstream: GuardedResponse;
  try {
    upstream = await fetcher.fetch(source.url, {
      allowedHosts: source.allowedHosts,
      proxy: source.proxy,
      headers: { ...source.headers, ...(range ? { range } : {}) },
      maxBytes: source.maxBytes,
    });
  } catch (error) {
    const failure = FAILURES[(error as GuardedFetchError).kind] ?? FAILURES.failed;
    request.log.warn({ ...where, err: error }, 'media forwarding failed');
    return sendError(request, reply, failure.status, failure.code, { detail: failure.detail });
  }

  const status = upstream.status;
  if (status === 416 && range) {
    upstream.discard();
    const whole = upstream.header('content-range');
    return reply
      .code(416)
      .headers(whole ? { 'content-range': whole } : {})
      .send();
  }
  if (status < 200 || status >= 300) {
    if (source.refusal && status >= 400 && status < 500) {
      const answer = source.refusal(status, await readHead(upstream, REFUSAL_BYTES));
      if (answer) {
        request.log.info({ ...where, status }, 'media host refused the file; refusal passed on');
        return reply.code(answer.status).send(answer.body);
      }
    } else upstream.discard();
    request.log.warn({ ...where, status }, 'media host refused the stored URL');
    const hint = [403, 404, 410].includes(status) ? ' (the stored URL has probably expired)' : '';
    return sendError(request, reply, 502, 'service_unavailable', {
      detail: `the media host answered ${status}${hint}`,
    });
  }

  const type = upstream.header('content-type')?.split(';')[0].trim() ?? '';
  reply
    .code(status === 206 ? 206 : 200)
    .header(
      'content-type',
      !type ? source.defaultType : MEDIA_TYPE.test(type) ? type : 'application/octet-stream',
    )
    .header('cache-control', 'private, max-age=3600')
    // CORS headers come only with an Origin (plugins/cors.ts): a copy cached for an <img> is not one for fetch().
    .header('vary', 'Origin')
    .header('x-content-type-options', 'nosniff')
    // Opened directly, an SVG or a mislabelled file must not run script on Taskgate's origin.
    .header('content-security-policy', "default-src 'none'; sandbox");
  for (const name of ['content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag']) {
    const value = upstream.header(name);
    if (value) reply.header(name, value);
  }
  upstream.body.on('error', (error) => request.log.warn({ ...where, err: error }, 'media stream cut'));
  return reply.send(upstream.body);
}
