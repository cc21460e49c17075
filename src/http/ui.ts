// The web UI: the built files of web/dist at /, and index.html for any other GET a browser navigates to (the
// single-page app's routes). API-looking paths and requests that do not accept HTML keep the JSON 404. Without a
// build (tests, `npm run dev`), the app starts without the UI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { hasOverlongSegment, sendError, sendOverlongPath } from './plugins/errors.js';

/** web/dist from both src/http (tsx) and dist/http (built). */
export const UI_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths that belong to an API surface: an unknown one is a JSON 404, never the UI. */
const API_PATH = /^\/(api|mj|suno|v1|task|docs)(\/|\?|$)|^\/[\w-]+\/mj(\/|\?|$)/;

export function isUiNavigation(url: string, accept: string | undefined): boolean {
  return !API_PATH.test(url) && (accept ?? '').includes('text/html');
}

export async function registerUi(app: FastifyInstance, root = UI_ROOT): Promise<void> {
  if (!existsSync(`${root}/index.html`)) {
    app.log.info({ root }, 'web UI not built (run npm run build): serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ['index.html'],
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    // The router falls back to this route for a parameter over its length limit: the same 414 as without the UI.
    if (hasOverlongSegment(request.url)) return sendOverlongPath(request, reply);
    if (!isUiNavigation(request.url, request.headers.accept)) {
      return sendError(request, reply, 404, 'route_not_found', {
        route: `${request.method} ${request.url.split('?')[0]}`,
      });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
