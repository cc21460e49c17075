// CORS for the relay and media routes: browser clients (midjourney-proxy and Suno web UIs, pages using OpenAI's
// video API) call them directly, as new-api and Suno-API allow. The cookie-authenticated dashboard API and the UI
// get none, so no other site can act with a signed-in admin's session.
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** The relay surfaces (`/mj`, `/mj-fast/mj`, …, `/suno`, `/v1`) and the signed media links. */
const CORS_PATHS = /^\/(mj|mj-[a-z]+\/mj|suno|v1|task\/media)\//;

const ALLOW_ORIGIN = '*';
const EXPOSED_HEADERS = ['Content-Range', 'Content-Length'];

const RELAY_PREFLIGHT: FastifyCorsOptions = {
  // Relay credentials are request headers (API keys), never cookies: any origin may send them.
  origin: ALLOW_ORIGIN,
  credentials: false,
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Authorization', 'mj-api-secret', 'Content-Type', 'Range'],
  exposedHeaders: EXPOSED_HEADERS,
  // Browsers cap this (Chromium at 2 h); it spares a preflight before every poll.
  maxAge: 7200,
};

const ANSWER_HEADERS = {
  'access-control-allow-origin': ALLOW_ORIGIN,
  'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
};

/**
 * Registers CORS in the scope that holds the relay and media routes. Preflights are @fastify/cors's, in a scope of
 * their own: its `OPTIONS *` route matches every path, the dashboard's too, so the path decides and elsewhere the
 * preflight stays a 404. The answers themselves get the two headers from a hook of ours, and only when a browser
 * asks (an `Origin` header): the plugin's per-request option resolution cost the fetch poll about 25 µs of its
 * ~90 (docs/benchmarks.md), and pollers and SDKs, which send no Origin, have no use for the headers.
 */
export async function registerRelayCors(scope: FastifyInstance): Promise<void> {
  await scope.register(async (preflights) => {
    await preflights.register(cors, {
      delegator: (request, callback) =>
        callback(null, CORS_PATHS.test(request.url) ? RELAY_PREFLIGHT : { origin: false }),
    });
  });
  scope.addHook('onRequest', (request, reply, done) => {
    // Preflights are the plugin's, and a dashboard path's must stay bare.
    if (request.headers.origin !== undefined && request.method !== 'OPTIONS') reply.headers(ANSWER_HEADERS);
    done();
  });
}
