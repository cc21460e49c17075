// Many fenced writes in one transaction: a row whose fence was lost is skipped and the others are written, each
// failure is refunded exactly once, and listeners hear only of rows that were written.
import { type Kysely, type KyselyPlugin, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { chunks } from '../../src/core/concurrency.js';
import { type TaskWrite, TaskWriter } from '../../src/engine/task-writer.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import type { Store } from '../../src/store/db.js';
import { changeBalance, ledgerBalance, reserveQuota } from '../../src/store/ledger.js';
import type { Database, TaskRow } from '../../src/store/schema.js';
import { claimDueTasks, schedulePoll, tasksByIds } from '../../src/store/task-leases.js';
import { ROWS_PER_STATEMENT, writeTaskFenced } from '../../src/store/task-writes.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { createUser, findUserById } from '../../src/store/users.js';
import { describeEachBackend } from '../support/databases.js';
import { insertScheduled } from '../support/task-polls.js';

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

  /** The rows of the tasks `owner` claims (at most `limit`), by id. */
  async function claimRows(store: Store, owner: string, limit: number): Promise<TaskRow[]> {
    const ids = (await claimDueTasks(store, owner, NOW, limit)).map((t) => t.id);
    return (await tasksByIds(store, ids)).sort((a, b) => a.id - b.id);
  }

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
    const rows = await claimRows(store, owner, count);
    expect(rows).toHaveLength(count);
    return rows;
  }

  /**
   * How many statements wait for a lock that `holder`'s transaction holds; polled until one does. Counted from
   * the lock waits themselves: a statement's state (MariaDB's "Updating") is the same while it runs, and other
   * test files' waits in the shared PostgreSQL database are not this test's.
   */
  const waitingOn = async (store: Store, holderId: number) => {
    const query =
      dialect === 'postgres'
        ? sql<{ n: number }>`select count(*) as n from pg_stat_activity
            where ${holderId}::int = any(pg_blocking_pids(pid))`
        : sql<{ n: number }>`select count(*) as n from information_schema.innodb_lock_waits w
            join information_schema.innodb_trx b on b.trx_id = w.blocking_trx_id
            where b.trx_mysql_thread_id = ${holderId}`;
    return Number((await query.execute(store.db)).rows[0].n);
  };
  const untilOneWaits = async (store: Store, holder: Kysely<Database>) => {
    const id = sql<{
      id: number;
    }>`select ${sql.raw(dialect === 'postgres' ? 'pg_backend_pid()' : 'connection_id()')} as id`;
    const holderId = Number((await id.execute(holder)).rows[0].id);
    // InnoDB refreshes its lock tables only when nobody read them for 0.1 s: a faster poll reads a stale answer.
    const pollMs = dialect === 'mysql' ? 150 : 10;
    for (let waited = 0; waited < 10_000 && (await waitingOn(store, holderId)) === 0; waited += pollMs)
      await new Promise((r) => setTimeout(r, pollMs));
    if (dialect === 'mysql') await new Promise((r) => setTimeout(r, pollMs));
    expect(await waitingOn(store, holderId)).toBe(1);
  };

  /**
   * Runs `writes` through the writer while another transaction holds one row (`table`, `id`); `meanwhile` runs once
   * the batch waits for that row, before it is let go. Answers the batch's result.
   */
  const whileHolding = async (
    store: Store,
    [table, id]: ['tasks' | 'users', number],
    writes: TaskWrite[],
    meanwhile: () => Promise<void>,
  ) => {
    let pending!: Promise<Array<TaskRow | null>>;
    await store.db.transaction().execute(async (trx) => {
      await trx.selectFrom(table).select('id').where('id', '=', id).forUpdate().execute();
      pending = writer.commitMany(writes);
      await untilOneWaits(store, trx);
      await meanwhile();
    });
    return pending;
  };
  /** What another transaction locks of row `id` of `table` without waiting (it throws when the row is held). */
  const lockAtOnce = (store: Store, table: 'tasks' | 'users', id: number) =>
    store.db
      .transaction()
      .execute((other) =>
        other.selectFrom(table).select('id').where('id', '=', id).forUpdate().noWait().execute(),
      );

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
      // The refund's balance is held: the batch waits there, after its task and task_polls rows.
      await whileHolding(store, ['users', userId], writes, async () => {
        // Nothing of it is visible yet: the schedule changes commit with the task rows, not before.
        expect((await read(store, rows[0].id)).status).toBe('IN_PROGRESS');
        expect((await pollsOf(store, rows)).map((p) => p?.poll_attempts)).toEqual([1, 1, 1]);
      });
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
      // Someone (a renewal, say) holds the lowest row: the batch, given highest first, must wait for it first.
      const written = await whileHolding(
        store,
        ['tasks', low.id],
        [
          { row: high, patch: { progress: '50%' }, fence: fence(high) },
          { row: low, patch: { progress: '50%' }, fence: fence(low) },
        ],
        // While it waits it holds nothing: the higher row can be locked at once.
        async () => expect(await lockAtOnce(store, 'tasks', high.id)).toEqual([{ id: high.id }]),
      );
      expect(written.map((row) => row?.progress)).toEqual(['50%', '50%']);
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
      // Another batch holds the lower user's balance: this one must wait for it before touching the higher.
      const written = await whileHolding(
        store,
        ['users', first],
        [low, high].map((row) => ({
          row,
          patch: fail,
          fence: { version: row.version, leaseOwner: 'round-refund' },
        })),
        async () => expect(await lockAtOnce(store, 'users', second)).toEqual([{ id: second }]),
      );
      expect(written.map((row) => row?.refunded)).toEqual([1, 1]);
      for (const user of [first, second])
        expect((await findUserById(store, user))!.quota).toBe(await ledgerBalance(store, user));
    },
  );

  it('writes exactly the rows of a mixed batch whose fence holds, whatever their shape, and stores every value as given', async () => {
    const store = current();
    const rows = [...(await claimed(store, 8, 'round-mix')), ...(await claimed(store, 1, 'round-mix-2'))];
    // Row 1: another writer moved its version on. Row 2: final already, at the version the batch read.
    await writeTaskFenced(
      store,
      rows[1].id,
      { description: 'pushed' },
      { version: rows[1].version, now: NOW },
    );
    await writeTaskFenced(store, rows[2].id, { status: 'SUCCESS' }, { version: rows[2].version, now: NOW });
    // Row 4: its lease ran out (the others' leases are current).
    await store.db
      .updateTable('task_polls')
      .set({ lease_until: NOW - 1 })
      .where('id', '=', rows[4].id)
      .execute();
    const before = await Promise.all(rows.map((row) => read(store, row.id)));
    const balance = (await findUserById(store, userId))!.quota;
    const lease = (row: TaskRow, owner = 'round-mix') => ({ version: row.version, leaseOwner: owner });
    const progress = { progress: '40%', updated_at: NOW };
    const fail = { status: 'FAILURE', fail_reason: `it's "gone" — 失敗`, finish_time: NOW, updated_at: NOW };
    const awkward = {
      description: `O'Brien said "hi" \\ back\\slash; 日本語 é 🎉 -- ${'x'.repeat(3000)}`,
      data: JSON.stringify({ a: [1, 'x"y', null], b: { c: "it's" }, d: '\\n\n\t' }),
      properties: '{"k":"v\'"}',
      image_url: 'https://cdn.example/i.png?a=1&b=%20#$1',
      prompt_en: '',
      code: -1,
      vanished_since: Number.MAX_SAFE_INTEGER,
      updated_at: NOW,
    };
    const writes = [
      { row: before[0], patch: progress, fence: lease(before[0]) },
      { row: before[1], patch: progress, fence: lease(rows[1]) },
      { row: before[2], patch: progress, fence: lease(before[2]) },
      { row: before[3], patch: progress, fence: lease(before[3], 'round-other') },
      { row: before[4], patch: fail, fence: lease(before[4]) },
      { row: before[5], patch: fail, fence: lease(before[5]) },
      { row: before[6], patch: awkward, fence: lease(before[6]) },
      // Unleased (a push callback's write), an undefined column left alone, a lone surrogate.
      {
        row: before[7],
        patch: { state: 'a\ud800b', description: undefined, start_time: NOW - 5, updated_at: NOW },
        fence: { version: before[7].version },
      },
      // The same shape as row 0's under another round's lease: shapes are grouped by owner too.
      { row: before[8], patch: progress, fence: lease(before[8], 'round-mix-2') },
    ];
    heard.length = 0;
    // Given in reverse id order: each answer must land at its own write's place.
    const written = (await writer.commitMany([...writes].reverse())).reverse();
    const ids = (picked: number[]) => rows.map((row, i) => (picked.includes(i) ? row.id : null));
    expect(written.map((row) => row?.id ?? null)).toEqual(ids([0, 5, 6, 7, 8]));
    expect(heard.map((h) => h.after.id).sort()).toEqual([0, 5, 6, 7, 8].map((i) => rows[i].id).sort());
    const after = await Promise.all(rows.map((row) => read(store, row.id)));
    for (const i of [0, 5, 6, 8]) expect(after[i]).toEqual(written[i]);
    // A lone surrogate is stored as U+FFFD on every engine, and the row answered says so; the undefined column is
    // not written (the answered row has it undefined, as the patch spread it).
    expect(written[7]?.state).toBe('a\ufffdb');
    expect(after[7]).toEqual({ ...written[7], description: before[7].description });
    expect(after[6]).toMatchObject(awkward);
    expect(after[5]).toMatchObject({ status: 'FAILURE', refunded: 1, version: before[5].version + 1 });
    for (const i of [1, 2, 3, 4]) expect(after[i]).toEqual(before[i]);
    // Exactly one refund: row 5's (row 4 lost its lease).
    expect((await findUserById(store, userId))!.quota).toBe(balance + QUOTA);
    const refunds = await store.db
      .selectFrom('ledger')
      .select(['task_id', 'quota', 'content'])
      .where('kind', '=', 'refund')
      .where('task_id', 'in', [rows[4].task_id, rows[5].task_id])
      .execute();
    expect(refunds).toEqual([
      { task_id: rows[5].task_id, quota: QUOTA, content: `refund: ${fail.fail_reason}` },
    ]);
    expect(await ledgerBalance(store, userId)).toBe((await findUserById(store, userId))!.quota);
    // Row 5 left the schedule, rows 0 and 8 moved to its quick end; the skipped rows kept theirs.
    const polls = await pollsOf(store, rows);
    expect(polls.map((p) => p?.poll_attempts ?? null)).toEqual([0, 1, 1, 1, 1, null, 1, 1, 0]);
    // The same batch again: every fence is lost, nothing more is written or refunded.
    expect(await writer.commitMany(writes)).toEqual(writes.map(() => null));
    expect((await findUserById(store, userId))!.quota).toBe(balance + QUOTA);
  });

  it('writes a batch larger than one statement, each row on its own fence', async () => {
    const store = current();
    const count = 2 * ROWS_PER_STATEMENT + 321;
    const values = Array.from({ length: count }, (_, i) =>
      taskValues(
        {
          task_id: `big-${i}`,
          platform: 'suno',
          action: 'MUSIC',
          user_id: userId,
          status: 'IN_PROGRESS',
          submit_time: NOW,
        },
        NOW,
      ),
    );
    await insertScheduled(store, values, () => NOW - 1);
    const rows = await claimRows(store, 'round-big', count + 1);
    expect(rows.map((row) => row.task_id)).toEqual(values.map((v) => v.task_id));
    // Every 7th fence is stale, on both sides of each chunk's edge; two shapes take turns; some tasks finish.
    const stale = (i: number) => i % 7 === 3;
    const writes = rows.map((row, i) => ({
      row,
      patch:
        i % 3 === 0
          ? { status: 'SUCCESS', progress: '100%', finish_time: NOW + i, updated_at: NOW }
          : { progress: `${i % 100}%`, description: `row ${i} ✓`, updated_at: NOW },
      fence: { version: stale(i) ? row.version + 1 : row.version, leaseOwner: 'round-big' },
    }));
    const written = await writer.commitMany(writes);
    expect(written.map((row, i) => (row ? row.id : -i))).toEqual(
      rows.map((row, i) => (stale(i) ? -i : row.id)),
    );
    const after = new Map<number, TaskRow>();
    for (const chunk of chunks(rows, 500)) {
      const ids = chunk.map((row) => row.id);
      for (const row of await store.db.selectFrom('tasks').selectAll().where('id', 'in', ids).execute())
        after.set(row.id, row);
    }
    for (const [i, row] of rows.entries()) expect(after.get(row.id)).toEqual(written[i] ?? row);
    const remaining = await store.db
      .selectFrom('task_polls')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('lease_owner', '=', 'round-big')
      .executeTakeFirstOrThrow();
    const finished = written.filter((row) => row?.status === 'SUCCESS').length;
    expect(Number(remaining.n)).toBe(count - finished);
  });

  it('writes a task twice in one batch as one write after the other would', async () => {
    const store = current();
    const [row] = await claimed(store, 1, 'round-twice');
    const fence = { version: row.version, leaseOwner: 'round-twice' };
    const written = await writer.commitMany([
      { row, patch: { progress: '10%' }, fence },
      { row, patch: { progress: '20%' }, fence },
      {
        row: { ...row, version: row.version + 1 },
        patch: { progress: '30%' },
        fence: { ...fence, version: row.version + 1 },
      },
    ]);
    expect(written.map((r) => r?.progress ?? null)).toEqual(['10%', null, '30%']);
    expect(await read(store, row.id)).toMatchObject({ progress: '30%', version: row.version + 2 });
  });

  it('two batches over the same tasks in crossed order and shapes neither deadlock nor write a row twice', async () => {
    const store = current();
    const rows = await claimed(store, 60, 'round-cross');
    // Each batch gives alternate rows alternate shapes, the other way round from the other batch.
    const batch = (name: string, picked: TaskRow[], flip: number) =>
      picked.map((row) => ({
        row,
        patch:
          row.id % 2 === flip
            ? { description: name, updated_at: NOW }
            : { description: name, progress: `${name}%`, updated_at: NOW },
        fence: { version: row.version, leaseOwner: 'round-cross' },
      }));
    const a = batch('1', rows.slice(0, 45), 0).reverse();
    const b = batch('2', rows.slice(15), 1);
    const [fromA, fromB] = await Promise.all([writer.commitMany(a), writer.commitMany(b)]);
    const winners = new Map<number, string>();
    for (const [writes, results] of [
      [a, fromA],
      [b, fromB],
    ] as const) {
      for (const [i, result] of results.entries()) {
        if (!result) continue;
        expect(winners.has(result.id)).toBe(false);
        winners.set(result.id, writes[i].patch.description);
      }
    }
    // Every row was written exactly once, by the batch whose value it holds.
    expect([...winners.keys()].sort((x, y) => x - y)).toEqual(rows.map((row) => row.id));
    for (const row of rows) {
      const stored = await read(store, row.id);
      expect([stored.description, stored.version]).toEqual([winners.get(row.id), row.version + 1]);
    }
  });

  it.skipIf(dialect === 'sqlite')(
    'locks rows in id order across patch shapes, not shape by shape',
    async () => {
      const store = current();
      const [low, mid, high] = await claimed(store, 3, 'round-shapes');
      const fence = (row: TaskRow) => ({ version: row.version, leaseOwner: 'round-shapes' });
      // The middle row is held and has a shape of its own: the batch must wait for it before the highest row.
      const written = await whileHolding(
        store,
        ['tasks', mid.id],
        [
          { row: low, patch: { progress: '50%' }, fence: fence(low) },
          { row: mid, patch: { description: 'mid' }, fence: fence(mid) },
          { row: high, patch: { progress: '50%' }, fence: fence(high) },
        ],
        async () => expect(await lockAtOnce(store, 'tasks', high.id)).toEqual([{ id: high.id }]),
      );
      expect(written.map((row) => row !== null)).toEqual([true, true, true]);
    },
  );

  it('writes a PostgreSQL batch with a few statements, other engines one per task', async () => {
    const store = current();
    const rows = await claimed(store, 40, 'round-count');
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        statements++;
        return result;
      },
    };
    const counted = new TaskWriter(
      { db: store.db.withPlugin(counting), dialect: store.dialect },
      clock,
      createMetrics(false),
      silent,
    );
    const fence = (row: TaskRow) => ({ version: row.version, leaseOwner: 'round-count' });
    const written = await counted.commitMany(
      rows.map((row, i) => ({
        row,
        patch: i % 2 === 0 ? { progress: '30%', updated_at: NOW } : { description: 'seen', updated_at: NOW },
        fence: fence(row),
      })),
    );
    expect(written.every(Boolean)).toBe(true);
    // PostgreSQL: the id-order lock, one update per shape, then settlePolls' lock and update.
    if (dialect === 'postgres') expect(statements).toBe(5);
    else expect(statements).toBeGreaterThanOrEqual(rows.length);
  });
});
