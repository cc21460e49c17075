// The OpenAI-style video simulator: a standalone server (`createVideoSimulator`) or a plugin to mount beside
// the other simulators on one port (`videoSimPlugin`). Behaviour: reference suno-and-video.md §2.1 and §3.2.
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { recordCalls } from '../common/call-log.js';
import { acceptRawBodies } from '../common/raw-body.js';
import { contentRoute } from './content-route.js';
import { controlRoutes } from './control-routes.js';
import { createRoutes } from './create-routes.js';
import { readRoutes } from './read-routes.js';
import { type VideoSimOptions, VideoState } from './state.js';

export type { VideoKnobs } from './knobs.js';
export type { VideoTimings } from './timeline.js';
export { DEFAULT_VIDEO_TIMINGS } from './timeline.js';
export { type VideoSimOptions, VideoState };

export interface VideoSimulator {
  app: FastifyInstance;
  state: VideoState;
  /** Binds 127.0.0.1 (port 0: any free port) and returns the base URL. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}

export interface VideoSimPluginOptions extends VideoSimOptions {
  /** The state to serve; a new one is made from the options when absent. */
  state?: VideoState;
}

// input_reference images may be up to about 20 MB.
const BODY_LIMIT = 32 * 1024 * 1024;

export const videoSimPlugin: FastifyPluginAsync<VideoSimPluginOptions> = async (app, options) => {
  const state = options.state ?? new VideoState(options);
  acceptRawBodies(app, BODY_LIMIT);
  app.addHook('preClose', async () => state.faults.close());
  await app.register(async (api) => {
    recordCalls(api, state.calls);
    createRoutes(api, state);
    readRoutes(api, state);
    contentRoute(api, state);
  });
  await app.register(async (control) => controlRoutes(control, state));
};

export function createVideoSimulator(options: VideoSimOptions = {}): VideoSimulator {
  const state = new VideoState(options);
  const app = Fastify({ logger: false });
  app.register(videoSimPlugin, { state });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        message: `Invalid URL (${request.method} ${request.url})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    }),
  );
  return {
    app,
    state,
    listen: (port = 0) => app.listen({ host: '127.0.0.1', port }),
    close: () => app.close(),
  };
}
