// The poller fails a task that has no upstream id a grace period (5 minutes) after its submit last touched it, as a
// submit its instance died in. A live submit may take longer than that in all: up to 1 + RetryTimes tries (up to
// 10), each waiting up to the submit timeout for an answer that blames the channel (a slow 502). Such a submit
// must not be failed and refunded under itself, nor its accepted task be left untracked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUBMIT_TIMEOUT_MS } from '../../src/engine/submit.js';
import { backends } from '../support/databases.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';

const SLOW_REFUSALS = 6;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(
    `a long submit and the interrupted-submit rule [${backend.dialect}]`,
    () => {
      let w: MjWorld;
      let server: Server;
      let calls = 0;

      beforeAll(async () => {
        w = await startMjWorld(backend.dialect);
        // Channels whose upstream answers 502 just before the submit timeout, then one that accepts; the poller runs
        // (on this or another instance) while the last one answers.
        server = createServer((request, response) => {
          request.resume();
          request.on('end', async () => {
            calls++;
            if (calls <= SLOW_REFUSALS) {
              // The clock moves as far as the upstream kept Taskgate waiting.
              w.t.clock.advance(DEFAULT_SUBMIT_TIMEOUT_MS - 1_000);
              response.writeHead(502).end('bad gateway');
              return;
            }
            await w.t.ctx.engine.poller.runOnce();
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(
              JSON.stringify({ code: 1, description: 'Submit success', result: '1700000000000001' }),
            );
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // Above the simulator's channel, so the submit tries these first.
        for (let i = 0; i <= SLOW_REFUSALS; i++)
          await w.addChannel(url, { name: `slow ${i}`, priority: 100 - i });
        const put = await w.t.request('PUT', '/api/option/', {
          as: w.t.root,
          body: { key: 'RetryTimes', value: String(SLOW_REFUSALS) },
        });
        expect(put.status, put.text).toBe(200);
      });
      afterAll(async () => {
        await w?.close();
        await new Promise((resolve) => server?.close(resolve));
      });

      it('a task the client is told was accepted is tracked, not failed as interrupted', async () => {
        const before = await w.balance();
        const answer = await w.submit('/mj/submit/imagine', { prompt: 'patience' });
        expect(calls).toBe(SLOW_REFUSALS + 1);
        expect(answer.body, answer.text).toMatchObject({ code: 1 });
        expect(await w.task(answer.body.result)).toMatchObject({
          status: 'NOT_START',
          upstream_id: '1700000000000001',
          fail_reason: '',
          refunded: 0,
        });
        expect((await w.ledgerOf(answer.body.result)).map((r) => r.kind)).toEqual(['charge']);
        expect((await w.balance()).quota).toBeLessThan(before.quota);
      });
    },
  );
}
