// Money under every Midjourney outcome: refusals charge nothing, and every kind of failure is refunded
// exactly once (balance, key quota and used quota restored; one charge and one refund in the ledger).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { SUBMIT_GRACE_MS } from '../../src/engine/submit.js';
import { reserveQuota } from '../../src/store/ledger.js';
import { schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { backends } from '../support/databases.js';
import { type MjWorld, pollUntil, startMjWorld } from '../support/mj-world.js';

const IMAGINE = quotaFor(0.1, 1);

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`midjourney refunds [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    const ledgerOf = (taskId: string) =>
      w.t.ctx.store.db
        .selectFrom('ledger')
        .select(['kind', 'quota'])
        .where('task_id', '=', taskId)
        .orderBy('id')
        .execute();

    /** The user is back where it started, and the task shows one charge and one refund. */
    async function expectRefundedOnce(taskId: string, before: Awaited<ReturnType<MjWorld['balance']>>) {
      const task = await w.task(taskId);
      expect(task).toMatchObject({ status: 'FAILURE', refunded: 1, quota: IMAGINE });
      expect(task!.fail_reason).not.toBe('');
      expect(await ledgerOf(taskId)).toEqual([
        { kind: 'charge', quota: IMAGINE },
        { kind: 'refund', quota: IMAGINE },
      ]);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      // Later rounds and repeated failure paths change nothing.
      await w.pollRound();
      await w.t.ctx.engine.failChannelTasks(task!.channel_id);
      expect(await ledgerOf(taskId)).toHaveLength(2);
    }

    it.each([
      ['24', 'a forbiddenword prompt', 24],
      ['23', 'sim:reject=23', 23],
      ['3', 'sim:reject=3', 3],
      ['4', 'sim:reject=4', 4],
      ['9', 'sim:reject=9', 9],
    ])(
      'upstream refusal code %s is answered with its code and charges nothing',
      async (_name, prompt, code) => {
        const before = await w.balance();
        const answer = await w.submit('/mj/submit/imagine', { prompt });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ code, result: null, description: expect.any(String) });
        if (code === 24) expect(answer.body.properties).toMatchObject({ bannedWord: 'forbiddenword' });
        expect(await w.balance()).toEqual({ ...before, ledger: before.quota });
      },
    );

    it("a task's charge counts in its channel's used quota until it is refunded", async () => {
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'counted sim:fail@50' })).body
        .result as string;
      const channel = async () =>
        (await w.t.request('GET', `/api/channel/${w.channelId}`, { as: w.t.root })).body.data.used_quota;
      expect(await w.balance()).toMatchObject({ channelUsed: before.channelUsed + IMAGINE });
      expect(await channel()).toBe(before.channelUsed + IMAGINE);
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      expect(await channel()).toBe(before.channelUsed);
      await expectRefundedOnce(id, before);
    });

    it('a failure at 0% is refunded once', async () => {
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'doomed sim:fail@0' })).body
        .result as string;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      await expectRefundedOnce(id, before);
      expect((await w.fetchTask(id)).body).toMatchObject({ status: 'FAILURE', progress: '' });
    });

    it('a failure mid-way is refunded once and keeps its reason', async () => {
      const before = await w.balance();
      const id = (
        await w.submit('/mj/submit/imagine', {
          prompt: 'sim:fail@46 sim:error="[Banned prompt detected] no"',
        })
      ).body.result as string;
      await pollUntil(w, async () => (await w.task(id))?.status === 'FAILURE');
      expect((await w.task(id))?.fail_reason).toContain('Banned prompt detected');
      await expectRefundedOnce(id, before);
    });

    it('a task that never finishes times out and is refunded once', async () => {
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'forever sim:hang' })).body.result as string;
      w.generate(10_000);
      await w.pollRound();
      expect((await w.task(id))?.status).toBe('IN_PROGRESS');
      await w.pollRound(24 * 60 * 60_000);
      expect((await w.task(id))?.fail_reason).toContain('did not finish within 1440 minutes');
      await expectRefundedOnce(id, before);
    });

    it('a task the upstream forgets fails after the grace period and is refunded once', async () => {
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'here then gone sim:vanish@1' })).body
        .result as string;
      await w.pollRound(); // returned once
      await w.pollRound(); // missing: the grace period starts
      expect(await w.task(id)).toMatchObject({
        status: expect.not.stringMatching(/FAILURE/),
        vanished_since: expect.any(Number),
      });
      await w.pollRound(61_000);
      expect((await w.task(id))?.fail_reason).toBe('the upstream no longer knows this task');
      await expectRefundedOnce(id, before);
    });

    it('deleting a channel fails and refunds its unfinished tasks at once', async () => {
      const extra = await w.addChannel(w.simUrl, { name: 'to delete', priority: 100 });
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'orphan sim:hang' })).body.result as string;
      expect((await w.task(id))?.channel_id).toBe(extra);
      expect((await w.t.request('DELETE', `/api/channel/${extra}`, { as: w.t.root })).status).toBe(200);
      expect((await w.task(id))?.fail_reason).toBe(`the channel ${extra} was deleted`);
      await expectRefundedOnce(id, before);
    });

    it('a restart in the middle loses nothing: the new process picks the task up and finishes it', async () => {
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'survives a restart' })).body
        .result as string;
      w.generate(5_000);
      await w.pollRound();
      await w.t.reopen();
      await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');
      expect((await w.fetchTask(id)).body.status).toBe('SUCCESS');
    });

    it('a submit interrupted by a crash (charged, never answered) is failed and refunded after the grace period', async () => {
      const before = await w.balance();
      const { store } = w.t.ctx;
      const now = w.t.clock.now();
      const taskId = '1999999999999001';
      // What a process leaves behind when it dies during the upstream call: the reservation, the bare task row and
      // its poll, due when the grace period ends.
      await reserveQuota(
        store,
        {
          userId: w.user.id,
          tokenId: w.keyId,
          taskId,
          platform: 'midjourney',
          model: 'mj_imagine',
          quota: IMAGINE,
          content: 'imagine',
        },
        now,
      );
      const id = await insertTask(
        store,
        taskValues(
          {
            task_id: taskId,
            platform: 'midjourney',
            action: 'IMAGINE',
            model: 'mj_imagine',
            user_id: w.user.id,
            token_id: w.keyId,
            channel_id: w.channelId,
            quota: IMAGINE,
            submit_time: now,
          },
          now,
        ),
      );
      await schedulePoll(store, id, now + SUBMIT_GRACE_MS);
      await w.t.reopen();
      await w.pollRound(5 * 60_000);
      expect((await w.task(taskId))?.fail_reason).toContain('never completed');
      await expectRefundedOnce(taskId, before);
    });

    it('refunds once when a poll round, a channel deletion and a second poller race to fail the same task', async () => {
      const extra = await w.addChannel(w.simUrl, { name: 'racing', priority: 200 });
      const before = await w.balance();
      const id = (await w.submit('/mj/submit/imagine', { prompt: 'contested sim:fail@0' })).body
        .result as string;
      w.generate(5_000);
      w.t.clock.advance(16_000);
      await Promise.all([
        w.t.ctx.engine.poller.runOnce(),
        w.t.ctx.engine.failChannelTasks(extra),
        w.t.ctx.engine.failChannelTasks(extra),
      ]);
      await expectRefundedOnce(id, before);
    });
  });
}
