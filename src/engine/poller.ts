// The poller: claims due tasks with a lease, asks each channel about its tasks in batches, and applies what
// changed. It also ends tasks that ran out of time, vanished upstream, lost their channel, or never finished
// their submit — each failure refunded exactly once through the task writer. One channel's trouble never
// stops the others.
import type { Logger } from 'pino';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { adapterFor } from '../platforms/index.js';
import type { PollReading, PollTarget } from '../platforms/types.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow, TaskRow } from '../store/schema.js';
import { claimDueTasks, DEFAULT_SCHEDULE, oldestDueLagMs, type PollSchedule } from '../store/task-leases.js';
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

export class Poller {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<RoundStats> | null = null;
  private rounds = 0;

  constructor(
    private readonly deps: PollerDeps,
    private readonly settings: PollerSettings = DEFAULT_POLLER_SETTINGS,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops claiming; resolves when the round in hand has finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
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
    const owner = `${this.deps.instanceId}:${++this.rounds}`;
    const now = clock.now();
    metrics.pollLagSeconds.set((await oldestDueLagMs(store, now)) / 1000);
    const tasks = await claimDueTasks(store, owner, now, this.settings.batchLimit, this.settings.schedule);
    const stats: RoundStats = { claimed: tasks.length, calls: 0, changed: 0, failed: 0 };
    if (tasks.length === 0) return stats;
    metrics.leasesHeld.set(tasks.length);
    const byChannel = new Map<number, TaskRow[]>();
    for (const task of tasks)
      byChannel.set(task.channel_id, [...(byChannel.get(task.channel_id) ?? []), task]);
    await inParallel([...byChannel], this.settings.channelConcurrency, async ([channelId, rows]) => {
      try {
        await this.pollChannel(channelId, rows, owner, stats);
      } catch (error) {
        this.deps.log.error({ err: error, channel: channelId }, 'polling a channel failed');
      }
    });
    metrics.leasesHeld.set(0);
    return stats;
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
      for (const row of chunk) await this.apply(row, channel, reading, owner, stats);
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
        adapter.pollRequest(channel.key, targets),
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

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
