// Commits planned changes to tasks, one or many per transaction. A failure and its refund are one transaction;
// only the writer that wins the fenced compare-and-set refunds, so a task is refunded exactly once however many
// paths race to fail it.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../http/plugins/metrics.js';
import { addChannelUsage } from '../store/channels.js';
import { type DbContext, inTransaction } from '../store/db.js';
import { refundQuota } from '../store/ledger.js';
import type { TaskPatch, TaskRow } from '../store/schema.js';
import { storablePatch } from '../store/storable.js';
import { settlePolls } from '../store/task-leases.js';
import { type Fence, writeTasksFenced } from '../store/task-writes.js';
import { pollChange } from './observation.js';

export type TaskChangeListener = (before: TaskRow, after: TaskRow) => void;
/** Whether a change owes the task's notifyHook a callback (`owesCallback` of client-notify.ts). */
export type CallbackRule = (row: TaskRow, patch: TaskPatch) => boolean;

/** One planned change: the row as read, the columns to write, and the fence it was read under. */
export interface TaskWrite {
  row: TaskRow;
  patch: TaskPatch;
  fence: Omit<Fence, 'now'>;
}

export class TaskWriter {
  private readonly listeners: TaskChangeListener[] = [];

  constructor(
    private readonly store: DbContext,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    /** Given when callbacks are sent: a change that owes one marks its task in the same write. */
    private readonly owesCallback: CallbackRule | null = null,
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
    const [written] = await this.commitMany([{ row, patch, fence }]);
    return written;
  }

  /**
   * `commitMany`, and if the database refuses the batch, each write on its own: a row it refuses stops only itself
   * (undefined at its place; null still means its fence no longer held), not the rest of the batch.
   */
  async commitManyOrEach(planned: readonly TaskWrite[]): Promise<Array<TaskRow | null | undefined>> {
    try {
      return await this.commitMany(planned);
    } catch (error) {
      this.log.error(
        { err: error, tasks: planned.length },
        'a batch of task changes was refused; writing them one by one',
      );
      const written: Array<TaskRow | null | undefined> = [];
      for (const { row, patch, fence } of planned) {
        try {
          written.push(await this.commit(row, patch, fence));
        } catch (refused) {
          this.log.error({ err: refused, task: row.task_id }, 'a task change could not be written');
          written.push(undefined);
        }
      }
      return written;
    }
  }

  /**
   * Writes many planned changes in one transaction, each fenced on its own: a row whose fence no longer holds is
   * skipped (null at its place) and the others are written. On PostgreSQL that is a few multi-row statements (one
   * per shape of patch), not one round trip per task (`writeTasksFenced`). The written tasks' poll schedules follow
   * in the same transaction (a final task leaves it), and each FAILURE refunds there too, at most once per task.
   * Listeners hear of the written rows after the commit.
   */
  async commitMany(planned: readonly TaskWrite[]): Promise<Array<TaskRow | null>> {
    if (planned.length === 0) return [];
    const now = this.clock.now();
    // The mark is written with the change itself, so a crash before the callback goes out cannot lose it.
    const owes = this.owesCallback;
    const writes = planned.map((w) => {
      // Upstream text goes in as every engine can store it: one refused value would roll back the whole batch.
      const patch = storablePatch(w.patch);
      if (owes?.(w.row, patch)) return { ...w, patch: { ...patch, notify_pending: 1 } };
      return patch === w.patch ? w : { ...w, patch };
    });
    const refunded = new Set<number>();
    const written = await inTransaction(
      this.store,
      async (trx) => {
        // Task rows are locked in id order, like lease renewals and releases: concurrent batches cannot deadlock.
        const fenced = writes.map(({ row, patch, fence }) => ({ id: row.id, patch, fence }));
        const done = await writeTasksFenced(trx, fenced, now);
        const refunds: TaskWrite[] = [];
        const polls = { finished: [] as number[], moved: [] as number[] };
        for (const [i, { row, patch }] of writes.entries()) {
          if (!done[i]) continue;
          const change = pollChange(patch);
          if (change) polls[change].push(row.id);
          if (patch.status === 'FAILURE' && row.quota > 0 && row.refunded === 0) refunds.push(writes[i]);
        }
        // Then the task_polls rows, in id order too (settlePolls), and balances last.
        await settlePolls(trx, polls.finished, polls.moved);
        // Balances by user then key: two batches refunding the same users in crossed order would otherwise lock
        // their user rows in opposite orders and deadlock.
        refunds.sort((a, b) => a.row.user_id - b.row.user_id || a.row.token_id - b.row.token_id);
        const channelRefunds = new Map<number, number>();
        for (const { row, patch } of refunds) {
          const content = `refund: ${String(patch.fail_reason ?? 'task failed').slice(0, 300)}`;
          if (!(await refundQuota(trx, refundOf(row, content), now))) continue;
          refunded.add(row.id);
          // Only a task some channel accepted (it has the upstream's id) counted there (submit.ts).
          if (row.upstream_id !== '')
            channelRefunds.set(row.channel_id, (channelRefunds.get(row.channel_id) ?? 0) - row.quota);
        }
        // Channels last and in id order, after every user and key row: no lock order here crosses a submit's.
        for (const [channelId, delta] of [...channelRefunds].sort(([a], [b]) => a - b))
          await addChannelUsage(trx, channelId, delta);
        return done;
      },
      // MySQL: the lease fence's read of task_polls then takes no shared lock, which settlePolls would have to
      // upgrade while a renewal waits for the row (InnoDB answers that with a deadlock).
      { readCommitted: true },
    );
    const rows = writes.map(({ row, patch, fence }, i) =>
      written[i]
        ? ({
            ...row,
            ...patch,
            version: fence.version + 1,
            refunded: refunded.has(row.id) ? 1 : row.refunded,
          } as TaskRow)
        : null,
    );
    for (const [i, after] of rows.entries()) {
      if (!after) continue;
      const before = writes[i].row;
      if (refunded.has(before.id)) {
        this.metrics.refunds.inc({ platform: before.platform });
        this.metrics.refundedQuota.inc({ platform: before.platform }, before.quota);
        this.log.info({ task: before.task_id, quota: before.quota }, 'task failed and was refunded');
      }
      for (const listener of this.listeners) {
        try {
          listener(before, after);
        } catch (error) {
          this.log.error({ err: error, task: before.task_id }, 'task change listener failed');
        }
      }
    }
    return rows;
  }
}

/** What a task's refund gives back, and to whom. */
const refundOf = (row: TaskRow, content: string) => ({
  userId: row.user_id,
  tokenId: row.token_id,
  taskId: row.task_id,
  platform: row.platform,
  model: row.model,
  quota: row.quota,
  content,
});
