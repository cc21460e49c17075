// The midjourney-proxy face of Taskgate, under /mj and under the mode prefixes /mj-fast/mj, /mj-relax/mj, ….
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../plugins/errors.js';
import type { App } from '../../types.js';
import { mjNotifyRoute } from './notify-route.js';
import { mjQueryRoutes } from './query-routes.js';
import { mjSubmitRoutes } from './submit-routes.js';

async function surface(app: App): Promise<void> {
  await mjSubmitRoutes(app);
  await mjQueryRoutes(app);
}

export async function mjRelayRoutes(app: App): Promise<void> {
  await mjNotifyRoute(app);
  await app.register(surface as never, { prefix: '/mj' });
  await app.register(
    async (scoped: App) => {
      // Only mode names count as a prefix; anything else (e.g. /api/mj/submit/…) is not a route.
      scoped.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        const mode = (request.params as { mode?: string }).mode ?? '';
        if (!/^mj-[a-z]+$/.test(mode))
          return sendError(request, reply, 404, 'route_not_found', {
            route: `${request.method} ${request.url.split('?')[0]}`,
          });
      });
      await surface(scoped);
    },
    { prefix: '/:mode/mj' },
  );
}
