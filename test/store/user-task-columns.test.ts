// The fetch route's read (findUserTaskColumns): the same values as the full row for the columns asked, with SQL
// built once, and another user's or another platform's task reads as unknown, on every engine.
import { expect, it } from 'vitest';
import { MJ_VIEW_COLUMNS } from '../../src/platforms/midjourney/view.js';
import { inTransaction } from '../../src/store/db.js';
import { findUserTask, findUserTaskColumns, insertTask, taskValues } from '../../src/store/tasks.js';
import { describeEachBackend } from '../support/databases.js';

const NOW = 1_760_000_000_000;

describeEachBackend('a task read by its columns', (current) => {
  it('answers exactly the asked columns with the full row’s values, and only to its owner', async () => {
    const store = current();
    const fields = {
      task_id: 'cols-1',
      platform: 'midjourney',
      action: 'IMAGINE',
      user_id: 7,
      submit_time: NOW,
      start_time: NOW + 1,
      prompt: 'a cat',
      image_url: 'https://cdn.example/1.png',
      buttons: '[{"customId":"x"}]',
      properties: '{"finalPrompt":"a cat"}',
    };
    await insertTask(store, taskValues(fields, NOW));
    await insertTask(store, taskValues({ ...fields, task_id: 'cols-2', platform: 'suno' }, NOW));
    const full = await findUserTask(store, 7, 'midjourney', 'cols-1');
    const read = await findUserTaskColumns(store, 7, 'midjourney', 'cols-1', MJ_VIEW_COLUMNS);
    expect(Object.keys(read ?? {}).sort()).toEqual([...MJ_VIEW_COLUMNS].sort());
    expect(read).toEqual(Object.fromEntries(MJ_VIEW_COLUMNS.map((c) => [c, full![c]])));
    expect(await findUserTaskColumns(store, 8, 'midjourney', 'cols-1', MJ_VIEW_COLUMNS)).toBeUndefined();
    expect(await findUserTaskColumns(store, 7, 'midjourney', 'cols-2', MJ_VIEW_COLUMNS)).toBeUndefined();
    expect(await findUserTaskColumns(store, 7, 'midjourney', 'nope', MJ_VIEW_COLUMNS)).toBeUndefined();
  });

  it('never answers a row another request wrote but has not committed (on SQLite they share one connection)', async () => {
    const store = current();
    let written!: () => void;
    const inserted = new Promise<void>((resolve) => {
      written = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fields = {
      task_id: 'uncommitted-1',
      platform: 'midjourney',
      action: 'IMAGINE',
      user_id: 7,
      submit_time: NOW,
    };
    const transaction = inTransaction(store, async (trx) => {
      await insertTask(trx, taskValues(fields, NOW));
      written();
      await gate;
      throw new Error('rolled back');
    }).catch((error: Error) => error.message);
    // The transaction's own failure must not leave the test waiting for an insert that never came.
    await Promise.race([inserted, transaction.then((message) => Promise.reject(new Error(message)))]);
    const read = findUserTaskColumns(store, 7, 'midjourney', 'uncommitted-1', MJ_VIEW_COLUMNS);
    release();
    expect(await read).toBeUndefined();
    expect(await transaction).toBe('rolled back');
  });
});
