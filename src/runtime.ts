// Opens everything a Taskgate process needs, in order: database, Redis (when configured), migrations, root user,
// secret, options.
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import type { NotifySettings } from './engine/client-notify.js';
import { Engine } from './engine/engine.js';
import { type PollerSettings, pollerSettingsFrom } from './engine/poller-settings.js';
import type { AppContext } from './http/context.js';
import { apiKeyCache } from './http/plugins/api-key-cache.js';
import { createMetrics } from './http/plugins/metrics.js';
import { ensureRoot, serverSecret } from './services/bootstrap.js';
import { openCoordination } from './services/coordination/index.js';
import { Options } from './services/options.js';
import { type DatabaseTarget, openStore, parseDsn } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';

export interface RuntimeOptions {
  /** Poller settings (tests shorten timeouts and grace periods). */
  poller?: Partial<PollerSettings>;
  /** How long a submit waits for the upstream (tests shorten it; default 60 s). */
  submitTimeoutMs?: number;
  clock?: Clock;
  /** Overrides SQL_DSN/SQLITE_PATH (tests pass their own database). */
  database?: DatabaseTarget;
  metricsDefaults?: boolean;
  /** Client callback settings (tests shorten the retry back-off). */
  notify?: Partial<NotifySettings>;
}

export async function openRuntime(
  config: Config,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  options: RuntimeOptions = {},
): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const store = openStore(
    options.database ?? parseDsn(config.sqlDsn, config.sqlitePath),
    config.sqlMaxOpenConns,
    config.sqliteSynchronous,
  );
  const metrics = createMetrics(options.metricsDefaults ?? true);
  // Never awaited: an instance starts (and serves) with Redis away, and joins in when it answers.
  const coordination = openCoordination(config, log, (state) => metrics.redisUp.set(state === 'up' ? 1 : 0));
  try {
    const applied = await migrateToLatest(store);
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
    await ensureRoot(store, config, log, clock.now());
    const secret = await serverSecret(store, config.sessionSecret);
    // TASK_TIMEOUT_MINUTES, when set, is the option's default; a value an admin saved wins.
    const settings = new Options(store, () => coordination.publish({ type: 'options' }), {
      TaskTimeoutMinutes: config.taskTimeoutMinutes,
    });
    await settings.refresh();
    const keys = apiKeyCache(store);
    keys.announceChangesTo(() => coordination.publish({ type: 'keys' }));
    coordination.subscribe((event) => {
      if (event.type === 'options')
        settings.refresh().catch((err) => log.warn({ err }, 'options refresh failed'));
      else if (event.type === 'keys') keys.forgetAll();
    });
    const engine = new Engine({
      store,
      clock,
      options: settings,
      metrics,
      log,
      instanceId: config.instanceId,
      poller: {
        ...pollerSettingsFrom(config.poll),
        ...options.poller,
      },
      jobIntervalMs: config.jobIntervalMs,
      submitTimeoutMs: options.submitTimeoutMs,
      // Read late: tests and `listen` on port 0 learn the address only after the runtime is open.
      notify: { secret, serverAddress: () => config.serverAddress, settings: options.notify },
      coordination,
    });
    return { config, store, clock, options: settings, secret, metrics, engine, coordination };
  } catch (error) {
    await coordination.close();
    await store.close();
    throw error;
  }
}
