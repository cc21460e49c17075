// The simulator as a Fastify plugin, so one process can mount every simulator on one port. Register it
// without fastify-plugin: its hooks and error handler stay inside its own routes.
import type { FastifyPluginAsync } from 'fastify';
import { registerControlRoutes } from './control.js';
import { installRequestHooks } from './http.js';
import { registerMediaRoutes } from './media.js';
import { registerAccountRoutes } from './routes-account.js';
import { registerChangeRoutes } from './routes-change.js';
import { registerQueryRoutes } from './routes-query.js';
import { registerSubmitRoutes } from './routes-submit.js';
import type { MidjourneySimState } from './state.js';

export interface MidjourneySimPluginOptions {
  state: MidjourneySimState;
}

export const midjourneySimPlugin: FastifyPluginAsync<MidjourneySimPluginOptions> = async (app, { state }) => {
  const plusOnly = new Set<string>();
  installRequestHooks(app, state, plusOnly);
  for (const url of [
    ...registerSubmitRoutes(app, state),
    ...registerChangeRoutes(app, state),
    ...registerQueryRoutes(app, state),
  ]) {
    plusOnly.add(url);
  }
  registerAccountRoutes(app, state);
  registerMediaRoutes(app, state.media);
  registerControlRoutes(app, state);

  state.notifier.start();
  // Slow and hung answers would otherwise keep close() waiting for their connections.
  app.addHook('preClose', async () => state.faults.close());
  app.addHook('onClose', async () => state.notifier.stop());
};
