// Suno continuations ("extend"): they must name the caller's own song and one of its clips, go to that song's
// channel with the upstream's ids, and are charged as music; anything else is refused before any charge.
// On SQLite and PostgreSQL (and MariaDB when it answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quotaFor } from '../../src/core/pricing.js';
import { createSunoSimulator } from '../../src/sim/suno/index.js';
import { backends } from '../support/databases.js';
import { pollUntil, type SunoWorld, startSunoWorld, statusIs, submitted } from '../support/suno-world.js';

const MUSIC = quotaFor(0.3, 1);

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`suno continuations [${backend.dialect}]`, () => {
    let w: SunoWorld;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    it('a continuation names my own song, goes to its channel and upstream id, and is charged as music', async () => {
      const origin = await submitted(w, 'music', { prompt: 'first part', tags: 'rock' });
      await pollUntil(w, statusIs(w, origin, 'SUCCESS'), { simMs: 20_000 });
      const originRow = (await w.task(origin))!;
      const clipId = (await w.fetchOne(origin)).body.data.data[1].id as string;
      // A better channel appears: new songs go there, the continuation must not.
      const other = createSunoSimulator({ secretToken: 'sim-suno-secret' });
      const better = await w.addChannel(await other.listen(), { name: 'better', priority: 10 });
      try {
        const before = await w.balance();
        const answer = await w.submit('music', {
          prompt: 'second part',
          tags: 'rock',
          continue_clip_id: clipId,
          continue_at: 42.5,
          task_id: origin,
        });
        expect(answer.body, answer.text).toMatchObject({ code: 'success' });
        const child = (await w.task(answer.body.data))!;
        expect(child).toMatchObject({
          channel_id: originRow.channel_id,
          parent_task_id: origin,
          action: 'song',
          quota: MUSIC,
        });
        expect((await w.balance()).quota).toBe(before.quota - MUSIC);
        const sent = w.sim.state.calls.requests.filter((r) => r.url === '/suno/submit/MUSIC').at(-1)!;
        expect(sent.body).toMatchObject({
          continue_clip_id: clipId,
          continue_at: 42.5,
          task_id: originRow.upstream_id,
        });
        expect(JSON.stringify(sent.body)).not.toContain(origin);
        expect(JSON.parse(child.properties)).toMatchObject({
          prompt: 'second part',
          continue_clip_id: clipId,
          continue_at: 42.5,
          task_id: origin,
        });
        await pollUntil(w, statusIs(w, child.task_id, 'SUCCESS'), { simMs: 20_000 });
        const clips = (await w.fetchOne(child.task_id)).body.data.data;
        expect(clips[0].metadata.history).toEqual([
          expect.objectContaining({ id: clipId, continue_at: 42.5 }),
        ]);
        // Without a continuation the better channel wins.
        const plain = await submitted(w, 'music', { prompt: 'elsewhere' });
        expect((await w.task(plain))?.channel_id).toBe(better);
      } finally {
        await w.t.request('DELETE', `/api/channel/${better}`, { as: w.t.root });
        await other.close();
      }
    });

    it('refuses continuations of unknown, foreign, lyrics tasks and of clips the task does not have', async () => {
      const song = await submitted(w, 'music', { prompt: 'mine' });
      const lyrics = await submitted(w, 'lyrics', { prompt: 'words' });
      await pollUntil(w, statusIs(w, song, 'SUCCESS'), { simMs: 20_000 });
      const clipId = (await w.fetchOne(song)).body.data.data[0].id as string;
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      const { key } = await w.t.createKey(stranger);
      const before = await w.balance();
      const cases: Array<[string, unknown, number, string, string?]> = [
        ['missing task_id', { prompt: 'x', continue_clip_id: clipId }, 400, 'invalid_request'],
        [
          'unknown task',
          { prompt: 'x', continue_clip_id: clipId, task_id: 'task_nope' },
          404,
          'task_not_exist',
        ],
        ['a lyrics task', { prompt: 'x', continue_clip_id: clipId, task_id: lyrics }, 400, 'invalid_request'],
        ['a foreign clip', { prompt: 'x', continue_clip_id: 'f00', task_id: song }, 400, 'invalid_request'],
        [
          'another user',
          { prompt: 'x', continue_clip_id: clipId, task_id: song },
          404,
          'task_not_exist',
          key,
        ],
      ];
      for (const [name, body, status, code, as] of cases) {
        const answer = await w.submit('music', body, as);
        expect(answer.status, name).toBe(status);
        expect(answer.body, name).toEqual({ code, message: expect.any(String), data: null });
      }
      expect(await w.balance()).toEqual(before);
    });

    it('a continuation whose song’s channel is disabled is refused, not sent elsewhere, and costs nothing', async () => {
      const extra = await w.addChannel(w.simUrl, { name: 'soon disabled', priority: 50 });
      const song = await submitted(w, 'music', { prompt: 'on a channel that goes away' });
      await pollUntil(w, statusIs(w, song, 'SUCCESS'), { simMs: 20_000 });
      expect((await w.task(song))?.channel_id).toBe(extra);
      const clipId = (await w.fetchOne(song)).body.data.data[0].id as string;
      const disabled = await w.t.request('PUT', '/api/channel/', {
        as: w.t.root,
        body: { id: extra, status: 2 },
      });
      expect(disabled.status, disabled.text).toBe(200);
      const before = await w.balance();
      const calls = w.sim.state.calls.callsOf('POST /suno/submit/:action');
      const answer = await w.submit('music', { prompt: 'more', continue_clip_id: clipId, task_id: song });
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ code: 'service_unavailable', message: expect.any(String), data: null });
      expect(w.sim.state.calls.callsOf('POST /suno/submit/:action')).toBe(calls);
      expect(await w.balance()).toEqual(before);
    });
  });
}
