// `taskgate serve`: the API and the poller on PORT until SIGTERM or SIGINT.
import closeWithGrace from 'close-with-grace';
import type { Config } from '../config.js';
import { buildApp } from '../http/app.js';
import { openRuntime } from '../runtime.js';
import { createLogger } from './logger.js';

/** How often an instance re-reads settings changed by another instance. */
const OPTIONS_REFRESH_MS = 5_000;

export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const ctx = await openRuntime(config, log);
  const app = await buildApp(ctx, { logger: log });
  const refresh = setInterval(
    () => ctx.options.refresh().catch((err) => log.warn({ err }, 'options refresh failed')),
    OPTIONS_REFRESH_MS,
  );
  refresh.unref();

  closeWithGrace({ delay: 15_000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    clearInterval(refresh);
    // Stop claiming first and let the round in hand finish, so no lease is left to expire.
    await ctx.engine.close();
    await app.close();
    await ctx.store.close();
  });

  await app.listen({ port: config.port, host: config.host });
  if (config.runBackgroundWork) ctx.engine.poller.start();
  else log.info('background work is off on this instance (NODE_TYPE=slave or UPDATE_TASK=false)');
  log.info({ database: ctx.store.dialect, serverAddress: config.serverAddress }, 'taskgate is ready');
}
