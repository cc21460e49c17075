// Commits a planned change to a task. A failure and its refund are one transaction; only the writer that wins
// the fenced compare-and-set refunds, so a task is refunded exactly once however many paths race to fail it.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { type DbContext, inTransaction } from '../store/db.js';
import { refundQuota } from '../store/ledger.js';
import type { TaskPatch, TaskRow } from '../store/schema.js';
import { type Fence, writeTaskFenced } from '../store/task-leases.js';

export type TaskChangeListener = (before: TaskRow, after: TaskRow) => void;

export class TaskWriter {
  private readonly listeners: TaskChangeListener[] = [];

  constructor(
    private readonly store: DbContext,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  /** Called after every committed change (client notifications hang here). */
  onChange(listener: TaskChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Writes `patch` if the fence still holds; a FAILURE refunds in the same transaction. Returns the row as written
   * (so callers need not read it back), or null when the fence no longer held.
   */
  async commit(row: TaskRow, patch: TaskPatch, fence: Omit<Fence, 'now'>): Promise<TaskRow | null> {
    const now = this.clock.now();
    const refunding = patch.status === 'FAILURE' && row.quota > 0 && row.refunded === 0;
    let refunded = false;
    const written = await inTransaction(this.store, async (trx) => {
      if (!(await writeTaskFenced(trx, row.id, patch, { ...fence, now }))) return false;
      if (refunding) {
        refunded = await refundQuota(
          trx,
          {
            userId: row.user_id,
            tokenId: row.token_id,
            taskId: row.task_id,
            platform: row.platform,
            model: row.model,
            quota: row.quota,
            content: `refund: ${String(patch.fail_reason ?? 'task failed').slice(0, 300)}`,
          },
          now,
        );
      }
      return true;
    });
    if (!written) return null;
    if (refunded) {
      this.metrics.refunds.inc({ platform: row.platform });
      this.log.info({ task: row.task_id, quota: row.quota }, 'task failed and was refunded');
    }
    const after = {
      ...row,
      ...patch,
      version: fence.version + 1,
      refunded: refunded ? 1 : row.refunded,
    } as TaskRow;
    for (const listener of this.listeners) {
      try {
        listener(row, after);
      } catch (error) {
        this.log.error({ err: error, task: row.task_id }, 'task change listener failed');
      }
    }
    return after;
  }
}
