// Push callbacks: an upstream's report about one task, applied with the poller's merge rule and fenced by the
// version read, so duplicate and out-of-order callbacks are harmless and a callback never overwrites newer state.
import type { Clock } from '../core/clock.js';
import type { Observation } from '../platforms/types.js';
import type { DbContext } from '../store/db.js';
import { findTaskByUpstreamId } from '../store/tasks.js';
import { planUpdate } from './observation.js';
import type { TaskWriter } from './task-writer.js';

/** A write that lost a race is re-planned from fresh state this many times. */
const ATTEMPTS = 3;

export type PushOutcome = 'applied' | 'unchanged' | 'unknown-task';

export async function applyPush(
  deps: { store: DbContext; clock: Clock; writer: TaskWriter },
  channelId: number,
  upstreamId: string,
  observation: Observation,
): Promise<PushOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await findTaskByUpstreamId(deps.store, channelId, upstreamId);
    if (!row) return 'unknown-task';
    const patch = planUpdate(row, observation, deps.clock.now());
    if (!patch) return 'unchanged';
    if (await deps.writer.commit(row, patch, { version: row.version })) return 'applied';
  }
  return 'unchanged';
}
