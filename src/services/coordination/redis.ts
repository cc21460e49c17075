// Coordination through Redis: pub/sub for wake-ups and cache changes, and an atomic counter for shared rate
// limits. Redis is never needed for correctness, so nothing here may fail or hold up a request: commands fail
// at once while disconnected (no offline queue) and give up after a short timeout, and the connection comes back
// by itself with back-off. Each up/down change is logged once, not each failed attempt.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Coordination, CoordinationEvent, RateLimitCounter, RedisState } from './types.js';

export interface RedisCoordinationOptions {
  url: string;
  prefix: string;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Told of every state change (the metric). */
  onState?: (state: RedisState) => void;
  /** How often an idle connection is pinged, so a hung server shows as down without traffic (default 5 s). */
  heartbeatMs?: number;
}

/** A command that has not answered in this long fails (a half-open connection must not hang a request). */
const COMMAND_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** How often a server that stopped answering is pinged. */
const PROBE_INTERVAL_MS = 1_000;
const HEARTBEAT_MS = 5_000;
/** Reconnect back-off: 100 ms doubling up to this. */
const MAX_RETRY_DELAY_MS = 2_000;

/** INCR and PEXPIRE in one step: a window starts with its first hit and every instance counts into it. */
const HIT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

type WithHit = Redis & { taskgateHit(key: string, windowMs: number): Promise<[number, number]> };

const KINDS = new Set(['wake', 'channels', 'options', 'keys']);

/** A message from another instance, or null when it is not one we understand (or our own echo). */
function parse(text: string, self: string): CoordinationEvent | null {
  try {
    const message = JSON.parse(text) as { from?: unknown; type?: unknown; inMs?: unknown };
    if (message.from === self || typeof message.type !== 'string' || !KINDS.has(message.type)) return null;
    if (message.type === 'wake') {
      const inMs = Number(message.inMs);
      return { type: 'wake', inMs: Number.isFinite(inMs) ? Math.min(Math.max(inMs, 0), 60_000) : 0 };
    }
    return { type: message.type } as CoordinationEvent;
  } catch {
    return null;
  }
}

export class RedisCoordination implements Coordination {
  private readonly client: WithHit;
  private readonly subscriber: Redis;
  private readonly channel: string;
  /** Tells this process's messages from the others' (INSTANCE_ID may repeat across restarts). */
  private readonly self = randomBytes(8).toString('hex');
  private readonly handlers: Array<(event: CoordinationEvent) => void> = [];
  private current: RedisState = 'down';
  /** Whether a state has been logged yet: the first failure to connect is logged as such. */
  private settled = false;
  private closed = false;
  private lastError = '';
  /** Whether the subscriber's SUBSCRIBE has been answered on its current connection. */
  private subscribed = false;
  /** A command timed out on a connection that still looks open (a hung or unreachable server): probing it. */
  private probe: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: RedisCoordinationOptions) {
    this.channel = `${options.prefix}events`;
    const settings = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Subscribed again by hand on every `ready`: a subscribe refused while offline is then not lost.
      autoResubscribe: false,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 10), MAX_RETRY_DELAY_MS),
    };
    this.client = new Redis(options.url, settings) as WithHit;
    this.client.defineCommand('taskgateHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.subscriber = new Redis(options.url, settings);
    for (const connection of [this.client, this.subscriber]) {
      connection.on('ready', () => this.update());
      connection.on('close', () => this.update());
      connection.on('end', () => this.update());
      connection.on('error', (error: Error) => {
        this.lastError = error.message;
        this.update();
      });
    }
    this.subscriber.on('ready', () => {
      this.subscriber
        .subscribe(this.channel)
        .then(() => {
          this.subscribed = true;
          this.update();
        })
        .catch(() => undefined);
    });
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.update();
    });
    // Without traffic nothing would notice a server that stopped answering: the metric and /readyz would lie.
    this.heartbeat = setInterval(() => {
      if (this.client.status === 'ready' && !this.probe)
        this.client.ping().catch((error: Error) => this.failed(error));
    }, options.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const event = parse(text, this.self);
      if (event) this.deliver(event);
    });
  }

  get state(): RedisState {
    return this.current;
  }

  publish(event: CoordinationEvent): void {
    // Tried whenever the connection is open, even while a timed-out command has it counted down: it waits for
    // nothing, and a message lost to a false alarm (a busy event loop) would leave the others waiting for timers.
    if (this.client.status !== 'ready') return;
    this.client
      .publish(this.channel, JSON.stringify({ ...event, from: this.self }))
      .catch((error: Error) => this.failed(error));
  }

  subscribe(handler: (event: CoordinationEvent) => void): void {
    this.handlers.push(handler);
  }

  counter(): RateLimitCounter | null {
    if (this.current !== 'up') return null;
    const { client, options } = this;
    return {
      hit: async (key, windowMs) => {
        try {
          const [current, ttl] = await client.taskgateHit(`${options.prefix}rl:${key}`, windowMs);
          return { current: Number(current), ttl: Number(ttl) };
        } catch (error) {
          this.failed(error as Error);
          throw error;
        }
      },
    };
  }

  /**
   * A timed-out command means a server that stopped answering without closing the connection: count it down
   * (so requests stop waiting for it) and ping it each second until it answers again.
   */
  private failed(error: Error): void {
    if (this.probe || this.closed || !/timed out/i.test(error.message)) return;
    this.lastError = error.message;
    this.probe = setInterval(() => {
      this.client.ping().then(
        () => {
          if (this.probe) clearInterval(this.probe);
          this.probe = null;
          this.update();
        },
        () => undefined,
      );
    }, PROBE_INTERVAL_MS);
    this.probe.unref();
    this.update();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.probe) clearInterval(this.probe);
    // disconnect, not quit: quit waits for an answer that never comes while Redis is away.
    this.client.disconnect();
    this.subscriber.disconnect();
  }

  private deliver(event: CoordinationEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        this.options.log.warn({ err: error }, 'handling a message from another instance failed');
      }
    }
  }

  /** Up only when both connections are: a lost subscriber would miss every wake-up and cache change. */
  private update(): void {
    if (this.closed) return;
    const next: RedisState =
      this.client.status === 'ready' && this.subscriber.status === 'ready' && this.subscribed && !this.probe
        ? 'up'
        : 'down';
    if (next === this.current && this.settled) return;
    const previous = this.settled ? this.current : null;
    if (next === 'down' && previous === null && !this.lastError) return; // still connecting
    this.current = next;
    this.settled = true;
    this.options.onState?.(next);
    const { log } = this.options;
    if (next === 'up') {
      log.info(
        previous === null ? 'redis connected' : 'redis is up again: rate limits and messages are shared',
      );
      // Messages sent while it was down are lost: catch up on everything once.
      if (previous === 'down')
        for (const type of ['channels', 'options', 'keys', 'wake'] as const)
          this.deliver(type === 'wake' ? { type, inMs: 0 } : { type });
    } else {
      log.warn(
        { err: this.lastError },
        'redis is down: rate limits count per instance, wake-ups and cache changes wait for timers; retrying',
      );
    }
  }
}
