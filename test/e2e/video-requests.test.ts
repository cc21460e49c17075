// What the video create routes make of the request itself, before anything is charged or sent: models no channel
// serves, multipart forms over their limits, and the part names a reference image may come under.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../support/app.js';
import { backends } from '../support/databases.js';
import { startVideoWorld, type VideoWorld } from '../support/video-world.js';

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);

for (const backend of backends().filter((b) => b.dialect !== 'mysql')) {
  describe.skipIf(!backend.available)(`video create requests [${backend.dialect}]`, () => {
    let w: VideoWorld;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    /** A refusal in OpenAI's shape that reached no upstream and charged nothing. */
    async function expectRefused(send: () => Promise<Response>, status: number, code: string, text: RegExp) {
      const before = await w.balance();
      const creates = w.createsSeen().length;
      const answer = await send();
      expect(answer.status, answer.text).toBe(status);
      expect(answer.body).toEqual({
        error: { message: expect.stringMatching(text), type: 'invalid_request_error', param: null, code },
      });
      expect(w.createsSeen().length).toBe(creates);
      expect(await w.balance()).toEqual(before);
      return answer;
    }

    describe('a model no channel serves', () => {
      it.each([
        ['JSON on /v1/videos', () => w.create({ prompt: 'p', model: 'veo-3' })],
        ['multipart on /v1/videos', () => w.createMultipart({ prompt: 'p', model: 'veo-3' })],
        [
          'a file in multipart on /v1/videos',
          () => w.createMultipart({ prompt: 'p', model: 'veo-3' }, { filename: 'a.png', data: PNG }),
        ],
        [
          'JSON on /v1/video/generations',
          () => w.call('POST', '/v1/video/generations', { prompt: 'p', model: 'veo-3' }),
        ],
      ])('%s is a 400 model_not_found naming the model', async (_name, send) => {
        await expectRefused(send, 400, 'model_not_found', /veo-3/);
      });

      it("a model served only to another group is the same for this key's group", async () => {
        const vip = await w.addChannel(w.simUrl, { name: 'vip only', models: 'sora-2-vip', group: 'vip' });
        expect(vip).toBeGreaterThan(0);
        await expectRefused(
          () => w.create({ prompt: 'p', model: 'sora-2-vip' }),
          400,
          'model_not_found',
          /sora-2-vip.*default|default.*sora-2-vip/,
        );
      });

      it('a served model still goes through', async () => {
        const created = await w.create({ prompt: 'p', model: 'sora-2' });
        expect(created.status, created.text).toBe(200);
      });
    });
  });
}
