// Simulated upstreams read their own bodies: every request body arrives as a Buffer, whatever its content
// type (Go's gin decodes JSON regardless of the header), and each route decides what malformed input means.
import type { FastifyInstance } from 'fastify';

export type JsonRead =
  | { ok: true; value: unknown }
  | { ok: false; empty: boolean; message: string; text: string };

/** Replaces this plugin context's body parsers with one that keeps the raw bytes (`request.body` is a Buffer). */
export function acceptRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

/** The request body as text ('' when there is none). */
export function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : '';
}

export function readJson(body: unknown): JsonRead {
  const text = bodyText(body);
  if (text.trim() === '') return { ok: false, empty: true, message: 'empty body', text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, empty: false, message: (error as Error).message, text };
  }
}
