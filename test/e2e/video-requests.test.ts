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
      expect(answer.status, answer.text.slice(0, 300)).toBe(status);
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

    describe('multipart forms over a limit', () => {
      const MiB = 1024 * 1024;

      it('a prompt of 30,000 three-byte characters (90 KB, under 32,000 characters) reaches the upstream whole', async () => {
        const prompt = '動'.repeat(30_000);
        const created = await w.createMultipart({ prompt, model: 'sora-2' });
        expect(created.status, created.text.slice(0, 300)).toBe(200);
        expect(w.createsSeen().at(-1)!.body).toMatchObject({ prompt });
        expect((await w.task(created.body.id))!.prompt).toBe(prompt);
      });

      it('a field over 128 KiB is a 413 naming it, never accepted cut short', async () => {
        // 150 KB but 25,000 characters: cut at any byte limit it would still pass the prompt's length check.
        const answer = await expectRefused(
          () => w.createMultipart({ prompt: '動'.repeat(50_000) }),
          413,
          'form_too_large',
          /prompt/,
        );
        expect(answer.body.error.message).toMatch(/128 KiB/);
        await expectRefused(
          () => w.createMultipart({ prompt: 'p', metadata: 'x'.repeat(200_000) }),
          413,
          'form_too_large',
          /metadata/,
        );
      });

      it('a file over 20 MiB is a 413 naming the part and the limit', async () => {
        await expectRefused(
          () =>
            w.createMultipart(
              { prompt: 'p' },
              { filename: 'big.png', type: 'image/png', data: Buffer.alloc(21 * MiB, 1) },
            ),
          413,
          'form_too_large',
          /input_reference.*20 MiB/,
        );
      });

      it('a second file and a 21st field are 413s saying what the form takes', async () => {
        const file = { filename: 'a.png', type: 'image/png', data: PNG };
        await expectRefused(
          () => w.createMultipart({ prompt: 'p' }, [file, file]),
          413,
          'form_too_large',
          /one file/,
        );
        const fields = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 'v']));
        await expectRefused(
          () => w.createMultipart({ prompt: 'p', ...fields }),
          413,
          'form_too_large',
          /20 fields/,
        );
      });
    });

    describe('the part a reference image comes under', () => {
      const routes = ['/v1/videos', '/v1/video/generations'];
      const cases = routes.flatMap((path) =>
        ['input_reference', 'image', 'images'].map((name) => [path, name]),
      );

      it.each(cases)('%s takes the file under %s and forwards it as input_reference', async (path, name) => {
        const created = await w.createMultipart(
          { prompt: 'animate this' },
          { name, filename: 'ref.png', type: 'image/png', data: PNG },
          path,
        );
        expect(created.status, created.text.slice(0, 300)).toBe(200);
        expect(w.createsSeen().at(-1)!.body).toContainEqual({
          name: 'input_reference',
          filename: 'ref.png',
          contentType: 'image/png',
          size: PNG.length,
        });
        const row = (await w.task(created.body.id))!;
        expect(row.action).toBe('generate');
        expect(JSON.parse(row.properties).input_reference).toEqual({
          filename: 'ref.png',
          content_type: 'image/png',
          bytes: PNG.length,
        });
      });

      it.each(
        routes.flatMap((path) => ['file', 'reference', 'input_references'].map((name) => [path, name])),
      )('%s refuses a file under %s with a 400 naming the part, not dropping it', async (path, name) => {
        const answer = await expectRefused(
          () => w.createMultipart({ prompt: 'p' }, { name, filename: 'ref.png', data: PNG }, path),
          400,
          'invalid_request',
          new RegExp(`\\b${name}\\b`),
        );
        expect(answer.body.error.message).toMatch(/input_reference/);
      });

      it('a text field under an unknown name is still ignored, as in JSON', async () => {
        const created = await w.createMultipart({ prompt: 'p', user: 'someone' });
        expect(created.status, created.text.slice(0, 300)).toBe(200);
      });
    });
  });
}
