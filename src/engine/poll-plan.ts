// What one status answer means for its batch of tasks: the tasks it leaves exactly as they are, the writes it calls
// for, and the rows it leaves as they are. Pure: the poller commits the writes, then checks every row still open
// against its timeout.
import { hash } from 'node:crypto';
import type { Observation, PollReading } from '../platforms/types.js';
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

/**
 * A row's `poll_digest`: the version a poll wrote and the hash of the observation it wrote it from. Applying that
 * observation again to that version changes nothing (`planUpdate` leaves a row alone that already holds what the
 * observation says), so a later answer with the same hash, for a row still at that version, needs neither a read
 * nor a write. Any other writer bumps the version and so leaves the digest behind.
 */
export const pollDigest = (version: number, observationHash: string): string =>
  `${version}:${observationHash}`;

/** The hash of each observation of an answer, by upstream id (a change in any field the adapter read changes it). */
export function observationHashes(reading: PollReading): Map<string, string> {
  const hashes = new Map<string, string>();
  if (reading.ok)
    for (const [id, observation] of reading.observations) hashes.set(id, observationHash(observation));
  return hashes;
}

// Not a secret and not adversarial (an upstream decides its own answers anyway): SHA-1 is the cheapest hash here.
export const observationHash = (observation: Observation): string =>
  hash('sha1', JSON.stringify(observation), 'base64');

type Digested = Pick<TaskRow, 'upstream_id' | 'version' | 'poll_digest'>;

/**
 * Splits claimed tasks into the settled ones, whose answer is the very observation their row's current version was
 * written from (nothing to read or write; only their timeout is left to check), and the rest.
 */
export function splitSettled<T extends Digested>(
  claimed: readonly T[],
  hashes: ReadonlyMap<string, string>,
): { settled: T[]; rest: T[] } {
  const settled: T[] = [];
  const rest: T[] = [];
  for (const task of claimed) {
    const observed = task.poll_digest !== '' && hashes.get(task.upstream_id);
    if (observed && task.poll_digest === pollDigest(task.version, observed)) settled.push(task);
    else rest.push(task);
  }
  return { settled, rest };
}

export function planPollWrites(
  rows: readonly TaskRow[],
  reading: PollReading,
  hashes: ReadonlyMap<string, string>,
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
      const observed = hashes.get(row.upstream_id);
      // The write makes version + 1 (task-writer.ts): the digest names the version it leaves.
      if (patch && observed) patch.poll_digest = pollDigest(row.version + 1, observed);
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
