// How the poller is tuned: its defaults, and what the environment (POLL_*, see config.ts) changes.
import type { PollTuning } from '../config.js';
import { DEFAULT_SCHEDULE, type PollSchedule } from '../store/task-leases.js';

export interface PollerSettings {
  /** Most tasks one round claims. */
  batchLimit: number;
  /**
   * Tasks claimed per statement. A round claims slice after slice while earlier ones are polled, so memory holds
   * about a slice, never the whole round, and each slice's lease starts when it is claimed.
   */
  claimSlice: number;
  /** Batches (each one channel's) asked and applied at the same time; the next slice waits below this. */
  channelConcurrency: number;
  /** Calls to one channel at the same time (matters for per-task upstreams). */
  callConcurrency: number;
  pollTimeoutMs: number;
  /** How long the upstream may not know a task before it counts as vanished. */
  vanishGraceMs: number;
  idleDelayMs: number;
  schedule: PollSchedule;
}

export const DEFAULT_POLLER_SETTINGS: PollerSettings = {
  // 100k due tasks are polled in one round (docs/benchmarks.md): a round costs little beyond its tasks.
  batchLimit: 100_000,
  claimSlice: 2_000,
  channelConcurrency: 8,
  callConcurrency: 16,
  pollTimeoutMs: 10_000,
  vanishGraceMs: 10 * 60_000,
  idleDelayMs: 1_000,
  schedule: DEFAULT_SCHEDULE,
};

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
