// Status answers a database would refuse must not wedge the poller. A hostile or buggy upstream can send text one
// engine cannot store (U+0000 on PostgreSQL, a value over MySQL's 64 KB `text`, a lone surrogate); the poller
// writes a channel's whole status batch in one transaction, so one refused row used to roll back every task of
// the batch, round after round, and the timeout check after the write never ran.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/store/db.js';
import { backends } from '../support/databases.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';

const LONG_URL = `https://cdn.example.com/${'x'.repeat(70_000)}.png`;

/** Makes the database refuse any task update that sets `description` to 'refuse me', as a real constraint would. */
async function refuseMarkedRows(w: MjWorld, dialect: Dialect): Promise<void> {
  const db = w.t.ctx.store.db;
  if (dialect === 'sqlite') {
    await sql`create trigger refuse_marked before update on tasks when new.description = 'refuse me'
      begin select raise(abort, 'refused by the test trigger'); end`.execute(db);
  } else {
    await sql`alter table tasks add constraint refuse_marked check (description <> 'refuse me')`.execute(db);
  }
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`hostile status answers [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect);
      // Tasks on this channel time out after 1 minute.
      const put = await w.t.request('PUT', '/api/channel/', {
        as: w.t.root,
        body: { id: w.channelId, timeout_minutes: 1 },
      });
      expect(put.status, put.text).toBe(200);
    });
    afterAll(async () => w?.close());

    /** Two tasks the simulator keeps running; its status answer is then replaced by `elements`. */
    async function twoTasks() {
      const ids: string[] = [];
      for (const prompt of ['first sim:hang', 'second sim:hang'])
        ids.push((await w.submit('/mj/submit/imagine', { prompt })).body.result as string);
      const upstream = await Promise.all(ids.map(async (id) => (await w.task(id))!.upstream_id));
      const answer = (elements: Array<Record<string, unknown>>) =>
        w.sim.state.setKnobs({
          faults: {
            listByCondition: {
              kind: 'json',
              status: 200,
              body: elements.map((e, i) => ({ id: upstream[i], status: 'IN_PROGRESS', ...e })),
            },
          },
        });
      return { ids, answer };
    }

    it('stores what every engine can store: NUL and lone surrogates replaced, oversized URLs left out', async () => {
      const { ids, answer } = await twoTasks();
      answer([
        { progress: '15%', description: 'bad\u0000byte \uD800', imageUrl: LONG_URL, promptEn: 'ok\u0000' },
        { progress: '20%', description: 'fine', imageUrl: 'https://cdn.example.com/a.png' },
      ]);
      await w.pollRound();
      expect(await w.task(ids[0])).toMatchObject({
        status: 'IN_PROGRESS',
        progress: '15%',
        description: 'bad\uFFFDbyte \uFFFD',
        prompt_en: 'ok\uFFFD',
        image_url: '',
      });
      expect(await w.task(ids[1])).toMatchObject({
        status: 'IN_PROGRESS',
        progress: '20%',
        image_url: 'https://cdn.example.com/a.png',
      });
      // The client sees the cleaned text too.
      const fetched = await w.fetchTask(ids[0]);
      expect(fetched.body.description).toBe('bad\uFFFDbyte \uFFFD');
      w.sim.state.setKnobs({ faults: {} });
    });

    it('a row the database refuses stops only itself: its batch moves on and it still times out, refunded', async () => {
      await refuseMarkedRows(w, backend.dialect);
      const { ids, answer } = await twoTasks();
      answer([
        { progress: '30%', description: 'refuse me' },
        { progress: '40%', description: 'fine' },
      ]);
      await w.pollRound();
      expect(await w.task(ids[0])).toMatchObject({ status: 'NOT_START', progress: '0%' });
      expect(await w.task(ids[1])).toMatchObject({ status: 'IN_PROGRESS', progress: '40%' });

      // Past the channel's timeout, whatever the upstream keeps answering, both fail with a refund.
      await w.pollRound(2 * 60_000);
      for (const id of ids) {
        expect(await w.task(id)).toMatchObject({ status: 'FAILURE', refunded: 1 });
        expect((await w.ledgerOf(id)).map((r) => r.kind)).toEqual(['charge', 'refund']);
      }
      w.sim.state.setKnobs({ faults: {} });
    });
  });
}
