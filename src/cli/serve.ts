// `taskgate serve`: the API and the poller on PORT until SIGTERM or SIGINT.
import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DEFAULT_SUBMIT_TIMEOUT_MS } from '../engine/submit.js';
import { buildApp } from '../http/app.js';
import type { AppContext } from '../http/context.js';
import type { App } from '../http/types.js';
import { openRuntime } from '../runtime.js';
import { createLogger } from './logger.js';

/** How often an instance re-reads settings changed by another instance (with Redis up, a message says so at once). */
const OPTIONS_REFRESH_MS = 5_000;
/**
 * What draining HTTP may take after the round wait: a submit that came in just before waits up to the submit
 * timeout for its upstream, then records its task. Cut short, the upstream may have the task while Taskgate fails
 * and refunds it as interrupted. The drain ends as soon as the requests in flight are answered.
 */
const DRAIN_MS = DEFAULT_SUBMIT_TIMEOUT_MS + 5_000;

export interface RunningServer {
  ctx: AppContext;
  app: App;
  /**
   * Stops claiming, waits (bounded) for the round in hand and releases what it still holds, so another instance
   * polls those tasks at once; then drains HTTP and closes the pools.
   */
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const ctx = await openRuntime(config, log);
  const app = await buildApp(ctx, { logger: log });
  const refresh = setInterval(
    () => ctx.options.refresh().catch((err) => log.warn({ err }, 'options refresh failed')),
    OPTIONS_REFRESH_MS,
  );
  refresh.unref();
  await app.listen({ port: config.port, host: config.host });
  if (config.runBackgroundWork) ctx.engine.startBackground();
  else log.info('background work is off on this instance (NODE_TYPE=slave or UPDATE_TASK=false)');
  log.info({ database: ctx.store.dialect, serverAddress: config.serverAddress }, 'taskgate is ready');
  return {
    ctx,
    app,
    async stop() {
      clearInterval(refresh);
      await ctx.engine.stopBackground(config.shutdownWaitMs);
      await app.close(); // closes the Redis connections too (see buildApp)
      await ctx.engine.close(0);
      await ctx.store.close();
    },
  };
}

/** Runs until a signal; `alsoStop` runs after the server has stopped (the demo's simulators). */
export async function serve(config: Config, alsoStop?: () => Promise<void>): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  // The grace covers the bounded round wait plus draining HTTP.
  closeWithGrace({ delay: config.shutdownWaitMs + DRAIN_MS, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await server.stop();
    await alsoStop?.();
  });
  return server;
}
