// CORS for the relay and media routes: browser clients (midjourney-proxy and Suno web UIs, pages using OpenAI's
// video API) call them directly, as new-api and Suno-API allow. The cookie-authenticated dashboard API and the UI
// get none, so no other site can act with a signed-in admin's session.
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/** The relay surfaces (`/mj`, `/mj-fast/mj`, …, `/suno`, `/v1`) and the signed media links. */
const CORS_PATHS = /^\/(mj|mj-[a-z]+\/mj|suno|v1|task\/media)\//;

const RELAY_CORS: FastifyCorsOptions = {
  // Relay credentials are request headers (API keys), never cookies: any origin may send them.
  origin: '*',
  credentials: false,
  methods: ['GET', 'HEAD', 'POST'],
  allowedHeaders: ['Authorization', 'mj-api-secret', 'Content-Type', 'Range'],
  exposedHeaders: ['Content-Range', 'Content-Length'],
  // Browsers cap this (Chromium at 2 h); it spares a preflight before every poll.
  maxAge: 7200,
};

/**
 * Registers CORS in the scope that holds the relay and media routes. The plugin's preflight route (`OPTIONS *`)
 * matches every path, the dashboard's too, so the path decides: elsewhere CORS is off and the preflight a 404.
 */
export async function registerRelayCors(scope: FastifyInstance): Promise<void> {
  await scope.register(cors, {
    delegator: (request, callback) =>
      callback(null, CORS_PATHS.test(request.url) ? RELAY_CORS : { origin: false }),
  });
}
