// What the submit answer already says about a task goes through the task writer: a task that is over before
// its first poll settles or refunds exactly like one a poll finishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMjPublicId } from '../../src/core/ids.js';
import { quotaFor } from '../../src/core/pricing.js';
import { FIRST_POLL_MS } from '../../src/engine/submit.js';
import type { SubmitReading } from '../../src/platforms/types.js';
import { findUserById } from '../../src/store/users.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';
import { pollOf } from '../support/task-polls.js';

/** The test clock stands still: a distinct millisecond per submit keeps midjourney ids from colliding. */
let distinctMs = 0;

describe('the first state in a submit answer', () => {
  let w: MjWorld;
  beforeAll(async () => {
    w = await startMjWorld('sqlite');
  });
  afterAll(async () => w?.close());

  const submitWith = async (reading: SubmitReading) => {
    const { store, engine } = w.t.ctx;
    const user = (await findUserById(store, w.user.id))!;
    const token = await store.db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', w.keyId)
      .executeTakeFirstOrThrow();
    return engine.submit({
      platform: 'midjourney',
      action: 'IMAGINE',
      model: 'mj_imagine',
      user,
      token,
      publicId: newMjPublicId(w.t.clock.now() + ++distinctMs),
      request: () => ({
        method: 'POST',
        path: '/mj/submit/imagine',
        headers: { 'mj-api-secret': 'sim-channel-secret', 'content-type': 'application/json' },
        body: { prompt: 'x' },
      }),
      read: () => reading,
      fields: { prompt: 'x' },
    });
  };

  it('a task already failed when accepted is failed and refunded once, and not polled', async () => {
    const before = await w.balance();
    const result = await submitWith({
      kind: 'accepted',
      upstreamId: 'up-1',
      code: 1,
      description: '',
      properties: {},
      initial: { status: 'FAILURE', failReason: 'dead on arrival' },
    });
    expect(result.accepted).toBe(true);
    const task = (await w.task(result.accepted ? result.task.task_id : ''))!;
    expect(task).toMatchObject({
      status: 'FAILURE',
      fail_reason: 'dead on arrival',
      refunded: 1,
      quota: quotaFor(0.1, 1),
    });
    expect(await pollOf(w.t.ctx.store, task.task_id)).toBeUndefined();
    expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
  });

  it('a task still running when accepted is first polled FIRST_POLL_MS later, unleased', async () => {
    const result = await submitWith({
      kind: 'accepted',
      upstreamId: 'up-2',
      code: 1,
      description: '',
      properties: {},
    });
    const taskId = result.accepted ? result.task.task_id : '';
    expect((await w.task(taskId))!.status).toBe('NOT_START');
    expect(await pollOf(w.t.ctx.store, taskId)).toMatchObject({
      next_poll_at: w.t.clock.now() + FIRST_POLL_MS,
      lease_owner: null,
      lease_until: null,
      poll_attempts: 0,
    });
  });

  it('an answer with no upstream task (an upload) is a finished success, charged once', async () => {
    const before = await w.balance();
    const result = await submitWith({
      kind: 'accepted',
      upstreamId: '',
      code: 1,
      description: '',
      properties: {},
      result: ['https://x/1.png'],
    });
    const task = (await w.task(result.accepted ? result.task.task_id : ''))!;
    expect(task).toMatchObject({ status: 'SUCCESS', progress: '100%', refunded: 0 });
    expect(await pollOf(w.t.ctx.store, task.task_id)).toBeUndefined();
    expect((await w.balance()).quota).toBe(before.quota - quotaFor(0.1, 1));
  });
});
