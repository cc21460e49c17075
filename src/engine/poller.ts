// The poller: claims due tasks with a lease, asks each channel about its tasks in batches, and applies what
// changed. It also ends tasks that ran out of time, vanished upstream, lost their channel, or never finished
// their submit — each failure refunded exactly once through the task writer. One channel's trouble never
// stops the others.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { PollTuning } from '../config.js';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { adapterFor } from '../platforms/index.js';
import type { PollReading, PollTarget, UpstreamRequest } from '../platforms/types.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow, TaskRow } from '../store/schema.js';
import {
  claimDueTasks,
  DEFAULT_SCHEDULE,
  oldestDueLagMs,
  type PollSchedule,
  releaseLeases,
  renewLeases,
} from '../store/task-leases.js';
import type { ChannelDirectory } from './channels.js';
import { failurePatch, planUpdate } from './observation.js';
import { SUBMIT_GRACE_MS } from './submit.js';
import type { TaskWriter } from './task-writer.js';
import type { UpstreamClient } from './upstream-client.js';

export interface PollerSettings {
  /** Most tasks one round claims. */
  batchLimit: number;
  /** Channels asked at the same time. */
  channelConcurrency: number;
  /** Calls to one channel at the same time (matters for per-task upstreams). */
  callConcurrency: number;
  pollTimeoutMs: number;
  /** How long the upstream may not know a task before it counts as vanished. */
  vanishGraceMs: number;
  taskTimeoutMinutes: number;
  idleDelayMs: number;
  schedule: PollSchedule;
}

export const DEFAULT_POLLER_SETTINGS: PollerSettings = {
  batchLimit: 5_000,
  channelConcurrency: 8,
  callConcurrency: 16,
  pollTimeoutMs: 10_000,
  vanishGraceMs: 10 * 60_000,
  taskTimeoutMinutes: 1440,
  idleDelayMs: 1_000,
  schedule: DEFAULT_SCHEDULE,
};

export interface RoundStats {
  claimed: number;
  calls: number;
  changed: number;
  failed: number;
}

export interface PollerDeps {
  store: DbContext;
  clock: Clock;
  metrics: Metrics;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  channels: ChannelDirectory;
  upstream: UpstreamClient;
  writer: TaskWriter;
  instanceId: string;
}

/** Poll tuning from the environment (see config.ts); unset values keep the defaults. */
export function pollerSettingsFrom(tuning: PollTuning): Partial<PollerSettings> {
  const out: Partial<PollerSettings> = {};
  if (tuning.idleMs !== null) out.idleDelayMs = tuning.idleMs;
  if (tuning.timeoutMs !== null) out.pollTimeoutMs = tuning.timeoutMs;
  if (tuning.vanishGraceMs !== null) out.vanishGraceMs = tuning.vanishGraceMs;
  if (tuning.intervalMs !== null || tuning.leaseMs !== null) {
    const interval = tuning.intervalMs;
    out.schedule = {
      leaseMs: tuning.leaseMs ?? DEFAULT_SCHEDULE.leaseMs,
      steps: interval === null ? DEFAULT_SCHEDULE.steps : [],
      slowestMs: interval ?? DEFAULT_SCHEDULE.slowestMs,
    };
  }
  return out;
}

export class Poller {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<RoundStats> | null = null;
  private rounds = 0;
  /** Unique per process: a restarted instance with the same INSTANCE_ID must not match its old leases. */
  private readonly nonce = randomBytes(3).toString('hex');
  /** The round in flight: its lease owner and the claimed tasks not yet applied. */
  private inHand: { owner: string; ids: Set<number> } | null = null;
  private stopRequested = false;

  constructor(
    private readonly deps: PollerDeps,
    private readonly settings: PollerSettings = DEFAULT_POLLER_SETTINGS,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopRequested = false;
    this.schedule(0);
  }

  /**
   * Stops claiming and waits up to `waitMs` for the round in hand; the tasks it has not finished by then are
   * released (due now, unleased) so another instance polls them at once. Returns how many were released.
   */
  async stop(waitMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.running = false;
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const bound = Number.isFinite(waitMs)
      ? new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        })
      : new Promise<void>(() => undefined);
    await Promise.race([this.round?.catch(() => undefined), bound]);
    clearTimeout(timer);
    const hand = this.inHand;
    if (!hand || hand.ids.size === 0) return 0;
    const released = await releaseLeases(this.deps.store, hand.owner, [...hand.ids], this.deps.clock.now());
    this.deps.log.info({ released }, 'released the leases of the unfinished round');
    return released;
  }

  /** A new task was submitted: look sooner than the idle delay. */
  wake(): void {
    if (this.running && !this.round) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runOnce()
        .then(
          (stats) =>
            this.running &&
            this.schedule(stats.claimed >= this.settings.batchLimit ? 0 : this.settings.idleDelayMs),
        )
        .catch((error) => {
          this.deps.log.error({ err: error }, 'poll round failed');
          if (this.running) this.schedule(this.settings.idleDelayMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One round: claim, ask, apply. Tests call it directly. */
  runOnce(): Promise<RoundStats> {
    if (this.round) return this.round;
    this.round = this.poll().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async poll(): Promise<RoundStats> {
    const { store, clock, metrics } = this.deps;
    const owner = `${this.deps.instanceId}:${this.nonce}:${++this.rounds}`;
    metrics.pollLagSeconds.set((await oldestDueLagMs(store, clock.now())) / 1000);
    // Stopped while waiting for the lag query: claim nothing more.
    if (this.stopRequested) return { claimed: 0, calls: 0, changed: 0, failed: 0 };
    // Read after the lag query: the lease runs from as close to the claim as possible.
    const now = clock.now();
    const tasks = await claimDueTasks(store, owner, now, this.settings.batchLimit, this.settings.schedule);
    const stats: RoundStats = { claimed: tasks.length, calls: 0, changed: 0, failed: 0 };
    if (tasks.length === 0) return stats;
    const hand = { owner, ids: new Set(tasks.map((t) => t.id)) };
    this.inHand = hand;
    const renewal = this.renewWhileInHand(hand);
    metrics.leasesHeld.set(tasks.length);
    const byChannel = new Map<number, TaskRow[]>();
    for (const task of tasks)
      byChannel.set(task.channel_id, [...(byChannel.get(task.channel_id) ?? []), task]);
    try {
      await inParallel([...byChannel], this.settings.channelConcurrency, async ([channelId, rows]) => {
        try {
          await this.pollChannel(channelId, rows, owner, stats);
        } catch (error) {
          this.deps.log.error({ err: error, channel: channelId }, 'polling a channel failed');
        } finally {
          for (const row of rows) hand.ids.delete(row.id);
        }
      });
    } finally {
      clearInterval(renewal);
      if (this.inHand === hand) this.inHand = null;
      metrics.leasesHeld.set(0);
    }
    return stats;
  }

  /** Renews the round's leases every third of the lease, so slow calls never let them lapse mid-round. */
  private renewWhileInHand(hand: { owner: string; ids: Set<number> }): NodeJS.Timeout {
    const { leaseMs } = this.settings.schedule;
    const timer = setInterval(
      () => {
        if (hand.ids.size === 0) return;
        renewLeases(this.deps.store, hand.owner, [...hand.ids], this.deps.clock.now(), leaseMs).catch((err) =>
          this.deps.log.warn({ err }, 'renewing leases failed'),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async pollChannel(
    channelId: number,
    rows: TaskRow[],
    owner: string,
    stats: RoundStats,
  ): Promise<void> {
    const channel = await this.deps.channels.get(channelId);
    if (!channel) {
      for (const row of rows) await this.fail(row, owner, `the channel ${channelId} was deleted`, stats);
      return;
    }
    const now = this.deps.clock.now();
    const pollable: TaskRow[] = [];
    for (const row of rows) {
      if (row.upstream_id) pollable.push(row);
      else if (now - row.submit_time >= SUBMIT_GRACE_MS) {
        await this.fail(
          row,
          owner,
          'the submission never completed (the gateway stopped during the upstream call)',
          stats,
        );
      }
    }
    const adapter = adapterFor(platformOfChannelType(channel.type) ?? '');
    if (!adapter || pollable.length === 0) return;
    const chunks: TaskRow[][] = [];
    for (let i = 0; i < pollable.length; i += adapter.pollBatchSize)
      chunks.push(pollable.slice(i, i + adapter.pollBatchSize));
    await inParallel(chunks, this.settings.callConcurrency, async (chunk) => {
      const targets: PollTarget[] = chunk.map((r) => ({ upstreamId: r.upstream_id, action: r.action }));
      const reading = await this.ask(channel, targets, adapter);
      stats.calls++;
      for (const row of chunk) {
        await this.apply(row, channel, reading, owner, stats);
        this.inHand?.ids.delete(row.id);
      }
    });
  }

  private async ask(
    channel: ChannelRow,
    targets: PollTarget[],
    adapter: NonNullable<ReturnType<typeof adapterFor>>,
  ): Promise<PollReading> {
    try {
      const response = await this.deps.upstream.call(
        channel.base_url,
        channel.proxy,
        // Named per instance so upstreams (and the simulators' counters) can tell the pollers apart.
        withInstance(adapter.pollRequest(channel.key, targets), this.deps.instanceId),
        {
          timeoutMs: this.settings.pollTimeoutMs,
          operation: 'poll',
          channelId: channel.id,
        },
      );
      const reading = adapter.readPoll(response, targets);
      if (!reading.ok)
        this.deps.log.warn({ channel: channel.id, err: reading.error }, 'unreadable status answer');
      return reading;
    } catch (error) {
      this.deps.log.warn({ channel: channel.id, err: (error as Error).message }, 'status call failed');
      return { ok: false, error: (error as Error).message };
    }
  }

  private async apply(
    row: TaskRow,
    channel: ChannelRow,
    reading: PollReading,
    owner: string,
    stats: RoundStats,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const fence = { version: row.version, leaseOwner: owner };
    let current = row;
    if (reading.ok) {
      const observation = reading.observations.get(row.upstream_id);
      if (observation) {
        const patch = planUpdate(row, observation, now);
        if (patch && (await this.deps.writer.commit(row, patch, fence))) {
          stats.changed++;
          if (patch.status === 'SUCCESS' || patch.status === 'FAILURE') return;
          current = { ...row, ...patch, version: row.version + 1 } as TaskRow;
        }
      } else if (reading.present.has(row.upstream_id) || !reading.absenceIsReliable) {
        // Mentioned but unreadable, or maybe hidden behind an unreadable element: no news, not gone.
      } else if (row.vanished_since === 0) {
        // The upstream answered but left this task out: start the grace period.
        if (await this.deps.writer.commit(row, { vanished_since: now, updated_at: now }, fence)) {
          current = { ...row, vanished_since: now, version: row.version + 1 };
        }
      } else if (now - row.vanished_since >= this.settings.vanishGraceMs) {
        return this.fail(row, owner, 'the upstream no longer knows this task', stats);
      }
    }
    const timeoutMinutes = channel.timeout_minutes || this.settings.taskTimeoutMinutes;
    if (now - current.submit_time >= timeoutMinutes * 60_000) {
      await this.fail(current, owner, `the task did not finish within ${timeoutMinutes} minutes`, stats);
    }
  }

  private async fail(row: TaskRow, owner: string, reason: string, stats: RoundStats): Promise<void> {
    const progress = row.platform === 'midjourney' ? '' : '100%';
    if (
      await this.deps.writer.commit(row, failurePatch(reason, this.deps.clock.now(), progress), {
        version: row.version,
        leaseOwner: owner,
      })
    ) {
      stats.failed++;
    }
  }
}

function withInstance(req: UpstreamRequest, instanceId: string): UpstreamRequest {
  return { ...req, headers: { ...req.headers, 'x-taskgate-instance': instanceId } };
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
