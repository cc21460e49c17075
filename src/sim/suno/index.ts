// The Suno-API simulator: a standalone server (`createSunoSimulator`) or a plugin to mount beside the other
// simulators on one port (`sunoSimPlugin`). Behaviour: reference suno-and-video.md Part 1 and §3.1.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { recordCalls } from '../common/call-log.js';
import { acceptRawBodies } from '../common/raw-body.js';
import { controlRoutes } from './control-routes.js';
import { fetchRoutes } from './fetch-routes.js';
import { mediaRoutes } from './media-routes.js';
import { serviceRoutes } from './service-routes.js';
import { type SunoSimOptions, SunoState } from './state.js';
import { submitRoutes } from './submit-routes.js';

export type { SunoKnobs } from './knobs.js';
export type { SunoTimings } from './timeline.js';
export { DEFAULT_SUNO_TIMINGS } from './timeline.js';
export { type SunoSimOptions, SunoState };

export interface SunoSimulator {
  app: FastifyInstance;
  state: SunoState;
  /** Binds 127.0.0.1 (port 0: any free port) and returns the base URL. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export interface SunoSimPluginOptions extends SunoSimOptions {
  /** The state to serve; a new one is made from the options when absent. */
  state?: SunoState;
}

const BODY_LIMIT = 8 * 1024 * 1024;

export const sunoSimPlugin: FastifyPluginAsync<SunoSimPluginOptions> = async (app, options) => {
  const state = options.state ?? new SunoState(options);
  acceptRawBodies(app, BODY_LIMIT);
  app.addHook('preClose', async () => state.faults.close());
  await app.register(async (api) => {
    recordCalls(api, state.calls);
    api.addHook('onRequest', async (_request, reply) => {
      reply.header('x-any2api-request-id', randomUUID());
    });
    submitRoutes(api, state);
    fetchRoutes(api, state);
    serviceRoutes(api, state);
    mediaRoutes(api, state);
  });
  await app.register(async (control) => controlRoutes(control, state));
};

export function createSunoSimulator(options: SunoSimOptions = {}): SunoSimulator {
  const state = new SunoState(options);
  const app = Fastify({ logger: false });
  app.register(sunoSimPlugin, { state });
  // gin's default answer for unknown paths and methods.
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('404 page not found'),
  );
  return {
    app,
    state,
    listen: (port = 0) => app.listen({ host: '127.0.0.1', port }),
    close: () => app.close(),
  };
}
