// The poller: claims due tasks with a lease, asks each channel about its tasks in batches, and applies what
// changed. It also ends tasks that ran out of time, vanished upstream, lost their channel, or never finished
// their submit — each failure refunded exactly once through the task writer. One channel's trouble never
// stops the others.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import { chunks, inParallel, Slots } from '../core/concurrency.js';
import { isTerminal } from '../core/task-status.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { adapterFor } from '../platforms/index.js';
import type { PollReading, PollTarget, UpstreamRequest } from '../platforms/types.js';
import type { Options } from '../services/options.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow, TaskRow } from '../store/schema.js';
import {
  type ClaimedTask,
  claimDueTasks,
  oldestDueLagMs,
  releaseLeases,
  renewLeases,
  tasksByIds,
} from '../store/task-leases.js';
import type { ChannelDirectory } from './channels.js';
import { ownFailurePatch } from './observation.js';
import { observationHashes, planPollWrites, splitSettled } from './poll-plan.js';
import { DEFAULT_POLLER_SETTINGS, type PollerSettings } from './poller-settings.js';
import { SUBMIT_GRACE_MS } from './submit.js';
import type { TaskWriter } from './task-writer.js';
import type { UpstreamClient } from './upstream-client.js';

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
  /** The global task timeout (TaskTimeoutMinutes) is read from here each round, so an admin's change governs. */
  options: Pick<Options, 'get'>;
}

/** Rows gathered for a channel whose kind is unknown (deleted meanwhile): they are failed, many at a time. */
const FALLBACK_BATCH = 500;

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
  /** A wake arrived while a round ran: the next round starts as soon as this one ends. */
  private wokenMidRound = false;

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
    // Given back: no longer held, nor renewed by a round still hanging on its calls.
    hand.ids.clear();
    this.deps.metrics.leasesHeld.set(0);
    this.deps.log.info({ released }, 'released the leases of the unfinished round');
    return released;
  }

  /** A new task was submitted: look sooner than the idle delay. */
  wake(): void {
    if (!this.running) return;
    if (this.round) this.wokenMidRound = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runOnce()
        .then((stats) => this.scheduleAfterRound(stats.claimed >= this.settings.batchLimit))
        .catch((error) => {
          this.deps.log.error({ err: error }, 'poll round failed');
          this.scheduleAfterRound(false);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** The next round: at once when the last one was full or a wake came while it ran, else after the idle delay. */
  private scheduleAfterRound(full: boolean): void {
    const woken = this.wokenMidRound;
    this.wokenMidRound = false;
    if (this.running) this.schedule(full || woken ? 0 : this.settings.idleDelayMs);
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
    const stats: RoundStats = { claimed: 0, calls: 0, changed: 0, failed: 0 };
    const { batchLimit, claimSlice, schedule, channelConcurrency } = this.settings;
    const hand = { owner, ids: new Set<number>() };
    let renewal: NodeJS.Timeout | null = null;
    // Claimed tasks wait per channel until they fill a status call, across slices: slices never split batches.
    const buffers = new Map<number, ClaimedTask[]>();
    const inFlight = new Set<Promise<void>>();
    // One channel's calls stay within callConcurrency however many of its batches are in flight.
    const slots = new Map<number, Slots>();
    const send = (channelId: number, rows: ClaimedTask[]) => {
      const channelSlots = slots.get(channelId) ?? new Slots(this.settings.callConcurrency);
      slots.set(channelId, channelSlots);
      const work: Promise<void> = this.pollChannel(channelId, rows, owner, stats, channelSlots)
        .catch((error) => this.deps.log.error({ err: error, channel: channelId }, 'polling a channel failed'))
        .finally(() => {
          inFlight.delete(work);
          this.letGo(hand, rows);
        });
      inFlight.add(work);
    };
    // Once a round, not once a slice: the channels' kinds do not change within it.
    const batchOf = await this.batchSizes();
    try {
      for (;;) {
        // Stopped meanwhile: claim nothing more.
        if (this.stopRequested) break;
        const limit = Math.min(claimSlice, batchLimit - stats.claimed);
        // Read just before each claim: the lease runs from as close to it as possible.
        const tasks = await claimDueTasks(store, owner, clock.now(), limit, schedule);
        if (tasks.length === 0) break;
        stats.claimed += tasks.length;
        for (const task of tasks) hand.ids.add(task.id);
        this.inHand = hand;
        renewal ??= this.renewWhileInHand(hand);
        metrics.leasesHeld.set(hand.ids.size);
        for (const task of tasks) {
          const rows = buffers.get(task.channel_id) ?? [];
          if (rows.length === 0) buffers.set(task.channel_id, rows);
          rows.push(task);
          if (rows.length >= (batchOf.get(task.channel_id) ?? FALLBACK_BATCH)) {
            buffers.delete(task.channel_id);
            send(task.channel_id, rows);
          }
        }
        // The next slice is claimed only once few calls are left in flight: memory holds about a slice.
        while (inFlight.size >= channelConcurrency) await Promise.race(inFlight);
        if (tasks.length < limit || stats.claimed >= batchLimit) break;
      }
    } finally {
      // Even when a claim failed, what was claimed is polled before the leases stop being renewed.
      for (const [channelId, rows] of buffers) send(channelId, rows);
      while (inFlight.size > 0) await Promise.race(inFlight);
      if (renewal) clearInterval(renewal);
      if (this.inHand === hand) this.inHand = null;
      metrics.leasesHeld.set(0);
    }
    return stats;
  }

  /** Rows per channel that fill its calls: a batch upstream's batch, or enough single calls to run side by side. */
  private async batchSizes(): Promise<Map<number, number>> {
    const sizes = new Map<number, number>();
    for (const channel of await this.deps.channels.all()) {
      const adapter = adapterFor(platformOfChannelType(channel.type) ?? '');
      if (adapter) sizes.set(channel.id, Math.max(adapter.pollBatchSize, this.settings.callConcurrency));
    }
    return sizes;
  }

  /** These rows are written (or given up): their leases no longer count as held by the round. */
  private letGo(hand: { ids: Set<number> }, rows: readonly ClaimedTask[]): void {
    for (const row of rows) hand.ids.delete(row.id);
    if (this.inHand === hand) this.deps.metrics.leasesHeld.set(hand.ids.size);
  }

  /**
   * Renews the round's leases every third of the lease, so slow calls never let them lapse mid-round. A tick
   * while the last renewal still runs is skipped: renewals piling up on the same rows only wait on each other.
   */
  private renewWhileInHand(hand: { owner: string; ids: Set<number> }): NodeJS.Timeout {
    const { leaseMs } = this.settings.schedule;
    let renewing = false;
    const timer = setInterval(
      () => {
        if (hand.ids.size === 0 || renewing) return;
        renewing = true;
        renewLeases(this.deps.store, hand.owner, [...hand.ids], this.deps.clock.now(), leaseMs)
          .catch((err) => this.deps.log.warn({ err }, 'renewing leases failed'))
          .finally(() => {
            renewing = false;
          });
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return timer;
  }

  private async pollChannel(
    channelId: number,
    claimed: ClaimedTask[],
    owner: string,
    stats: RoundStats,
    slots: Slots,
  ): Promise<void> {
    const channel = await this.deps.channels.get(channelId);
    if (!channel) {
      await this.failAll(await this.rowsOf(claimed), `the channel ${channelId} was deleted`, owner, stats);
      return;
    }
    const now = this.deps.clock.now();
    const pollable: ClaimedTask[] = [];
    const unsubmitted: ClaimedTask[] = [];
    for (const task of claimed) {
      if (task.upstream_id) pollable.push(task);
      // A submit still trying channels touches its task before every try (`engine/submit.ts`).
      else if (now - task.updated_at >= SUBMIT_GRACE_MS) unsubmitted.push(task);
    }
    await this.failAll(
      await this.rowsOf(unsubmitted),
      'the submission never completed (the gateway stopped during the upstream call)',
      owner,
      stats,
    );
    const adapter = adapterFor(platformOfChannelType(channel.type) ?? '');
    if (!adapter || pollable.length === 0) return;
    await inParallel(
      chunks(pollable, adapter.pollBatchSize),
      this.settings.callConcurrency,
      async (chunk) => {
        const targets: PollTarget[] = chunk.map((t) => ({ upstreamId: t.upstream_id, action: t.action }));
        await slots.take();
        try {
          const reading = await this.ask(channel, targets, adapter);
          stats.calls++;
          const hashes = observationHashes(reading);
          // Tasks whose answer is the one their row was written from are left as they are, unread.
          const { settled, rest } = splitSettled(chunk, hashes);
          const expired = this.expired(settled, channel);
          await this.failAll(await this.rowsOf(expired.tasks), expired.reason, owner, stats);
          // Read now, not at the claim: the rows live only while they are applied (see ClaimedTask).
          await this.applyAll(await this.rowsOf(rest), channel, reading, hashes, owner, stats);
        } finally {
          slots.give();
        }
        if (this.inHand) this.letGo(this.inHand, chunk);
      },
    );
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

  /**
   * Applies one status answer to its batch of tasks: every change it calls for in one transaction (each row still
   * fenced by its version and this round's lease), then, in a second, the tasks that ran out of time.
   */
  private async applyAll(
    rows: TaskRow[],
    channel: ChannelRow,
    reading: PollReading,
    hashes: ReadonlyMap<string, string>,
    owner: string,
    stats: RoundStats,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const { writes, kinds, untouched } = planPollWrites(
      rows,
      reading,
      hashes,
      owner,
      now,
      this.settings.vanishGraceMs,
    );
    const written = await this.deps.writer.commitManyOrEach(writes);
    // Only rows still open after their write (or with none) can time out; a lost fence leaves the row alone, a
    // row the database refused stays as it was read.
    const open = [...untouched];
    for (const [i, after] of written.entries()) {
      if (after === undefined) open.push(writes[i].row);
      if (!after) continue;
      if (kinds[i] === 'changed') stats.changed++;
      if (kinds[i] === 'failed') stats.failed++;
      else if (!isTerminal(after.status)) open.push(after);
    }
    const expired = this.expired(open, channel);
    await this.failAll(expired.tasks, expired.reason, owner, stats);
  }

  /** Those of these open tasks that ran out of time, and the reason they fail for. */
  private expired<T extends Pick<TaskRow, 'submit_time'>>(
    open: readonly T[],
    channel: ChannelRow,
  ): { tasks: T[]; reason: string } {
    const now = this.deps.clock.now();
    const timeoutMinutes = channel.timeout_minutes || this.deps.options.get('TaskTimeoutMinutes');
    return {
      tasks: open.filter((task) => now - task.submit_time >= timeoutMinutes * 60_000),
      reason: `the task did not finish within ${timeoutMinutes} minutes`,
    };
  }

  /** The task rows of claimed tasks, read when they are about to be applied (see ClaimedTask). */
  private rowsOf(claimed: readonly ClaimedTask[]): Promise<TaskRow[]> {
    return tasksByIds(
      this.deps.store,
      claimed.map((task) => task.id),
    );
  }

  /** Fails these tasks for `reason`, each refunded, in one transaction fenced by version and this round's lease. */
  private async failAll(rows: TaskRow[], reason: string, owner: string, stats: RoundStats): Promise<void> {
    const now = this.deps.clock.now();
    const written = await this.deps.writer.commitMany(
      rows.map((row) => ({
        row,
        patch: ownFailurePatch(row, reason, now),
        fence: { version: row.version, leaseOwner: owner },
      })),
    );
    stats.failed += written.filter(Boolean).length;
  }
}

function withInstance(req: UpstreamRequest, instanceId: string): UpstreamRequest {
  return { ...req, headers: { ...req.headers, 'x-taskgate-instance': instanceId } };
}
