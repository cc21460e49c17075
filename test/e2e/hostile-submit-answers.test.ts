// Midjourney submit answers that are odd or hostile: ids and codes a column cannot hold, text a database refuses,
// success codes on answers that are no success. Each gets a clear answer in midjourney-proxy's shape (never a 500),
// the client is told "submitted" only for a task Taskgate tracks, and nothing stays reserved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';

const TRACKED_ID = '1767225600000123';

type Expected = { status: number; code: number; charged: boolean; description?: string };

const answers: Array<[string, number, Record<string, unknown>, Expected]> = [
  [
    'an accept whose id is too long to keep',
    200,
    { code: 1, description: 'ok', result: '7'.repeat(300) },
    { status: 502, code: 9, charged: false },
  ],
  [
    'an accept whose description holds a NUL',
    200,
    { code: 1, description: 'ok\u0000', result: TRACKED_ID },
    { status: 200, code: 1, charged: true, description: 'ok\uFFFD' },
  ],
  [
    'an accept with HTTP 201',
    201,
    { code: 1, description: 'created', result: TRACKED_ID },
    { status: 200, code: 1, charged: true },
  ],
  [
    'a refusal whose description holds a NUL',
    200,
    { code: 4, description: 'bad\u0000request', result: null },
    { status: 200, code: 4, charged: false },
  ],
  [
    'a fractional code',
    200,
    { code: 1.5, description: 'odd', result: null },
    { status: 502, code: 9, charged: false },
  ],
  [
    'a code beyond 32 bits',
    200,
    { code: 99_999_999_999, description: 'odd', result: null },
    { status: 502, code: 9, charged: false },
  ],
  [
    'a success code on a 4xx',
    400,
    { code: 22, description: 'queued?', result: null },
    { status: 400, code: 9, charged: false },
  ],
  [
    "Spring's 400 without a code (a body midjourney-proxy could not bind)",
    400,
    {
      timestamp: '2026-11-24T10:00:00.000+00:00',
      status: 400,
      error: 'Bad Request',
      path: '/mj/submit/imagine',
    },
    { status: 400, code: 4, charged: false },
  ],
];

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`hostile submit answers [${backend.dialect}]`, () => {
    let w: MjWorld;
    beforeAll(async () => {
      w = await startMjWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    it.each(answers)('%s', async (_name, status, body, expected) => {
      const before = await w.balance();
      w.sim.state.setKnobs({ faults: { submit: { kind: 'json', status, body } } });
      try {
        const res = await w.submit('/mj/submit/imagine', { prompt: 'a hostile answer' });
        expect({ status: res.status, code: res.body.code }, res.text).toEqual({
          status: expected.status,
          code: expected.code,
        });
        expect(res.body.description).toEqual(expect.any(String));
        const after = await w.balance();
        expect(after.quota < before.quota).toBe(expected.charged);
        expect(after.quota).toBe(after.ledger);
        if (expected.charged) {
          const task = (await w.task(res.body.result as string))!;
          expect(task.upstream_id).toBe(TRACKED_ID);
          if (expected.description) expect(task.description).toBe(expected.description);
        }
      } finally {
        w.sim.state.setKnobs({ faults: { submit: null } });
      }
    });
  });
}
