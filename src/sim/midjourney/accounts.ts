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

export class AccountQueue {
  readonly running: SimTask[] = [];
  readonly waiting: SimTask[] = [];

  constructor(
    public config: AccountConfig,
    /** Starts a task's timeline at `at`, setting its dispatchedAt and endsAt. */
    private readonly dispatch: (task: SimTask, at: number) => void,
  ) {}

  /** J's BestWaitIdleRule measure: (queued + running) - coreSize, any negative value counting as -1. */
  get wait(): number {
    return Math.max(-1, this.running.length + this.waiting.length - this.config.coreSize);
  }

  /** Replays every worker hand-over that has happened by `now`. */
  settle(now: number): void {
    for (;;) {
      let ended: SimTask | undefined;
      for (const task of this.running) {
        if (task.endsAt <= now && (!ended || task.endsAt < ended.endsAt)) ended = task;
      }
      if (!ended) return;
      this.running.splice(this.running.indexOf(ended), 1);
      this.fill(ended.endsAt);
    }
  }

  /**
   * Takes a task (call settle(now) first). Returns how many tasks were waiting ahead of it, or null when
   * the queue is full. As in J, a task that waits behind busy workers with nobody ahead still gets 0.
   */
  offer(task: SimTask, now: number): number | null {
    const ahead = this.waiting.length;
    if (this.running.length < this.config.coreSize) {
      this.running.push(task);
      this.dispatch(task, now);
      return ahead;
    }
    if (ahead >= this.config.queueSize) return null;
    this.waiting.push(task);
    return ahead;
  }

  /** Drops a task wherever it is; a freed worker takes the next waiting task at `at`. */
  release(task: SimTask, at: number): void {
    const running = this.running.indexOf(task);
    if (running >= 0) {
      this.running.splice(running, 1);
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
    this.running.length = 0;
    this.waiting.length = 0;
  }

  private fill(at: number): void {
    while (this.running.length < this.config.coreSize && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.running.push(next);
      this.dispatch(next, at);
    }
  }
}
