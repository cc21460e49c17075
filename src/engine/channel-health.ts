// Channel health: consecutive key/account failures per channel, counted in the database so every instance sees
// them; an `auto_ban` channel that reaches `ChannelAutoBanThreshold` is disabled (status 3) with the reason.
// A disabled channel gets no new submits; the poller still asks it about its unfinished tasks.
// Also the admin's channel test: one cheap call with the channel's key, bounded in time.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import { mjHeaders } from '../platforms/midjourney/adapter.js';
import type { SubmitReading, UpstreamRequest, UpstreamResponse } from '../platforms/types.js';
import type { Options } from '../services/options.js';
import {
  autoDisableChannel,
  countChannelFailure,
  recordChannelTest,
  resetChannelFailures,
} from '../store/channels.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow } from '../store/schema.js';
import type { ChannelDirectory } from './channels.js';
import type { UpstreamClient } from './upstream-client.js';

/** midjourney-proxy's "no enabled account instance" (code 3); new-api disables the channel on it. */
const NO_ACCOUNT = '无可用的账号实例';
/** OpenAI's error code for an account out of credit (HTTP 429); new-api disables the channel on it. */
const INSUFFICIENT_QUOTA = 'insufficient_quota';
export const CHANNEL_TEST_TIMEOUT_MS = 10_000;

/**
 * Why a submit answer says the channel's key or account is unusable, or null when it does not. Only these
 * count toward auto-disable: a rate limit, a 5xx or a refused request says nothing about the key.
 */
export function keyFailure(response: UpstreamResponse, reading: SubmitReading): string | null {
  if (response.status === 401 || response.status === 403) {
    return `the upstream refused the channel's key (HTTP ${response.status})`;
  }
  if (reading.kind !== 'refused') return null;
  // Code 3 also means "parent task not found" (the request's fault): only the no-account text counts.
  if (reading.channelFault && reading.description.includes(NO_ACCOUNT)) {
    return `the upstream has no usable account (${reading.description.slice(0, 200)})`;
  }
  // No credit behind the key: Suno-API's 402, and OpenAI's 429 whose code says so (unlike a rate limit, it
  // does not pass by waiting).
  if (response.status === 402) return 'the upstream account has no credits (HTTP 402)';
  if (reading.code === INSUFFICIENT_QUOTA) {
    return `the upstream account has no quota left (${reading.description.slice(0, 200)})`;
  }
  return null;
}

export interface ChannelHealthDeps {
  store: DbContext;
  clock: Clock;
  options: Options;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  channels: ChannelDirectory;
}

export class ChannelHealth {
  /** Channels this instance counted a failure on since it last reset them: their cached count may be stale. */
  private readonly counted = new Set<number>();

  constructor(private readonly deps: ChannelHealthDeps) {}

  /** A key/account failure on `channel`. Never throws: health bookkeeping must not change a submit's answer. */
  async keyFailed(channel: ChannelRow, reason: string): Promise<void> {
    const { store, clock, options, log } = this.deps;
    this.counted.add(channel.id);
    try {
      const failures = await countChannelFailure(store, channel.id, clock.now());
      const threshold = options.get('ChannelAutoBanThreshold');
      log.warn({ channel: channel.id, failures, threshold, reason }, 'channel key or account failure');
      if (failures < threshold) return;
      const why = `auto-disabled after ${failures} consecutive key or account failures; the last: ${reason}`;
      if (await autoDisableChannel(store, channel.id, threshold, why, clock.now())) {
        this.deps.channels.invalidate();
        log.warn({ channel: channel.id, reason: why }, 'channel auto-disabled');
      }
    } catch (error) {
      log.error({ err: error, channel: channel.id }, 'recording a channel failure failed');
    }
  }

  /**
   * An accepted submit: the only answer that proves both the key and an account work, so the only one that
   * ends a run of failures (a refused request, a 429 or a status call prove neither). `cachedFailures` is the
   * count in the channel directory's row: when it is 0 and this instance counted none since, there is nothing to
   * reset and no statement runs. A failure another instance counted within the directory's cache time (2 s) is
   * then left to the next success.
   */
  async succeeded(channelId: number, cachedFailures?: number): Promise<void> {
    if (cachedFailures === 0 && !this.counted.has(channelId)) return;
    try {
      this.counted.delete(channelId);
      await resetChannelFailures(this.deps.store, channelId, this.deps.clock.now());
    } catch (error) {
      this.deps.log.error({ err: error, channel: channelId }, 'resetting channel failures failed');
    }
  }
}

/** The cheapest authenticated call each platform has: an empty status query, or a one-item list. */
export function probeRequest(type: string, key: string): UpstreamRequest | null {
  const bearer = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  switch (platformOfChannelType(type)) {
    case 'midjourney':
      return {
        method: 'POST',
        path: '/mj/task/list-by-condition',
        headers: mjHeaders(key),
        body: { ids: [] },
      };
    case 'suno':
      return { method: 'POST', path: '/suno/fetch', headers: bearer, body: { ids: [] } };
    case 'openai-video':
      return { method: 'GET', path: '/v1/videos?limit=1', headers: { authorization: `Bearer ${key}` } };
    default:
      return null;
  }
}

export interface ChannelTestResult {
  /** The upstream answered at all. */
  reachable: boolean;
  /** Its HTTP status (0 when unreachable). */
  status: number;
  /** Seconds. */
  time: number;
  /** The upstream accepted the key (a 2xx answer). */
  ok: boolean;
  message: string;
}

/** Runs the probe, records when it ran and (when reachable) how long it took. Never throws for upstream trouble. */
export async function testChannel(
  deps: { store: DbContext; clock: Clock; upstream: UpstreamClient },
  channel: ChannelRow,
): Promise<ChannelTestResult> {
  const probe = probeRequest(channel.type, channel.key);
  if (!probe) {
    return { reachable: false, status: 0, time: 0, ok: false, message: `no test for type ${channel.type}` };
  }
  const started = performance.now();
  let result: Omit<ChannelTestResult, 'time'>;
  try {
    const response = await deps.upstream.call(channel.base_url, channel.proxy, probe, {
      timeoutMs: CHANNEL_TEST_TIMEOUT_MS,
      operation: 'test',
      channelId: channel.id,
    });
    const { status } = response;
    const ok = status >= 200 && status < 300;
    let message = ok ? 'the upstream accepted the key' : `the upstream answered HTTP ${status}`;
    if (status === 401 || status === 403) message = `the upstream refused the channel's key (HTTP ${status})`;
    result = { reachable: true, status, ok, message };
  } catch (error) {
    const message = `the upstream could not be reached: ${(error as Error).message}`;
    result = { reachable: false, status: 0, ok: false, message };
  }
  const elapsedMs = Math.round(performance.now() - started);
  // An unreachable channel keeps its last real response time: a refused connection is not "fast".
  await recordChannelTest(deps.store, channel.id, result.reachable ? elapsedMs : null, deps.clock.now());
  return { ...result, time: elapsedMs / 1000 };
}
