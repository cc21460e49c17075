// What one status answer means for its batch of tasks: the writes it calls for, and the rows it leaves as they
// are. Pure: the poller commits the writes, then checks every row still open against its timeout.
import type { PollReading } from '../platforms/types.js';
import type { TaskRow } from '../store/schema.js';
import { ownFailurePatch, planUpdate } from './observation.js';
import type { TaskWrite } from './task-writer.js';

/** Per write: an observation's change (counted as changed), the start of a vanishing, or Taskgate's own failure. */
export type PollWriteKind = 'changed' | 'vanishing' | 'failed';

export interface PollPlan {
  writes: TaskWrite[];
  kinds: PollWriteKind[];
  /** Rows with no write planned, still to be checked against the timeout. */
  untouched: TaskRow[];
}

export function planPollWrites(
  rows: readonly TaskRow[],
  reading: PollReading,
  owner: string,
  now: number,
  vanishGraceMs: number,
): PollPlan {
  const plan: PollPlan = { writes: [], kinds: [], untouched: [] };
  const write = (row: TaskRow, patch: TaskWrite['patch'], kind: PollWriteKind) => {
    plan.writes.push({ row, patch, fence: { version: row.version, leaseOwner: owner } });
    plan.kinds.push(kind);
  };
  for (const row of rows) {
    const observation = reading.ok ? reading.observations.get(row.upstream_id) : undefined;
    if (!reading.ok) {
      plan.untouched.push(row);
    } else if (observation) {
      const patch = planUpdate(row, observation, now);
      if (patch) write(row, patch, 'changed');
      else plan.untouched.push(row);
    } else if (reading.present.has(row.upstream_id) || !reading.absenceIsReliable) {
      // Mentioned but unreadable, or maybe hidden behind an unreadable element: no news, not gone.
      plan.untouched.push(row);
    } else if (row.vanished_since === 0) {
      // The upstream answered but left this task out: start the grace period.
      write(row, { vanished_since: now, updated_at: now }, 'vanishing');
    } else if (now - row.vanished_since >= vanishGraceMs) {
      write(row, ownFailurePatch(row, 'the upstream no longer knows this task', now), 'failed');
    } else plan.untouched.push(row);
  }
  return plan;
}
