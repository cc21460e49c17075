// Many fenced writes in one transaction: a row whose fence was lost is skipped and the others are written, each
// failure is refunded exactly once, and listeners hear only of rows that were written.
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { TaskWriter } from '../../src/engine/task-writer.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import type { Store } from '../../src/store/db.js';
import { changeBalance, ledgerBalance, reserveQuota } from '../../src/store/ledger.js';
import type { TaskRow } from '../../src/store/schema.js';
import { claimDueTasks, schedulePoll, writeTaskFenced } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { createUser, findUserById } from '../../src/store/users.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_770_000_000_000;
const QUOTA = 700;
const silent = { info() {}, warn() {}, error() {} };

describeEachBackend('task writer batches', (current, dialect) => {
  const clock = new ManualClock(NOW);
  let writer: TaskWriter;
  let userId: number;
  const heard: Array<{ before: TaskRow; after: TaskRow }> = [];
  let serial = 0;

  beforeAll(async () => {
    const store = current();
    userId = await createUser(store, { username: 'batch', passwordHash: 'x', role: 1 }, NOW);
    await changeBalance(store, userId, 1_000_000, 'top-up', NOW);
    writer = new TaskWriter(store, clock, createMetrics(false), silent);
    writer.onChange((before, after) => heard.push({ before, after }));
  });

  /** `count` charged tasks of `user`, due now, claimed by `owner`. */
  async function claimed(store: Store, count: number, owner: string, user = userId): Promise<TaskRow[]> {
    for (let i = 0; i < count; i++) {
      const taskId = `batch-${++serial}`;
      const reservation = { userId: user, tokenId: 0, taskId, platform: 'midjourney', model: 'mj_imagine' };
      await reserveQuota(store, { ...reservation, quota: QUOTA, content: 'imagine' }, NOW);
      const id = await insertTask(
        store,
        taskValues(
          {
            task_id: taskId,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: user,
            quota: QUOTA,
            upstream_id: `up-${serial}`,
            status: 'IN_PROGRESS',
            submit_time: NOW,
          },
          NOW,
        ),
      );
      await schedulePoll(store, id, NOW);
    }
    const rows = await claimDueTasks(store, owner, NOW, count);
    expect(rows).toHaveLength(count);
    return rows.sort((a, b) => a.id - b.id);
  }

  /** How many statements wait for a row lock; polled until one does. */
  const waiting = async (store: Store) => {
    const query =
      dialect === 'postgres'
        ? sql<{ n: number }>`select count(*) as n from pg_stat_activity
            where wait_event_type = 'Lock' and datname = current_database()`
        : // MariaDB lists a statement waiting for a row lock as still updating.
          sql<{ n: number }>`select count(*) as n from information_schema.processlist
            where db = database() and info like 'update %' and state = 'Updating'`;
    return Number((await query.execute(store.db)).rows[0].n);
  };
  const untilOneWaits = async (store: Store) => {
    for (let i = 0; i < 500 && (await waiting(store)) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await waiting(store)).toBe(1);
  };

  const read = (store: Store, id: number) =>
    store.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const pollsOf = async (store: Store, rows: TaskRow[]) => {
    const polls = await store.db
      .selectFrom('task_polls')
      .selectAll()
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
    return rows.map((row) => polls.find((p) => p.id === row.id) ?? null);
  };

  it('writes the rows whose fence holds and skips the one whose fence was lost', async () => {
    const store = current();
    const rows = await claimed(store, 3, 'round-a');
    // Another writer got to the middle row first: its version moved on.
    expect(
      await writeTaskFenced(
        store,
        rows[1].id,
        { description: 'pushed' },
        { version: rows[1].version, now: NOW },
      ),
    ).toBe(true);
    heard.length = 0;
    const fence = (row: TaskRow) => ({ version: row.version, leaseOwner: 'round-a' });
    const written = await writer.commitMany(
      rows.map((row) => ({ row, patch: { progress: '50%', updated_at: NOW }, fence: fence(row) })),
    );
    expect(written.map((row) => row?.progress ?? null)).toEqual(['50%', null, '50%']);
    expect(written[0]).toMatchObject({ id: rows[0].id, version: rows[0].version + 1 });
    expect(heard.map((h) => h.after.id)).toEqual([rows[0].id, rows[2].id]);
    const after = await Promise.all(rows.map((row) => read(store, row.id)));
    expect(after.map((row) => [row.progress, row.version])).toEqual([
      ['50%', rows[0].version + 1],
      ['0%', rows[1].version + 1],
      ['50%', rows[2].version + 1],
    ]);
    expect(after[1].description).toBe('pushed');
  });

  it('skips a row whose lease another round holds now', async () => {
    const store = current();
    const rows = await claimed(store, 2, 'round-b');
    const written = await writer.commitMany([
      {
        row: rows[0],
        patch: { progress: '10%' },
        fence: { version: rows[0].version, leaseOwner: 'round-b' },
      },
      { row: rows[1], patch: { progress: '10%' }, fence: { version: rows[1].version, leaseOwner: 'other' } },
    ]);
    expect(written.map((row) => row !== null)).toEqual([true, false]);
    expect((await read(store, rows[1].id)).progress).toBe('0%');
  });

  it('writes nothing, refunds nothing and leaves the schedule alone under an expired or a foreign lease', async () => {
    const store = current();
    const rows = await claimed(store, 2, 'round-lapsed');
    const [tasksBefore, pollsBefore] = [
      await Promise.all(rows.map((r) => read(store, r.id))),
      await pollsOf(store, rows),
    ];
    const balance = (await findUserById(store, userId))!.quota;
    const fail = { status: 'FAILURE', fail_reason: 'late', finish_time: NOW, updated_at: NOW };
    // The lease of a claim at NOW ends 15 s later: a writer whose clock is past it has lost the task.
    clock.set(NOW + 15_001);
    try {
      const written = await writer.commitMany([
        { row: rows[0], patch: fail, fence: { version: rows[0].version, leaseOwner: 'round-lapsed' } },
        { row: rows[1], patch: fail, fence: { version: rows[1].version, leaseOwner: 'round-other' } },
      ]);
      expect(written).toEqual([null, null]);
    } finally {
      clock.set(NOW);
    }
    // A foreign lease fails the fence even while it is current.
    expect(
      await writer.commit(rows[1], fail, { version: rows[1].version, leaseOwner: 'round-other' }),
    ).toBeNull();
    expect(await Promise.all(rows.map((r) => read(store, r.id)))).toEqual(tasksBefore);
    expect(await pollsOf(store, rows)).toEqual(pollsBefore);
    expect((await findUserById(store, userId))!.quota).toBe(balance);
  });

  it('takes a finished task off the poll schedule and a moving one to its quick end, in the write transaction', async () => {
    const store = current();
    const rows = await claimed(store, 3, 'round-settle');
    expect((await pollsOf(store, rows)).map((p) => p?.poll_attempts)).toEqual([1, 1, 1]);
    const fence = (row: TaskRow) => ({ version: row.version, leaseOwner: 'round-settle' });
    const writes = [
      {
        row: rows[0],
        patch: { status: 'FAILURE', fail_reason: 'gone', updated_at: NOW },
        fence: fence(rows[0]),
      },
      { row: rows[1], patch: { progress: '60%', updated_at: NOW }, fence: fence(rows[1]) },
      // No movement (a vanishing task, say): the schedule keeps backing off.
      { row: rows[2], patch: { vanished_since: NOW, updated_at: NOW }, fence: fence(rows[2]) },
    ];
    if (dialect === 'sqlite') await writer.commitMany(writes);
    else {
      let pending: Promise<Array<TaskRow | null>> | undefined;
      await store.db.transaction().execute(async (trx) => {
        // The refund's balance is held: the batch waits there, after its task and task_polls rows.
        await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
        pending = writer.commitMany(writes);
        await untilOneWaits(store);
        // Nothing of it is visible yet: the schedule changes commit with the task rows, not before.
        expect((await read(store, rows[0].id)).status).toBe('IN_PROGRESS');
        expect((await pollsOf(store, rows)).map((p) => p?.poll_attempts)).toEqual([1, 1, 1]);
      });
      await pending;
    }
    expect((await read(store, rows[0].id)).status).toBe('FAILURE');
    expect((await pollsOf(store, rows)).map((p) => p?.poll_attempts ?? null)).toEqual([null, 0, 1]);
  });

  it('refunds each failure of a batch exactly once, and a repeated batch refunds nothing more', async () => {
    const store = current();
    const rows = await claimed(store, 3, 'round-c');
    const balance = (await findUserById(store, userId))!.quota;
    const failures = rows.map((row) => ({
      row,
      patch: { status: 'FAILURE', fail_reason: 'gone', finish_time: NOW, updated_at: NOW },
      fence: { version: row.version, leaseOwner: 'round-c' },
    }));
    const written = await writer.commitMany(failures);
    expect(written.every((row) => row?.status === 'FAILURE' && row.refunded === 1)).toBe(true);
    expect((await findUserById(store, userId))!.quota).toBe(balance + 3 * QUOTA);
    // The same batch again, as a racing round would send it: every fence is lost, nothing moves.
    expect(await writer.commitMany(failures)).toEqual([null, null, null]);
    expect((await findUserById(store, userId))!.quota).toBe(balance + 3 * QUOTA);
    const refunds = await store.db
      .selectFrom('ledger')
      .select('task_id')
      .where('kind', '=', 'refund')
      .where(
        'task_id',
        'in',
        rows.map((row) => row.task_id),
      )
      .execute();
    expect(refunds.map((r) => r.task_id).sort()).toEqual(rows.map((row) => row.task_id).sort());
    for (const row of rows) expect((await read(store, row.id)).refunded).toBe(1);
    expect(await ledgerBalance(store, userId)).toBe((await findUserById(store, userId))!.quota);
  });

  it('mixes changes, failures and lost fences in one batch', async () => {
    const store = current();
    const rows = await claimed(store, 4, 'round-d');
    await writeTaskFenced(store, rows[2].id, { progress: '5%' }, { version: rows[2].version, now: NOW });
    const balance = (await findUserById(store, userId))!.quota;
    const fail = { status: 'FAILURE', fail_reason: 'timed out', finish_time: NOW, updated_at: NOW };
    const written = await writer.commitMany(
      rows.map((row, i) => ({
        row,
        patch: i % 2 === 0 ? fail : { progress: '70%', updated_at: NOW },
        fence: { version: row.version, leaseOwner: 'round-d' },
      })),
    );
    // Row 2's failure lost its fence: only row 0 is refunded.
    expect(written.map((row) => row?.status ?? null)).toEqual([
      'FAILURE',
      'IN_PROGRESS',
      null,
      'IN_PROGRESS',
    ]);
    expect((await findUserById(store, userId))!.quota).toBe(balance + QUOTA);
    expect(await read(store, rows[2].id)).toMatchObject({ status: 'IN_PROGRESS', refunded: 0 });
  });
  // SQLite has no row locks to order.
  it.skipIf(dialect === 'sqlite')(
    'locks rows in id order whatever order the writes come in, so it cannot deadlock with a renewal',
    async () => {
      const store = current();
      const [low, high] = await claimed(store, 2, 'round-order');
      const fence = (row: TaskRow) => ({ version: row.version, leaseOwner: 'round-order' });
      let pending: Promise<Array<TaskRow | null>> | undefined;
      await store.db.transaction().execute(async (trx) => {
        // Someone (a renewal, say) holds the lowest row: the batch, given highest first, must wait for it first.
        await trx.selectFrom('tasks').select('id').where('id', '=', low.id).forUpdate().execute();
        pending = writer.commitMany([
          { row: high, patch: { progress: '50%' }, fence: fence(high) },
          { row: low, patch: { progress: '50%' }, fence: fence(low) },
        ]);
        await untilOneWaits(store);
        // While it waits it holds nothing: the higher row can be locked at once.
        const free = await store.db
          .transaction()
          .execute((other) =>
            other.selectFrom('tasks').select('id').where('id', '=', high.id).forUpdate().noWait().execute(),
          );
        expect(free).toEqual([{ id: high.id }]);
      });
      expect((await pending)?.map((row) => row?.progress)).toEqual(['50%', '50%']);
    },
  );

  it.skipIf(dialect === 'sqlite')(
    'refunds by user, whatever order the tasks come in, so crossed batches cannot deadlock on balances',
    async () => {
      const store = current();
      const other = await createUser(
        store,
        { username: `batch-${++serial}`, passwordHash: 'x', role: 1 },
        NOW,
      );
      await changeBalance(store, other, 1_000_000, 'top-up', NOW);
      const [first, second] = [Math.min(userId, other), Math.max(userId, other)];
      // The lower task id belongs to the higher user id: task order and user order disagree.
      const [low] = await claimed(store, 1, 'round-refund', second);
      const [high] = await claimed(store, 1, 'round-refund', first);
      const fail = { status: 'FAILURE' as const, fail_reason: 'upstream failed', updated_at: NOW };
      let pending: Promise<Array<TaskRow | null>> | undefined;
      await store.db.transaction().execute(async (trx) => {
        // Another batch holds the lower user's balance: this one must wait for it before touching the higher.
        await trx.selectFrom('users').select('id').where('id', '=', first).forUpdate().execute();
        pending = writer.commitMany(
          [low, high].map((row) => ({
            row,
            patch: fail,
            fence: { version: row.version, leaseOwner: 'round-refund' },
          })),
        );
        await untilOneWaits(store);
        const free = await store.db
          .transaction()
          .execute((t) =>
            t.selectFrom('users').select('id').where('id', '=', second).forUpdate().noWait().execute(),
          );
        expect(free).toEqual([{ id: second }]);
      });
      expect((await pending)?.map((row) => row?.refunded)).toEqual([1, 1]);
      for (const user of [first, second])
        expect((await findUserById(store, user))!.quota).toBe(await ledgerBalance(store, user));
    },
  );
});
