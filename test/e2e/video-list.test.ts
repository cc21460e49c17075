// GET /v1/videos: OpenAI's cursor-paginated list of the caller's own videos, from Taskgate's store. Pages follow
// `after` in either order without gaps or repeats; another user's videos never appear; bad parameters are 400s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/databases.js';
import { startVideoWorld, type VideoWorld } from '../support/video-world.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`GET /v1/videos [${backend.dialect}]`, () => {
    let w: VideoWorld;
    /** The world user's videos, oldest first. */
    const mine: string[] = [];
    let theirs: string;
    let strangerKey: string;
    beforeAll(async () => {
      w = await startVideoWorld(backend.dialect);
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      strangerKey = (await w.t.createKey(stranger)).key;
      for (let i = 0; i < 5; i++) {
        const created = await w.create({ prompt: `video ${i}` });
        expect(created.status, created.text).toBe(200);
        mine.push(created.body.id);
        // Interleaved: the stranger's rows sit between the user's.
        if (i === 2) theirs = (await w.create({ prompt: 'not yours' }, strangerKey)).body.id;
      }
    });
    afterAll(async () => w?.close());

    const list = (query = '', key?: string) => w.call('GET', `/v1/videos${query}`, undefined, key);
    const idsOf = (body: { data: Array<{ id: string }> }) => body.data.map((v) => v.id);

    it('lists the caller’s videos newest first in OpenAI’s list shape, each as GET /v1/videos/{id} shows it', async () => {
      const answer = await list();
      expect(answer.status, answer.text).toBe(200);
      const newestFirst = [...mine].reverse();
      expect(answer.body).toMatchObject({
        object: 'list',
        first_id: newestFirst[0],
        last_id: newestFirst.at(-1),
        has_more: false,
      });
      expect(idsOf(answer.body)).toEqual(newestFirst);
      expect(answer.text).not.toContain(theirs);
      for (const video of answer.body.data) {
        expect(video).toEqual((await w.call('GET', `/v1/videos/${video.id}`)).body);
      }
    });

    it.each([
      ['desc', '', [...'43210']],
      ['asc', '&order=asc', [...'01234']],
    ])('pages of 2 in %s order follow `after` through every video once', async (_order, extra, expected) => {
      const seen: string[] = [];
      let after = '';
      for (let page = 0; page < 3; page++) {
        const answer = await list(`?limit=2${extra}${after ? `&after=${after}` : ''}`);
        expect(answer.status, answer.text).toBe(200);
        const ids = idsOf(answer.body);
        expect(answer.body.first_id).toBe(ids[0]);
        expect(answer.body.last_id).toBe(ids.at(-1));
        expect(answer.body.has_more).toBe(page < 2);
        seen.push(...ids);
        after = answer.body.last_id;
      }
      expect(seen).toEqual(expected.map((i) => mine[Number(i)]));
    });

    it('`after` the last video is an empty page', async () => {
      const answer = await list(`?after=${mine[0]}`);
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual({
        object: 'list',
        data: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
    });

    it('a user without videos gets an empty list; the stranger sees only theirs', async () => {
      const nobody = await w.t.createUser({ quota: 1 });
      const empty = await list('', (await w.t.createKey(nobody)).key);
      expect(empty.body).toEqual({
        object: 'list',
        data: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
      const stranger = await list('', strangerKey);
      expect(idsOf(stranger.body)).toEqual([theirs]);
    });

    it.each([
      ['limit 0', '?limit=0', /limit/],
      ['limit 101', '?limit=101', /limit/],
      ['a limit that is no number', '?limit=ten', /limit/],
      ['a fractional limit', '?limit=2.5', /limit/],
      ['an empty limit', '?limit=', /limit/],
      ['an unknown order', '?order=newest', /order/],
      ['an unknown cursor', '?after=task_nosuchtask', /after/],
      ['another user’s video as cursor', () => `?after=${theirs}`, /after/],
    ])('%s is a 400 in OpenAI’s shape', async (_name, query, text) => {
      const answer = await list(typeof query === 'function' ? query() : query);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringMatching(text),
      });
      if (typeof query === 'function') expect(answer.text).not.toContain(theirs);
    });
  });
}
