// The `notify_pending` mark of tasks (engine/client-notify.ts): set by the task writer in the write that owes a
// callback, cleared once that callback is settled, and found again when an instance left it behind.
import type { DbContext } from './db.js';
import type { TaskRow } from './schema.js';

/** Clears the mark, unless the task changed again since `version` (that change's callback clears it). */
export async function clearNotifyPending(ctx: DbContext, id: number, version: number): Promise<void> {
  await ctx.db
    .updateTable('tasks')
    .set({ notify_pending: 0 })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('notify_pending', '=', 1)
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
