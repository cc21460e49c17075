// Sends a file held in memory the way a CDN does: Content-Length, Accept-Ranges, and 206 / 416 for a
// single `Range: bytes=…` request (several ranges are answered with the whole file, which RFC 9110 allows).
import type { FastifyReply, FastifyRequest } from 'fastify';

type Slice = { start: number; end: number } | 'unsatisfiable' | null;

function requestedSlice(header: string | undefined, size: number): Slice {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null; // an invalid range is ignored
  return { start, end };
}

export function sendBytes(
  request: FastifyRequest,
  reply: FastifyReply,
  bytes: Buffer,
  contentType: string,
): FastifyReply {
  reply.header('accept-ranges', 'bytes').type(contentType);
  const slice = requestedSlice(request.headers.range, bytes.length);
  if (slice === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${bytes.length}`).send();
  }
  if (!slice) return reply.code(200).header('content-length', bytes.length).send(bytes);
  const part = bytes.subarray(slice.start, slice.end + 1);
  return reply
    .code(206)
    .header('content-range', `bytes ${slice.start}-${slice.end}/${bytes.length}`)
    .header('content-length', part.length)
    .send(part);
}
