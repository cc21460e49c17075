// What every route can reach: configuration, the store, the clock, options, the server secret, metrics, the engine
// and the coordination with other instances.
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { Engine } from '../engine/engine.js';
import type { Coordination } from '../services/coordination/index.js';
import type { Options } from '../services/options.js';
import type { Store } from '../store/db.js';
import type { TokenRow, UserRow } from '../store/schema.js';
import type { Metrics } from './plugins/metrics.js';

export interface AppContext {
  config: Config;
  store: Store;
  clock: Clock;
  options: Options;
  /** Signs session cookies and media URLs; the same on every instance. */
  secret: string;
  metrics: Metrics;
  engine: Engine;
  /** Redis when configured (shared rate limits, wake-ups, cache changes), else a local no-op. Closed with the app. */
  coordination: Coordination;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    /** The dashboard user (session or access token), set by `requireUser`. */
    user: UserRow;
    /** The API key and its owner on relay routes, set by `requireApiKey`. */
    apiKey: { token: TokenRow; user: UserRow };
  }
  interface FastifyContextConfig {
    /** Which envelope errors on this route use; guessed from the path when absent. */
    surface?: Surface;
    /** A route clients poll in a loop: its successful answers are logged at debug, not info (access-log.ts). */
    polled?: boolean;
  }
}

export type Surface = 'dashboard' | 'midjourney' | 'suno' | 'openai' | 'plain';
