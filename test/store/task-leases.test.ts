import { expect, it } from 'vitest';
import type { Store } from '../../src/store/db.js';
import {
  claimDueTasks,
  oldestDueLagMs,
  type PollSchedule,
  releaseLeases,
  renewLeases,
  tasksByIds,
} from '../../src/store/task-leases.js';
import { writeTaskFenced } from '../../src/store/task-writes.js';
import { taskValues } from '../../src/store/tasks.js';
import { describeEachBackend } from '../support/databases.js';
import { insertScheduled } from '../support/task-polls.js';

const NOW = 1_760_000_000_000;
const SCHEDULE: PollSchedule = {
  leaseMs: 10_000,
  steps: [
    [2, 5_000],
    [4, 20_000],
  ],
  slowestMs: 60_000,
};

/** `count` unfinished tasks on the schedule, the first due at `dueAt`, each next one a millisecond earlier. */
async function seed(store: Store, count: number, prefix: string, dueAt = NOW) {
  const rows = Array.from({ length: count }, (_, i) =>
    taskValues(
      {
        task_id: `${prefix}-${i}`,
        platform: 'midjourney',
        action: 'IMAGINE',
        user_id: 1,
        submit_time: NOW,
        upstream_id: `u-${prefix}-${i}`,
      },
      NOW,
    ),
  );
  await insertScheduled(store, rows, (taskId) => dueAt - Number(taskId.slice(prefix.length + 1)));
}

const clear = async (store: Store) => {
  await store.db.deleteFrom('task_polls').execute();
  await store.db.deleteFrom('tasks').execute();
};

const pollsBy = async (store: Store, ids: number[]) =>
  new Map(
    (await store.db.selectFrom('task_polls').selectAll().where('id', 'in', ids).execute()).map((p) => [
      p.id,
      p,
    ]),
  );

describeEachBackend('task leases', (current) => {
  it('never gives one task to two of four concurrent claimers', async () => {
    const store = current();
    await seed(store, 400, 'race');
    const claims = await Promise.all(
      Array.from({ length: 4 }, (_, i) => claimDueTasks(store, `owner-${i}`, NOW, 150, SCHEDULE)),
    );
    const ids = claims.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(150); // at least one claimer got a full batch
    const polls = await pollsBy(
      store,
      claims.flat().map((r) => r.id),
    );
    for (const [i, rows] of claims.entries())
      for (const row of rows) expect(polls.get(row.id)?.lease_owner).toBe(`owner-${i}`);
    await clear(store);
  });

  it('claims without writing the task rows, and answers only what a round holds of them during its calls', async () => {
    const store = current();
    await seed(store, 20, 'still');
    const before = await store.db.selectFrom('tasks').selectAll().orderBy('id').execute();
    const claimed = await claimDueTasks(store, 'quiet', NOW, 50, SCHEDULE);
    expect(claimed.map((r) => r.id).sort((a, b) => a - b)).toEqual(before.map((r) => r.id));
    // What a round needs before the status answer, as stored; the wide row is read after it.
    expect([...claimed].sort((a, b) => a.id - b.id)).toEqual(
      before.map(
        ({ id, channel_id, upstream_id, action, submit_time, updated_at, version, poll_digest }) => ({
          id,
          channel_id,
          upstream_id,
          action,
          submit_time,
          updated_at,
          version,
          poll_digest,
        }),
      ),
    );
    // Every column, version and updated_at included, stays as it was.
    expect(await store.db.selectFrom('tasks').selectAll().orderBy('id').execute()).toEqual(before);
    const polls = await pollsBy(
      store,
      before.map((r) => r.id),
    );
    for (const row of before)
      expect(polls.get(row.id)).toMatchObject({
        lease_owner: 'quiet',
        lease_until: NOW + 10_000,
        poll_attempts: 1,
      });
    await clear(store);
  });

  it('schedules the next poll by poll count, never before the lease ends, and skips tasks not yet due', async () => {
    const store = current();
    await seed(store, 3, 'sched');
    const sched2 = await store.db
      .selectFrom('tasks')
      .select('id')
      .where('task_id', '=', 'sched-2')
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('task_polls')
      .set({ next_poll_at: NOW + 1 })
      .where('id', '=', sched2.id)
      .execute();
    const first = await claimDueTasks(store, 'a', NOW, 10, SCHEDULE);
    const firstRows = await tasksByIds(
      store,
      first.map((r) => r.id),
    );
    expect(firstRows.map((r) => r.task_id).sort()).toEqual(['sched-0', 'sched-1']);
    const firstPolls = await pollsBy(
      store,
      first.map((r) => r.id),
    );
    expect(
      [...firstPolls.values()].every((p) => p.next_poll_at === NOW + 10_000 && p.poll_attempts === 1),
    ).toBe(true);
    expect(await claimDueTasks(store, 'b', NOW + 9_999, 10, SCHEDULE)).toHaveLength(1); // only sched-2
    const second = await claimDueTasks(store, 'c', NOW + 10_000, 10, SCHEDULE);
    expect(second).toHaveLength(2);
    const third = await claimDueTasks(store, 'd', NOW + 30_000, 10, SCHEDULE); // third poll: 20 s step
    const thirdPolls = await pollsBy(
      store,
      third.filter((r) => r.id !== sched2.id).map((r) => r.id),
    );
    expect(thirdPolls.size).toBe(2);
    expect([...thirdPolls.values()].every((p) => p.next_poll_at === NOW + 50_000)).toBe(true);
    await clear(store);
  });

  it('fences writes by lease and version, and never rewrites a final task', async () => {
    const store = current();
    await seed(store, 1, 'fence');
    const [claimed] = await claimDueTasks(store, 'owner-a', NOW, 1, SCHEDULE);
    const [row] = await tasksByIds(store, [claimed.id]);
    const fence = { version: row.version, leaseOwner: 'owner-a', now: NOW + 1 };
    const stored = () =>
      store.db.selectFrom('tasks').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    const poll = async () => (await pollsBy(store, [row.id])).get(row.id);
    const [taskBefore, pollBefore] = [await stored(), await poll()];
    expect(
      await writeTaskFenced(store, row.id, { progress: '10%' }, { ...fence, leaseOwner: 'owner-b' }),
    ).toBe(false);
    expect(await writeTaskFenced(store, row.id, { progress: '10%' }, { ...fence, now: NOW + 10_001 })).toBe(
      false,
    ); // lease over
    // Neither lost fence wrote anything, anywhere.
    expect(await stored()).toEqual(taskBefore);
    expect(await poll()).toEqual(pollBefore);
    expect(await writeTaskFenced(store, row.id, { progress: '10%' }, { ...fence, now: NOW + 10_000 })).toBe(
      true,
    );
    expect(await writeTaskFenced(store, row.id, { progress: '20%' }, fence)).toBe(false); // stale version
    expect(
      await writeTaskFenced(store, row.id, { status: 'SUCCESS' }, { version: row.version + 1, now: NOW }),
    ).toBe(true);
    expect(
      await writeTaskFenced(store, row.id, { status: 'FAILURE' }, { version: row.version + 2, now: NOW }),
    ).toBe(false);
    expect(await stored()).toMatchObject({ status: 'SUCCESS', progress: '10%', version: row.version + 2 });
    await clear(store);
  });

  it('renews and releases only the owner’s leases', async () => {
    const store = current();
    await seed(store, 2, 'own');
    const [mine] = await claimDueTasks(store, 'owner-a', NOW, 1, SCHEDULE);
    const [theirs] = await claimDueTasks(store, 'owner-b', NOW, 1, SCHEDULE);
    expect(await renewLeases(store, 'owner-a', [mine.id, theirs.id], NOW + 5_000, 10_000)).toBe(1);
    let polls = await pollsBy(store, [mine.id, theirs.id]);
    expect(polls.get(mine.id)).toMatchObject({ lease_until: NOW + 15_000, next_poll_at: NOW + 15_000 });
    expect(polls.get(theirs.id)).toMatchObject({ lease_owner: 'owner-b', lease_until: NOW + 10_000 });
    expect(await releaseLeases(store, 'owner-a', [mine.id, theirs.id], NOW + 6_000)).toBe(1);
    polls = await pollsBy(store, [mine.id, theirs.id]);
    expect(polls.get(mine.id)).toMatchObject({
      lease_owner: null,
      lease_until: null,
      next_poll_at: NOW + 6_000,
    });
    expect(polls.get(theirs.id)).toMatchObject({ lease_owner: 'owner-b', lease_until: NOW + 10_000 });
    expect(await oldestDueLagMs(store, NOW + 7_000)).toBe(1_000);
    await clear(store);
  });
});
