// A listing's total (listing-count.ts): exact for small results and on the last page; a large one is counted once
// and reused for a few seconds, while the page's rows stay current.
import { afterEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.js';
import { COUNT_SETTINGS } from '../../src/store/listing-count.js';
import { listTasks, type TaskListFilter, taskValues } from '../../src/store/tasks.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_760_000_000_000;
const defaults = { ...COUNT_SETTINGS };
let serial = 0;

async function add(store: Store, userId: number, count: number, platform = 'midjourney') {
  const rows = Array.from({ length: count }, () =>
    taskValues(
      { task_id: `count-${++serial}`, platform, action: 'IMAGINE', user_id: userId, submit_time: NOW },
      NOW,
    ),
  );
  await store.db.insertInto('tasks').values(rows).execute();
}

const mine = (userId: number): TaskListFilter => ({ platforms: ['midjourney'], userId });

afterEach(() => {
  Object.assign(COUNT_SETTINGS, defaults);
});

describeEachBackend('listing totals', (current) => {
  it('counts small results exactly on every page', async () => {
    COUNT_SETTINGS.exactBelow = 5;
    await add(current(), 101, 4);
    expect((await listTasks(current(), mine(101), 0, 2)).total).toBe(4);
    await add(current(), 101, 1);
    expect((await listTasks(current(), mine(101), 0, 2)).total).toBe(5);
  });

  it('counts a large result once, reuses it within the TTL, and is exact on the last page', async () => {
    COUNT_SETTINGS.exactBelow = 5;
    await add(current(), 102, 12);
    expect((await listTasks(current(), mine(102), 0, 5)).total).toBe(12);
    await add(current(), 102, 1);
    const first = await listTasks(current(), mine(102), 0, 5);
    // The newest task is on the page at once; the total is the one counted a moment ago.
    expect(first.rows[0].task_id).toBe(`count-${serial}`);
    expect(first.total).toBe(12);
    // Page 3 is not full, so it ends the listing: 10 + 3 rows, exact without a count.
    expect((await listTasks(current(), mine(102), 10, 5)).total).toBe(13);
  });

  it('counts again once the TTL has passed', async () => {
    COUNT_SETTINGS.exactBelow = 5;
    COUNT_SETTINGS.ttlMs = 0;
    await add(current(), 103, 12);
    expect((await listTasks(current(), mine(103), 0, 5)).total).toBe(12);
    await add(current(), 103, 1);
    expect((await listTasks(current(), mine(103), 0, 5)).total).toBe(13);
  });

  it('pages a family of platforms newest first, other platforms left out', async () => {
    await add(current(), 104, 3, 'suno');
    await add(current(), 104, 2, 'midjourney');
    await add(current(), 104, 3, 'openai-video');
    const filter: TaskListFilter = { platforms: ['suno', 'openai-video'], userId: 104 };
    const page1 = await listTasks(current(), filter, 0, 4);
    const page2 = await listTasks(current(), filter, 4, 4);
    const ids = [...page1.rows, ...page2.rows].map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids).toHaveLength(6);
    expect(new Set([...page1.rows, ...page2.rows].map((r) => r.platform))).toEqual(
      new Set(['suno', 'openai-video']),
    );
    expect([page1.total, page2.total]).toEqual([6, 6]);
  });
});
