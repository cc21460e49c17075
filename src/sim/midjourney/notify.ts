// notifyHook callbacks with J's semantics (reference 4.4): the full Task JSON POSTed on every status or
// progress change from SUBMITTED on, never at NOT_START, no retries, errors only recorded. A ticker finds
// the changes that became due; since a task's life is a function of time, every intermediate state is
// sent even when the clock jumped over it.
import { Agent, request } from 'undici';
import type { MidjourneySimState } from './state.js';
import type { MjTaskJson, SimTask } from './types.js';
import { viewAt } from './view.js';

const TICK_MS = 25;

/** Simulated times in (task.notifiedUpTo, now] at which the task's visible state changed. */
function dueTimes(task: SimTask, now: number): number[] {
  const times: number[] = [];
  const from = task.notifiedUpTo;
  const frozenAt = task.forced?.at ?? Number.POSITIVE_INFINITY;
  if (task.dispatchedAt !== null) {
    for (const event of task.events) {
      const at = task.dispatchedAt + event.offset;
      if (at >= frozenAt || at > now) break;
      if (at > from) times.push(at);
    }
  }
  if (frozenAt > from && frozenAt <= now) times.push(frozenAt);
  return times;
}

function finished(task: SimTask, now: number): boolean {
  if (task.forced) return task.forced.at <= now && ['SUCCESS', 'FAILURE'].includes(task.forced.view.status);
  return task.dispatchedAt !== null && task.endsAt <= now;
}

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private agent: Agent | null = null;
  /** Per task, the delivery chain, so one task's callbacks leave in order unless reordering is asked for. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly state: MidjourneySimState) {}

  start(): void {
    if (this.timer) return;
    this.agent = new Agent({ keepAliveTimeout: 1000 });
    // A failing tick must not take the process down; the next tick picks the work up again.
    this.timer = setInterval(
      () => this.flush().catch((error) => console.error('mj sim notify tick failed', error)),
      TICK_MS,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.chains.values());
    await this.agent?.close();
    this.agent = null;
  }

  /** Sends every callback due by now and resolves when they have been delivered (or failed). */
  async flush(): Promise<void> {
    const state = this.state;
    const now = state.settle();
    const ctx = state.viewContext();
    for (const id of state.notifyPending) {
      const task = state.tasks.get(id);
      if (!task?.notifyHook) {
        state.notifyPending.delete(id);
        continue;
      }
      const times = dueTimes(task, now);
      task.notifiedUpTo = now;
      if (finished(task, now)) state.notifyPending.delete(id);
      if (times.length === 0) continue;
      let payloads = times.map((at) => viewAt(task, at, ctx));
      if (state.knobs.notifyReorder) payloads.reverse();
      if (state.knobs.notifyDuplicate) payloads = payloads.flatMap((p) => [p, p]);
      this.deliver(task.id, task.notifyHook, payloads);
    }
    // Also waits for deliveries an earlier tick started, so a caller sees everything due so far delivered.
    await Promise.all(this.chains.values());
  }

  private deliver(taskId: string, url: string, payloads: MjTaskJson[]): void {
    const previous = this.chains.get(taskId) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (const payload of payloads) await this.post(url, payload);
    });
    this.chains.set(taskId, next);
    void next.then(() => {
      if (this.chains.get(taskId) === next) this.chains.delete(taskId);
    });
  }

  private async post(url: string, payload: MjTaskJson): Promise<void> {
    const state = this.state;
    const timeout = state.knobs.notifyTimeoutMs;
    const record = {
      at: state.now(),
      taskId: payload.id,
      url,
      status: payload.status,
      progress: payload.progress,
    };
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        // One deadline for the whole exchange; closing the simulator cuts it short too.
        signal: AbortSignal.any([state.faults.signal, AbortSignal.timeout(timeout)]),
        dispatcher: this.agent ?? undefined,
      });
      await response.body.dump();
      state.counters.recordNotification(
        { ...record, httpStatus: response.statusCode, error: null },
        state.knobs.requestLogLimit,
      );
    } catch (error) {
      state.counters.recordNotification(
        { ...record, httpStatus: null, error: (error as Error).message },
        state.knobs.requestLogLimit,
      );
    }
  }
}
