// The task engine of one process: channel choice, the upstream client, the task writer, submit and the poller.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import type { Options } from '../services/options.js';
import type { DbContext } from '../store/db.js';
import { unfinishedTasksOfChannel } from '../store/task-leases.js';
import { ChannelHealth } from './channel-health.js';
import { ChannelDirectory } from './channels.js';
import { ClientNotifier, type NotifySettings } from './client-notify.js';
import { failurePatch } from './observation.js';
import { DEFAULT_POLLER_SETTINGS, Poller, type PollerSettings } from './poller.js';
import { DEFAULT_SUBMIT_TIMEOUT_MS, type SubmitInput, type SubmitResult, submitTask } from './submit.js';
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
}

export class Engine {
  readonly channels: ChannelDirectory;
  readonly health: ChannelHealth;
  readonly upstream: UpstreamClient;
  readonly writer: TaskWriter;
  readonly poller: Poller;
  readonly notifier: ClientNotifier | null;

  constructor(private readonly deps: EngineDeps) {
    this.channels = new ChannelDirectory(deps.store, deps.clock);
    this.health = new ChannelHealth({ ...deps, channels: this.channels });
    this.upstream = new UpstreamClient(deps.metrics);
    this.writer = new TaskWriter(deps.store, deps.clock, deps.metrics, deps.log);
    const { notify } = deps;
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
        wake: () => this.poller.wake(),
      },
      input,
    );
  }

  /** Deleting a channel ends its unfinished tasks at once, each refunded. */
  async failChannelTasks(channelId: number): Promise<number> {
    let failed = 0;
    for (const row of await unfinishedTasksOfChannel(this.deps.store, channelId)) {
      const patch = failurePatch(
        `the channel ${channelId} was deleted`,
        this.deps.clock.now(),
        row.platform === 'midjourney' ? '' : '100%',
      );
      if (await this.writer.commit(row, patch, { version: row.version })) failed++;
    }
    return failed;
  }

  async close(): Promise<void> {
    await this.poller.stop();
    await this.notifier?.close();
    await this.upstream.close();
  }
}
