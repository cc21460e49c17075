// The `notify_pending` mark of tasks (engine/client-notify.ts): set by the task writer in the write that owes a
// callback, cleared once that callback is settled, and found again when an instance left it behind.
import type { DbContext } from './db.js';
import type { TaskRow } from './schema.js';

/**
 * Clears the mark once the client has been sent this status and progress, unless the task has moved on from them
 * since (that change's own callback clears it). Not fenced on the version: a later write that owes nothing (a
 * detail, a push of the same state) would otherwise keep the mark, and the sweep would send the state again.
 */
export async function clearNotifyPending(
  ctx: DbContext,
  id: number,
  sent: Pick<TaskRow, 'status' | 'progress'>,
): Promise<void> {
  await ctx.db
    .updateTable('tasks')
    .set({ notify_pending: 0 })
    .where('id', '=', id)
    .where('notify_pending', '=', 1)
    .where('status', '=', sent.status)
    .where('progress', '=', sent.progress)
    .execute();
}

/** Marked tasks last changed before `changedBefore`: callbacks no instance is still trying to deliver. */
export function owedCallbacks(ctx: DbContext, changedBefore: number, limit: number): Promise<TaskRow[]> {
  return ctx.db
    .selectFrom('tasks')
    .selectAll()
    .where('notify_pending', '=', 1)
    .where('updated_at', '<', changedBefore)
    .orderBy('id')
    .limit(limit)
    .execute();
}
