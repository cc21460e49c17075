// The task engine of one process: channel choice, the upstream client, the task writer, submit and the poller.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { DelayedWake } from '../services/coordination/delayed-wake.js';
import type { Coordination } from '../services/coordination/index.js';
import { localCoordination } from '../services/coordination/local.js';
import type { Options } from '../services/options.js';
import type { DbContext } from '../store/db.js';
import type { TaskRow } from '../store/schema.js';
import { deleteExpiredSessions } from '../store/sessions.js';
import { orphanedTasks, unfinishedTasksOfChannel } from '../store/task-leases.js';
import { ChannelHealth } from './channel-health.js';
import { ChannelDirectory } from './channels.js';
import { ClientNotifier, type NotifySettings, owesCallback } from './client-notify.js';
import { ownFailurePatch } from './observation.js';
import { Poller } from './poller.js';
import { DEFAULT_POLLER_SETTINGS, type PollerSettings } from './poller-settings.js';
import { SingletonJobs } from './singleton.js';
import {
  DEFAULT_SUBMIT_TIMEOUT_MS,
  FIRST_POLL_MS,
  type SubmitInput,
  type SubmitResult,
  submitTask,
} from './submit.js';
import { TaskWriter } from './task-writer.js';
import { UpstreamClient } from './upstream-client.js';

export interface EngineDeps {
  store: DbContext;
  clock: Clock;
  options: Options;
  metrics: Metrics;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  instanceId: string;
  poller?: Partial<PollerSettings>;
  /** How long a submit waits for the upstream's answer (tests shorten it). */
  submitTimeoutMs?: number;
  /** Client callbacks (notifyHook): the secret and address sign their media URLs. Absent: no callbacks. */
  notify?: { secret: string; serverAddress: () => string; settings?: Partial<NotifySettings> };
  /** How often singleton jobs are tried (default 60 s). */
  jobIntervalMs?: number;
  /** Wake-ups and channel changes shared with the other instances (default: none, this instance alone). */
  coordination?: Coordination;
}

/** Most orphaned tasks one sweep fails (the next sweep takes the rest). */
const ORPHAN_SWEEP_LIMIT = 1_000;
/** How long closing waits for upstream connections still busy (a hung call must not hold the exit). */
const UPSTREAM_CLOSE_MS = 1_000;

export class Engine {
  readonly channels: ChannelDirectory;
  readonly health: ChannelHealth;
  readonly upstream: UpstreamClient;
  readonly writer: TaskWriter;
  readonly poller: Poller;
  readonly notifier: ClientNotifier | null;
  /** Background jobs that one instance at a time runs (see singleton.ts). */
  readonly jobs: SingletonJobs;
  private readonly coordination: Coordination;
  /** Wakes this instance's poller when a new task (here or on another instance) becomes due. */
  private readonly wakes = new DelayedWake(() => this.poller.wake());

  constructor(private readonly deps: EngineDeps) {
    const coordination = deps.coordination ?? localCoordination;
    this.coordination = coordination;
    this.channels = new ChannelDirectory(deps.store, deps.clock, undefined, () =>
      coordination.publish({ type: 'channels' }),
    );
    coordination.subscribe((event) => {
      if (event.type === 'channels') this.channels.dropCache();
      else if (event.type === 'wake') this.wakes.in(event.inMs);
    });
    this.health = new ChannelHealth({ ...deps, channels: this.channels });
    this.upstream = new UpstreamClient(deps.metrics);
    const { notify } = deps;
    this.writer = new TaskWriter(
      deps.store,
      deps.clock,
      deps.metrics,
      deps.log,
      notify ? owesCallback : null,
    );
    this.notifier = notify
      ? new ClientNotifier(
          { ...deps, secret: notify.secret, serverAddress: notify.serverAddress },
          notify.settings,
        )
      : null;
    this.writer.onChange((before, after) => this.notifier?.taskChanged(before, after));
    this.poller = new Poller(
      { ...deps, channels: this.channels, upstream: this.upstream, writer: this.writer },
      { ...DEFAULT_POLLER_SETTINGS, ...deps.poller },
    );
    this.jobs = new SingletonJobs(
      deps,
      [
        { name: 'orphan-sweep', run: () => this.sweepOrphans().then(() => undefined) },
        { name: 'session-cleanup', run: () => deleteExpiredSessions(deps.store, deps.clock.now()) },
        {
          name: 'callback-resend',
          run: async () => {
            await this.notifier?.resendOwed();
          },
        },
      ],
      deps.jobIntervalMs ?? 60_000,
    );
  }

  /** The background work of a master instance: the poller and the singleton jobs. */
  startBackground(): void {
    this.poller.start();
    this.jobs.start();
  }

  /** Fails, with refund, unfinished tasks whose channel is gone (a delete interrupted before it failed them). */
  async sweepOrphans(): Promise<number> {
    const failed = await this.failDeletedChannelTasks(
      await orphanedTasks(this.deps.store, ORPHAN_SWEEP_LIMIT),
    );
    if (failed) this.deps.log.info({ failed }, 'failed the tasks of deleted channels');
    return failed;
  }

  submit(input: SubmitInput): Promise<SubmitResult> {
    return submitTask(
      {
        ...this.deps,
        channels: this.channels,
        upstream: this.upstream,
        writer: this.writer,
        health: this.health,
        submitTimeoutMs: this.deps.submitTimeoutMs ?? DEFAULT_SUBMIT_TIMEOUT_MS,
        wake: () => this.wakeWhenDue(),
      },
      input,
    );
  }

  /**
   * A task was accepted: it is first due FIRST_POLL_MS from now, so every master instance's poller is woken
   * then (each instance's own timer; the message only says when), not at its next idle round.
   */
  private wakeWhenDue(): void {
    if (this.wakes.in(FIRST_POLL_MS)) this.coordination.publish({ type: 'wake', inMs: FIRST_POLL_MS });
  }

  /** Deleting a channel ends its unfinished tasks at once, each refunded. */
  async failChannelTasks(channelId: number): Promise<number> {
    return this.failDeletedChannelTasks(await unfinishedTasksOfChannel(this.deps.store, channelId));
  }

  /** Fails each of these tasks, refunded, for its channel's deletion; how many this call failed. */
  private async failDeletedChannelTasks(rows: TaskRow[]): Promise<number> {
    let failed = 0;
    for (const row of rows) {
      const patch = ownFailurePatch(row, `the channel ${row.channel_id} was deleted`, this.deps.clock.now());
      if (await this.writer.commit(row, patch, { version: row.version })) failed++;
    }
    return failed;
  }

  /** Stops claiming (waiting up to `waitMs` for the round in hand, then releasing its leases) and the jobs. */
  async stopBackground(waitMs?: number): Promise<void> {
    this.wakes.clear();
    await this.poller.stop(waitMs);
    await this.jobs.stop();
  }

  async close(waitMs?: number): Promise<void> {
    await this.stopBackground(waitMs);
    await this.notifier?.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.upstream.close(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, UPSTREAM_CLOSE_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
