// Calls a client's own notifyHook when its task's status or progress changes (Taskgate calls it itself instead of
// leaking it upstream). Deliveries of one task go out one at a time, oldest first, so a client never sees an older
// state after a newer one; failures are retried with back-off; the queue is bounded in memory; every target goes
// through the SSRF guard. Nothing here throws into the task writer.
// What a restart or a full queue would lose is kept in the database: the write that owes a callback marks the task
// (`notify_pending`), a settled callback clears the mark, and `resendOwed` (a singleton job) sends the task's
// current state for marks older than any delivery still being tried.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { type Clock, toSeconds } from '../core/clock.js';
import { signedMediaUrl } from '../core/media-signing.js';
import { mjTaskObject } from '../platforms/midjourney/view.js';
import type { Options } from '../services/options.js';
import type { DbContext } from '../store/db.js';
import type { TaskPatch, TaskRow } from '../store/schema.js';
import { clearNotifyPending, owedCallbacks } from '../store/task-callbacks.js';
import { findUserToken } from '../store/tokens.js';
import { GuardedFetcher, RefusedTargetError } from './guarded-fetch.js';

export interface NotifySettings {
  /** The waits before each retry; the first attempt goes at once, so there are `length + 1` attempts. */
  retryDelaysMs: readonly number[];
  /** Per attempt, until the receiver's answer headers. */
  timeoutMs: number;
  /** Deliveries in flight at once (each to a different task). */
  concurrency: number;
  /** Undelivered callbacks kept in memory; past it the oldest is dropped. */
  queueLimit: number;
}

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = {
  retryDelaysMs: [1_000, 5_000, 25_000],
  timeoutMs: 5_000,
  concurrency: 8,
  queueLimit: 1_000,
};

/**
 * How long after its change a marked task counts as left behind: past every retry and timeout of a delivery
 * (about 50 s with the defaults), so the sweep does not send what an instance is still trying to.
 */
export const OWED_CALLBACK_AGE_MS = 5 * 60_000;
/** Left-behind callbacks one sweep sends (the next sweep takes the rest). */
const OWED_PER_SWEEP = 200;

/** Whether a change owes the task's notifyHook a callback: its status or its progress moved. */
export function owesCallback(row: TaskRow, patch: TaskPatch): boolean {
  if (!row.notify_hook) return false;
  return (
    (patch.status !== undefined && patch.status !== row.status) ||
    (patch.progress !== undefined && patch.progress !== row.progress)
  );
}

export interface ClientNotifierDeps {
  store: DbContext;
  clock: Clock;
  /** `NotifyPrivateTargetsAllowed`, and `MjForwardUrlEnabled` for the media URLs in MJ bodies. */
  options: Options;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Signs media URLs in the bodies: the secret the media routes verify with. */
  secret: string;
  /** Read at each change, since a server knows its address only once it listens. */
  serverAddress: () => string;
}

interface Delivery {
  /** Enqueue order; the pending map iterates by it, so it is also the age. */
  seq: number;
  /** The task's row id, for its `notify_pending` mark. */
  rowId: number;
  taskId: string;
  userId: number;
  tokenId: number;
  version: number;
  /** What the client is told; the task's mark stays while the row says something else (owesCallback). */
  status: string;
  progress: string;
  url: string;
  body: string;
  attempts: number;
  /** A retry timer runs for it. */
  waiting: boolean;
}

type Outcome = 'delivered' | 'refused' | 'failed';

const MAX_ANSWER_BYTES = 64 * 1024;

/** The receiver's origin, for logs: a hook's path or query may carry the client's own secret. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}

/** The callback body: midjourney-proxy's Task object for MJ tasks, a task-center view for the rest. */
export function callbackBody(
  row: TaskRow,
  sign: ((path: string, source?: string) => string) | null,
): unknown {
  if (row.platform === 'midjourney') return mjTaskObject(row, sign);
  let data: unknown = {};
  try {
    data = row.data ? JSON.parse(row.data) : {};
  } catch {}
  return {
    task_id: row.task_id,
    platform: row.platform,
    action: row.action,
    status: row.status,
    progress: row.progress,
    fail_reason: row.fail_reason,
    submit_time: toSeconds(row.submit_time),
    start_time: toSeconds(row.start_time),
    finish_time: toSeconds(row.finish_time),
    data,
  };
}

/** `v1=` + hex HMAC-SHA256 over `<timestamp>.<body>`, keyed by the hex SHA-256 of the client's API key. */
export function callbackSignature(keyHash: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', keyHash).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class ClientNotifier {
  private readonly settings: NotifySettings;
  private readonly fetcher = new GuardedFetcher({ maxRedirects: 0, maxBytes: MAX_ANSWER_BYTES });
  /** Undelivered callbacks of each task, oldest first; only the head is ever in flight. */
  private readonly queues = new Map<string, Delivery[]>();
  private readonly pending = new Map<number, Delivery>();
  private readonly inFlight = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly stop = new AbortController();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly deps: ClientNotifierDeps,
    settings: Partial<NotifySettings> = {},
  ) {
    this.settings = { ...DEFAULT_NOTIFY_SETTINGS, ...settings };
  }

  /** Called by the task writer after every committed change; returns at once. */
  taskChanged(before: TaskRow, after: TaskRow): void {
    try {
      if (this.closed || !owesCallback(before, after)) return;
      this.enqueue(this.deliveryOf(after));
      this.pump();
    } catch (error) {
      this.deps.log.error({ err: error, task: after.task_id }, 'client callback not queued');
    }
  }

  /**
   * Sends the current state of marked tasks no instance is still trying to notify (it died, or dropped them from a
   * full queue); answers how many were queued. Run by one instance at a time (a singleton job).
   */
  async resendOwed(): Promise<number> {
    if (this.closed) return 0;
    const owed = await owedCallbacks(
      this.deps.store,
      this.deps.clock.now() - OWED_CALLBACK_AGE_MS,
      OWED_PER_SWEEP,
    );
    let queued = 0;
    for (const row of owed) {
      // Still in this instance's queue: it is being tried, and settles the mark itself.
      if (this.queues.has(row.task_id)) continue;
      this.enqueue(this.deliveryOf(row));
      queued++;
    }
    if (queued) this.deps.log.info({ queued }, 'resending client callbacks left undelivered');
    this.pump();
    return queued;
  }

  private deliveryOf(row: TaskRow): Delivery {
    const now = this.deps.clock.now();
    const sign = this.deps.options.get('MjForwardUrlEnabled')
      ? (path: string, source?: string) =>
          signedMediaUrl(this.deps.serverAddress(), this.deps.secret, path, now, source)
      : null;
    return {
      seq: ++this.seq,
      rowId: row.id,
      taskId: row.task_id,
      userId: row.user_id,
      tokenId: row.token_id,
      version: row.version,
      status: row.status,
      progress: row.progress,
      url: row.notify_hook,
      body: JSON.stringify(callbackBody(row, sign)),
      attempts: 0,
      waiting: false,
    };
  }

  /** Undelivered callbacks (queued, waiting for a retry or in flight). */
  get backlog(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.stop.abort();
    await Promise.allSettled([...this.running]);
    this.queues.clear();
    this.pending.clear();
    await this.fetcher.close();
  }

  private enqueue(delivery: Delivery): void {
    const queue = this.queues.get(delivery.taskId) ?? [];
    queue.push(delivery);
    this.queues.set(delivery.taskId, queue);
    this.pending.set(delivery.seq, delivery);
    if (this.pending.size <= this.settings.queueLimit) return;
    for (const oldest of this.pending.values()) {
      if (this.inFlight.has(oldest.taskId) && this.queues.get(oldest.taskId)?.[0] === oldest) continue;
      this.remove(oldest);
      this.deps.log.warn(
        { task: oldest.taskId, limit: this.settings.queueLimit },
        'client callback queue full: the oldest callback was dropped',
      );
      return;
    }
  }

  private remove(delivery: Delivery): void {
    this.pending.delete(delivery.seq);
    const queue = this.queues.get(delivery.taskId);
    if (!queue) return;
    const at = queue.indexOf(delivery);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(delivery.taskId);
  }

  /** Starts the oldest deliveries that may go now: heads of their task's queue, not waiting, within the bound. */
  private pump(): void {
    if (this.closed) return;
    for (const delivery of this.pending.values()) {
      if (this.inFlight.size >= this.settings.concurrency) return;
      if (delivery.waiting || this.inFlight.has(delivery.taskId)) continue;
      if (this.queues.get(delivery.taskId)?.[0] !== delivery) continue;
      this.start(delivery);
    }
  }

  private start(delivery: Delivery): void {
    this.inFlight.add(delivery.taskId);
    const run: Promise<void> = this.attempt(delivery)
      .then((outcome) => this.settle(delivery, outcome))
      .catch((error) => this.deps.log.error({ err: error, task: delivery.taskId }, 'client callback crashed'))
      .finally(() => {
        this.inFlight.delete(delivery.taskId);
        this.running.delete(run);
        this.pump();
      });
    this.running.add(run);
  }

  private async attempt(delivery: Delivery): Promise<Outcome> {
    delivery.attempts++;
    const where = { task: delivery.taskId, attempt: delivery.attempts, target: origin(delivery.url) };
    try {
      const token = delivery.tokenId
        ? await findUserToken(this.deps.store, delivery.userId, delivery.tokenId)
        : undefined;
      const timestamp = String(Math.floor(this.deps.clock.now() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-taskgate-event': 'task.updated',
        'x-taskgate-timestamp': timestamp,
        // Lets a receiver fed by several instances drop a state older than one it has.
        'x-taskgate-task-version': String(delivery.version),
      };
      // A task submitted without an API key (none today) has nothing the client could verify: unsigned.
      if (token)
        headers['x-taskgate-signature'] = callbackSignature(token.key_hash, timestamp, delivery.body);
      const response = await this.fetcher.fetch(delivery.url, {
        method: 'POST',
        headers,
        body: delivery.body,
        allowPrivate: this.deps.options.get('NotifyPrivateTargetsAllowed'),
        timeoutMs: this.settings.timeoutMs,
        bodyIdleTimeoutMs: this.settings.timeoutMs,
        signal: this.stop.signal,
      });
      // The answer's body means nothing to us; dropping it frees the connection.
      response.discard();
      if (response.status >= 200 && response.status < 300) return 'delivered';
      this.deps.log.warn({ ...where, status: response.status }, 'client callback failed');
      return 'failed';
    } catch (error) {
      if (this.closed) return 'failed';
      if (error instanceof RefusedTargetError) {
        this.deps.log.warn(
          { ...where, reason: error.message },
          'client callback refused: the target is not allowed',
        );
        return 'refused';
      }
      this.deps.log.warn({ ...where, reason: (error as Error).message }, 'client callback failed');
      return 'failed';
    }
  }

  private settle(delivery: Delivery, outcome: Outcome): void {
    if (this.closed) return;
    if (outcome !== 'failed') {
      this.remove(delivery);
      this.settled(delivery);
      return;
    }
    const delay = this.settings.retryDelaysMs[delivery.attempts - 1];
    if (delay === undefined) {
      this.remove(delivery);
      this.deps.log.warn(
        { task: delivery.taskId, attempts: delivery.attempts, target: origin(delivery.url) },
        'client callback given up',
      );
      this.settled(delivery);
      return;
    }
    // A newer state already waits behind this one: it carries the news, so the stale one is not retried.
    if ((this.queues.get(delivery.taskId)?.length ?? 0) > 1) {
      this.remove(delivery);
      return;
    }
    delivery.waiting = true;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      delivery.waiting = false;
      this.pump();
    }, delay);
    // Pending retries never keep a process alive that is otherwise done.
    timer.unref();
    this.timers.add(timer);
  }

  /** Delivered, refused or given up: the task's mark goes (a newer change keeps it for its own callback). */
  private settled(delivery: Delivery): void {
    const clear = clearNotifyPending(this.deps.store, delivery.rowId, delivery).catch((error) =>
      this.deps.log.error({ err: error, task: delivery.taskId }, 'clearing a settled callback failed'),
    );
    // close() waits for it, so no statement runs on a closed database.
    this.running.add(clear);
    void clear.finally(() => this.running.delete(clear));
  }
}
