// Per-account capacity as J has it (reference 4.1): `coreSize` workers and a bounded FIFO of `queueSize`
// waiting tasks. Worker hand-overs are replayed from each task's known end time, so no timers are needed.
import { KnobError } from './knobs.js';
import type { SimTask } from './types.js';

export interface AccountOption {
  id: string;
  coreSize?: number;
  queueSize?: number;
  timeoutMinutes?: number;
  /** A disabled account takes no new tasks (code 3); its follow-ups answer "账号不可用: <id>". */
  enabled?: boolean;
}

export interface AccountConfig {
  id: string;
  coreSize: number;
  queueSize: number;
  timeoutMinutes: number;
  enabled: boolean;
}

/** The default account's id, which is its Discord channel id. */
export const DEFAULT_ACCOUNT_ID = '1118138338562560102';

export function accountConfig(option: AccountOption): AccountConfig {
  const config = {
    id: option.id,
    coreSize: option.coreSize ?? 3,
    queueSize: option.queueSize ?? 10,
    timeoutMinutes: option.timeoutMinutes ?? 5,
    enabled: option.enabled ?? true,
  };
  if (typeof config.id !== 'string' || config.id === '') throw new RangeError('an account needs a string id');
  if (!Number.isInteger(config.coreSize) || config.coreSize < 1)
    throw new RangeError('coreSize must be an integer >= 1');
  if (!Number.isInteger(config.queueSize) || config.queueSize < 0)
    throw new RangeError('queueSize must be an integer >= 0');
  if (!(config.timeoutMinutes > 0)) throw new RangeError('timeoutMinutes must be > 0');
  if (typeof config.enabled !== 'boolean') throw new RangeError('enabled must be a boolean');
  return config;
}

/** Account options from the control API, each checked; throws KnobError. */
export function parseAccountOptions(value: unknown): AccountOption[] {
  if (!Array.isArray(value))
    throw new KnobError('accounts must be an array of {id, coreSize?, queueSize?, ...}');
  return value.map((option) => {
    try {
      accountConfig(option);
    } catch (error) {
      throw new KnobError(`accounts: ${(error as Error).message}`);
    }
    return option as AccountOption;
  });
}

/**
 * The running tasks' end times, earliest first (a binary heap). An entry goes stale when its task leaves the
 * workers or its end moves (a forced state); stale entries are dropped when they reach the top.
 */
class EndHeap {
  private entries: Array<{ at: number; task: SimTask }> = [];

  get size(): number {
    return this.entries.length;
  }

  push(task: SimTask): void {
    const { entries } = this;
    entries.push({ at: task.endsAt, task });
    let i = entries.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (entries[up].at <= entries[i].at) break;
      [entries[up], entries[i]] = [entries[i], entries[up]];
      i = up;
    }
  }

  peek(): { at: number; task: SimTask } | undefined {
    return this.entries[0];
  }

  pop(): void {
    const { entries } = this;
    const last = entries.pop()!;
    if (entries.length === 0) return;
    entries[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < entries.length && entries[l].at < entries[min].at) min = l;
      if (r < entries.length && entries[r].at < entries[min].at) min = r;
      if (min === i) return;
      [entries[min], entries[i]] = [entries[i], entries[min]];
      i = min;
    }
  }

  /** Starts afresh from the tasks still running (when stale entries pile up). */
  rebuild(tasks: Iterable<SimTask>): void {
    this.entries = [];
    for (const task of tasks) this.push(task);
  }
}

export class AccountQueue {
  /** Insertion-ordered, so listing it gives the order workers took the tasks. */
  readonly running = new Set<SimTask>();
  readonly waiting: SimTask[] = [];
  /** Replaying hand-overs takes the earliest end first: a heap keeps that O(log n) instead of a scan. */
  private readonly ends = new EndHeap();

  constructor(
    public config: AccountConfig,
    /** Starts a task's timeline at `at`, setting its dispatchedAt and endsAt. */
    private readonly dispatch: (task: SimTask, at: number) => void,
  ) {}

  /** J's BestWaitIdleRule measure: (queued + running) - coreSize, any negative value counting as -1. */
  get wait(): number {
    return Math.max(-1, this.running.size + this.waiting.length - this.config.coreSize);
  }

  /** Replays every worker hand-over that has happened by `now`, earliest end first. */
  settle(now: number): void {
    for (;;) {
      const top = this.ends.peek();
      if (!top || top.at > now) return;
      this.ends.pop();
      // Stale: the task left the workers, or its end moved (a forced state holds the worker for good).
      if (!this.running.has(top.task) || top.task.endsAt !== top.at) continue;
      this.running.delete(top.task);
      this.fill(top.at);
    }
  }

  /**
   * Takes a task (call settle(now) first). Returns how many tasks were waiting ahead of it, or null when
   * the queue is full. As in J, a task that waits behind busy workers with nobody ahead still gets 0.
   */
  offer(task: SimTask, now: number): number | null {
    const ahead = this.waiting.length;
    if (this.running.size < this.config.coreSize) {
      this.start(task, now);
      return ahead;
    }
    if (ahead >= this.config.queueSize) return null;
    this.waiting.push(task);
    return ahead;
  }

  /** Drops a task wherever it is; a freed worker takes the next waiting task at `at`. */
  release(task: SimTask, at: number): void {
    if (this.running.delete(task)) {
      this.fill(at);
      return;
    }
    const waiting = this.waiting.indexOf(task);
    if (waiting >= 0) this.waiting.splice(waiting, 1);
  }

  reconfigure(config: AccountConfig, now: number): void {
    this.config = config;
    this.fill(now);
  }

  clear(): void {
    this.running.clear();
    this.waiting.length = 0;
    this.ends.rebuild([]);
  }

  private start(task: SimTask, at: number): void {
    this.running.add(task);
    this.dispatch(task, at);
    if (Number.isFinite(task.endsAt)) this.ends.push(task);
    // Released and forced tasks leave stale entries behind: past twice the workers, start afresh.
    if (this.ends.size > 2 * this.running.size + 64)
      this.ends.rebuild([...this.running].filter((t) => Number.isFinite(t.endsAt)));
  }

  private fill(at: number): void {
    while (this.running.size < this.config.coreSize && this.waiting.length > 0) {
      this.start(this.waiting.shift()!, at);
    }
  }
}
