// A @fastify/rate-limit store that counts in Redis while it is up, so a limit holds across every instance, and
// per instance in memory while it is down: limits stay on (never skipped), they just stop being shared.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Coordination } from './types.js';

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;
interface LocalStore {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
}
// The plugin's own in-memory store (an LRU of 5,000 keys by default), not exported from its entry point.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => LocalStore;

interface StoreParams {
  cache?: number;
  routeInfo?: { method?: string | string[]; url?: string };
}

// Not `implements FastifyRateLimitStore`: its typings call child()'s argument RouteOptions, but the plugin passes
// the route's merged limit settings with `routeInfo` (the route options) inside.
class SharedStore {
  private readonly local: LocalStore;

  constructor(
    private readonly coordination: Coordination,
    params: StoreParams,
    /** The route's part of the key: each limited route counts on its own. */
    private readonly scope = '',
  ) {
    this.local = new LocalStore(false, false, params.cache);
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    const counter = this.coordination.counter();
    if (!counter) {
      this.local.incr(key, callback, timeWindow, max);
      return;
    }
    // Keys can be API keys (the submit routes limit per Authorization header): only a hash goes to Redis.
    const hashed = createHash('sha256').update(key).digest('base64url').slice(0, 32);
    counter.hit(`${this.scope}${hashed}`, timeWindow).then(
      (result) => callback(null, result),
      // Redis went away between the state check and the answer: count here instead of failing the request.
      () => this.local.incr(key, callback, timeWindow, max),
    );
  }

  child(routeOptions: StoreParams): SharedStore {
    const { method = '', url = '' } = routeOptions.routeInfo ?? {};
    return new SharedStore(this.coordination, routeOptions, `${[method].flat().join(',')}${url}:`);
  }
}

/** The store class for `@fastify/rate-limit`'s `store` option (it constructs the store itself). */
export function sharedRateLimitStore(coordination: Coordination): FastifyRateLimitStoreCtor {
  return class extends SharedStore {
    constructor(params: StoreParams) {
      super(coordination, params);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
