import { expect, it } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { claimDueTasks, type PollSchedule, writeTaskFenced } from '../../src/store/task-leases.js';
import { taskValues } from '../../src/store/tasks.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_760_000_000_000;
const SCHEDULE: PollSchedule = {
  leaseMs: 10_000,
  steps: [
    [2, 5_000],
    [4, 20_000],
  ],
  slowestMs: 60_000,
};

async function seed(store: Store, count: number, prefix: string, dueAt = NOW) {
  const rows = Array.from({ length: count }, (_, i) =>
    taskValues(
      {
        task_id: `${prefix}-${i}`,
        platform: 'midjourney',
        action: 'IMAGINE',
        user_id: 1,
        submit_time: NOW,
        next_poll_at: dueAt - i,
        upstream_id: `u-${prefix}-${i}`,
      },
      NOW,
    ),
  );
  for (let i = 0; i < rows.length; i += 500)
    await store.db
      .insertInto('tasks')
      .values(rows.slice(i, i + 500))
      .execute();
}

describeEachBackend('task leases', (current) => {
  it('never gives one task to two of four concurrent claimers', async () => {
    const store = current();
    await seed(store, 400, 'race');
    const claims = await Promise.all(
      Array.from({ length: 4 }, (_, i) => claimDueTasks(store, `owner-${i}`, NOW, 150, SCHEDULE)),
    );
    const ids = claims.flat().map((r) => r.task_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(150); // at least one claimer got a full batch
    for (const [i, rows] of claims.entries())
      for (const row of rows) expect(row.lease_owner).toBe(`owner-${i}`);
    await store.db.deleteFrom('tasks').execute();
  });

  it('schedules the next poll by poll count, never before the lease ends, and skips tasks not yet due', async () => {
    const store = current();
    await seed(store, 3, 'sched');
    await store.db
      .updateTable('tasks')
      .set({ next_poll_at: NOW + 1 })
      .where('task_id', '=', 'sched-2')
      .execute();
    const first = await claimDueTasks(store, 'a', NOW, 10, SCHEDULE);
    expect(first.map((r) => r.task_id).sort()).toEqual(['sched-0', 'sched-1']);
    expect(first.every((r) => r.next_poll_at === NOW + 10_000 && r.poll_attempts === 1)).toBe(true);
    expect(await claimDueTasks(store, 'b', NOW + 9_999, 10, SCHEDULE)).toHaveLength(1); // only sched-2
    const second = await claimDueTasks(store, 'c', NOW + 10_000, 10, SCHEDULE);
    expect(second).toHaveLength(2);
    const third = await claimDueTasks(store, 'd', NOW + 30_000, 10, SCHEDULE); // third poll: 20 s step
    expect(third.filter((r) => r.task_id !== 'sched-2').every((r) => r.next_poll_at === NOW + 50_000)).toBe(
      true,
    );
    await store.db.deleteFrom('tasks').execute();
  });

  it('fences writes by lease and version, and never rewrites a final task', async () => {
    const store = current();
    await seed(store, 1, 'fence');
    const [row] = await claimDueTasks(store, 'owner-a', NOW, 1, SCHEDULE);
    const fence = { version: row.version, leaseOwner: 'owner-a', now: NOW + 1 };
    expect(
      await writeTaskFenced(store, row.id, { progress: '10%' }, { ...fence, leaseOwner: 'owner-b' }),
    ).toBe(false);
    expect(await writeTaskFenced(store, row.id, { progress: '10%' }, { ...fence, now: NOW + 20_000 })).toBe(
      false,
    ); // lease over
    expect(await writeTaskFenced(store, row.id, { progress: '10%' }, fence)).toBe(true);
    expect(await writeTaskFenced(store, row.id, { progress: '20%' }, fence)).toBe(false); // stale version
    expect(
      await writeTaskFenced(store, row.id, { status: 'SUCCESS' }, { version: row.version + 1, now: NOW }),
    ).toBe(true);
    expect(
      await writeTaskFenced(store, row.id, { status: 'FAILURE' }, { version: row.version + 2, now: NOW }),
    ).toBe(false);
    const final = await store.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(final).toMatchObject({ status: 'SUCCESS', progress: '10%', version: row.version + 2 });
  });
});
