// Opens the coordination an instance uses: Redis when REDIS_CONN_STRING is set, a local no-op otherwise.
import type { Logger } from 'pino';
import { localCoordination } from './local.js';
import { RedisCoordination } from './redis.js';
import type { Coordination, RedisState } from './types.js';

export { sharedRateLimitStore } from './rate-limit-store.js';
export type { Coordination, CoordinationEvent, RedisState } from './types.js';

export function openCoordination(
  config: { redisUrl: string | null; redisKeyPrefix: string },
  log: Pick<Logger, 'info' | 'warn'>,
  onState?: (state: RedisState) => void,
): Coordination {
  if (!config.redisUrl) return localCoordination;
  return new RedisCoordination({ url: config.redisUrl, prefix: config.redisKeyPrefix, log, onState });
}
