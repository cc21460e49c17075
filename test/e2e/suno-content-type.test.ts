// Suno-API clients send their JSON with whatever Content-Type they like (text/plain, form types, none at all):
// Suno-API decodes the body as JSON regardless, so Taskgate's /suno/* routes do too. Malformed JSON stays a 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { type SunoWorld, startSunoWorld } from '../support/suno-world.js';

const CONTENT_TYPES: Array<[string, string | undefined]> = [
  ['text/plain', 'text/plain'],
  ['text/plain with a charset', 'text/plain;charset=UTF-8'],
  ['a form type', 'application/x-www-form-urlencoded'],
  ['an odd type', 'application/octet-stream'],
  ['a header that is no media type', 'json'],
  ['no Content-Type at all', undefined],
];

for (const backend of backends().filter((b) => b.dialect === 'sqlite')) {
  describe.skipIf(!backend.available)(`suno bodies whatever their Content-Type [${backend.dialect}]`, () => {
    let w: SunoWorld;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    /** A raw POST: fetch sends no Content-Type for a Uint8Array body. */
    async function post(path: string, raw: string, contentType: string | undefined) {
      const headers: Record<string, string> = { authorization: `Bearer ${w.key}` };
      if (contentType) headers['content-type'] = contentType;
      const response = await fetch(`${w.t.url}${path}`, {
        method: 'POST',
        headers,
        body: new TextEncoder().encode(raw),
      });
      const text = await response.text();
      expect(response.headers.get('content-type') ?? '').toContain('application/json');
      return { status: response.status, body: JSON.parse(text), text };
    }

    it.each(CONTENT_TYPES)('submit and fetch read the JSON body sent with %s', async (_name, type) => {
      const submit = await post(
        '/suno/submit/music',
        JSON.stringify({ prompt: 'a song', tags: 'pop' }),
        type,
      );
      expect(submit.status, submit.text).toBe(200);
      expect(submit.body).toMatchObject({ code: 'success', data: expect.stringMatching(/^task_/) });
      const task = await w.task(submit.body.data);
      expect(JSON.parse(task!.properties)).toMatchObject({ prompt: 'a song', tags: 'pop' });

      const fetched = await post('/suno/fetch', JSON.stringify({ ids: [submit.body.data] }), type);
      expect(fetched.status, fetched.text).toBe(200);
      expect(fetched.body.data.map((t: { task_id: string }) => t.task_id)).toEqual([submit.body.data]);
    });

    it.each(CONTENT_TYPES)(
      'malformed JSON sent with %s is a 400 saying so, charging nothing',
      async (_n, type) => {
        const before = await w.balance();
        // An empty body too when a type is declared (a typeless empty body is no body: `prompt` is then missing).
        for (const raw of ['{"prompt": "a song"', 'prompt=a+song', ...(type ? [''] : [])]) {
          const answer = await post('/suno/submit/music', raw, type);
          expect(answer.status, `${raw}: ${answer.text}`).toBe(400);
          expect(answer.body).toEqual({ code: 'invalid_json', message: expect.any(String), data: null });
          expect(answer.body.message).toMatch(/JSON/);
        }
        const fetched = await post('/suno/fetch', '{"ids": [', type);
        expect(fetched.status, fetched.text).toBe(400);
        expect(fetched.body.code).toBe('invalid_json');
        expect(await w.balance()).toEqual(before);
      },
    );

    it('a JSON body that is not an object is still refused by the schema', async () => {
      const answer = await post('/suno/submit/music', '"a song"', 'text/plain');
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body).toMatchObject({ code: 'invalid_request', data: null });
    });
  });
}
