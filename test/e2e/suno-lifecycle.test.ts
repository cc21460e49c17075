// Suno end to end over real HTTP: submit through Taskgate, the Suno-API simulator generates, the poller follows,
// the media download through Taskgate's signed URLs, fetch answers from Taskgate's store, bad input costs nothing.
// On SQLite and PostgreSQL (and MariaDB when it answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMediaSignature } from '../../src/core/media-signing.js';
import { quotaFor } from '../../src/core/pricing.js';
import { backends } from '../support/databases.js';
import {
  pollUntil,
  SONG_DONE_MS,
  type SunoWorld,
  startSunoWorld,
  statusIs,
  submitted,
} from '../support/suno-world.js';

const MUSIC = quotaFor(0.3, 1);
const LYRICS = quotaFor(0.01, 1);
const TASK_ID = /^task_[A-Za-z0-9]{32}$/;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`suno lifecycle [${backend.dialect}]`, () => {
    let w: SunoWorld;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
    });
    afterAll(async () => w?.close());

    /** A signed Taskgate media URL for this task, whose signature holds. */
    function expectSigned(url: string, taskId: string, ref: string) {
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).toBe(`${w.t.url}/task/media/${taskId}/${ref}`);
      const [exp, sig, v] = ['exp', 'sig', 'v'].map((name) => parsed.searchParams.get(name)!);
      expect(verifyMediaSignature(w.t.ctx.secret, parsed.pathname, exp, sig, w.t.clock.now(), v)).toBe(true);
    }

    it('a song: Taskgate id, charged once, followed to SUCCESS; audio, video and covers download', async () => {
      const before = await w.balance();
      const answer = await w.submit('music', {
        prompt: '[Verse]\nNeon rain on the boulevard',
        tags: 'synthwave',
        title: 'Neon Nights',
        mv: 'chirp-v3-5',
      });
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).sort()).toEqual(['code', 'data', 'message']);
      const id = answer.body.data as string;
      expect(id).toMatch(TASK_ID);
      const row = await w.task(id);
      expect(row).toMatchObject({ platform: 'suno', action: 'song', model: 'suno_music', quota: MUSIC });
      expect(row!.upstream_id).toMatch(/^[0-9a-f]{32}$/);
      expect(answer.text).not.toContain(row!.upstream_id);
      expect(await w.balance()).toMatchObject({
        quota: before.quota - MUSIC,
        keyRemain: before.keyRemain - MUSIC,
        usedQuota: before.usedQuota + MUSIC,
      });
      // What went upstream: the Suno-API route, the channel's key as Bearer, only the fields Suno-API knows.
      const sent = w.sim.state.calls.requests.filter((r) => r.route === 'POST /suno/submit/:action').at(-1)!;
      expect(sent.url).toBe('/suno/submit/MUSIC');
      expect(sent.headers.authorization).toBe('Bearer sim-suno-secret');
      expect(sent.body).toEqual({
        prompt: '[Verse]\nNeon rain on the boulevard',
        tags: 'synthwave',
        title: 'Neon Nights',
        mv: 'chirp-v3-5',
        make_instrumental: false,
      });

      const fresh = await w.fetchOne(id);
      expect(fresh.body).toMatchObject({
        code: 'success',
        data: { task_id: id, action: 'MUSIC', status: 'NOT_START', data: [] },
      });

      // Queued, then streaming: progress moves and the clips show, their media through Taskgate already.
      w.generate(30_000);
      await w.pollRound();
      const running = (await w.fetchOne(id)).body.data;
      expect(running).toMatchObject({ status: 'IN_PROGRESS', progress: '50%', finish_time: 0 });
      expect(running.start_time).toBeGreaterThan(0);
      expect(running.data).toHaveLength(2);
      expectSigned(running.data[0].audio_url, id, '0.audio_url');
      expect(running.data[0].video_url).toBe('');

      w.generate(SONG_DONE_MS);
      await w.pollRound();
      const done = (await w.fetchOne(id)).body.data;
      expect(done).toMatchObject({
        task_id: id,
        action: 'MUSIC',
        status: 'SUCCESS',
        progress: '100%',
        fail_reason: '',
      });
      expect(done.finish_time).toBeGreaterThanOrEqual(done.start_time);
      expect(done.submit_time).toBe(Math.floor(row!.submit_time / 1000));
      expect(done.data.map((c: { status: string }) => c.status)).toEqual(['complete', 'complete']);
      expect(done.data[0]).toMatchObject({ title: 'Neon Nights', metadata: { tags: 'synthwave' } });
      expect(JSON.stringify(done)).not.toContain(w.simUrl);
      for (const [index, clip] of done.data.entries()) {
        for (const field of ['audio_url', 'video_url', 'image_url', 'image_large_url'])
          expectSigned(clip[field], id, `${index}.${field}`);
      }
      // The stream became the finished file upstream: its link changed too, so no player keeps the stream.
      expect(done.data[0].audio_url).not.toBe(running.data[0].audio_url);

      // Plain URLs work without headers: real MP3, MP4 and cover bytes from the upstream, Range included.
      const audio = await fetch(done.data[0].audio_url);
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe('audio/mpeg');
      const mp3 = new Uint8Array(await audio.arrayBuffer());
      expect([mp3[0], mp3[1]]).toEqual([0xff, 0xfb]);
      const part = await fetch(done.data[1].audio_url, { headers: { range: 'bytes=0-99' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 0-99/${mp3.length}`);
      expect((await part.arrayBuffer()).byteLength).toBe(100);
      const video = await fetch(done.data[0].video_url);
      expect(video.headers.get('content-type')).toBe('video/mp4');
      expect(
        Buffer.from(await video.arrayBuffer())
          .subarray(4, 8)
          .toString(),
      ).toBe('ftyp');
      const videoPart = await fetch(done.data[0].video_url, { headers: { range: 'bytes=0-7' } });
      expect(videoPart.status).toBe(206);
      for (const field of ['image_url', 'image_large_url']) {
        const cover = await fetch(done.data[1][field]);
        expect(cover.status).toBe(200);
        expect(cover.headers.get('content-type')).toMatch(/^image\//);
      }
      // A signature is for one file of one task: changing the ref breaks it.
      const forged = done.data[0].audio_url.replace('0.audio_url', '1.audio_url');
      expect((await fetch(forged)).status).toBe(403);

      const after = await w.balance();
      expect(after.quota).toBe(before.quota - MUSIC);
      expect(after.ledger).toBe(after.quota);
      expect(await w.ledgerOf(id)).toEqual([{ kind: 'charge', quota: MUSIC }]);
    });

    it('lyrics: priced as lyrics, SUCCESS after the first poll, the lyrics object as data', async () => {
      const before = await w.balance();
      const id = await submitted(w, 'LYRICS', { prompt: 'a lighthouse keeper' });
      expect(id).toMatch(TASK_ID);
      expect(await w.task(id)).toMatchObject({ action: 'lyrics', model: 'suno_lyrics', quota: LYRICS });
      expect((await w.balance()).quota).toBe(before.quota - LYRICS);
      await w.pollRound();
      const done = (await w.fetchOne(id)).body.data;
      expect(done).toMatchObject({ action: 'LYRICS', status: 'SUCCESS', progress: '100%' });
      expect(done.data).toMatchObject({ status: 'complete', text: expect.stringContaining('[Verse]') });
      expect(done.data.id).toBe((await w.task(id))!.upstream_id);
    });

    it('inspiration mode sends only the description', async () => {
      const id = await submitted(w, 'music', {
        gpt_description_prompt: 'a calm piano piece',
        make_instrumental: true,
        unknown_field: 'dropped',
      });
      const sent = w.sim.state.calls.requests.filter((r) => r.url === '/suno/submit/MUSIC').at(-1)!;
      expect(sent.body).toEqual({
        gpt_description_prompt: 'a calm piano piece',
        mv: 'chirp-v3-0',
        make_instrumental: true,
      });
      const props = JSON.parse((await w.task(id))!.properties);
      expect(props).toEqual({
        gpt_description_prompt: 'a calm piano piece',
        mv: 'chirp-v3-0',
        make_instrumental: true,
        model: 'suno_music',
      });
      await pollUntil(w, statusIs(w, id, 'SUCCESS'), { simMs: 20_000 });
    });

    it('fetch by ids: my tasks in the order asked, unknown and foreign ids left out, [] when none', async () => {
      const a = await submitted(w, 'music', { prompt: 'one' });
      const b = await submitted(w, 'lyrics', { prompt: 'two' });
      const stranger = await w.t.createUser({ quota: 10_000_000 });
      const { key } = await w.t.createKey(stranger);
      const theirs = (await w.submit('lyrics', { prompt: 'theirs' }, key)).body.data as string;
      const many = await w.fetchMany([b, 'task_unknown', a, theirs, b]);
      expect(many.status).toBe(200);
      expect(many.body.code).toBe('success');
      expect(many.body.data.map((d: { task_id: string }) => d.task_id)).toEqual([b, a]);
      expect(Object.keys(many.body.data[0]).sort()).toEqual(
        [
          'action',
          'data',
          'fail_reason',
          'finish_time',
          'progress',
          'start_time',
          'status',
          'submit_time',
          'task_id',
        ].sort(),
      );
      expect((await w.fetchMany([])).body).toEqual({ code: 'success', message: '', data: [] });
      expect((await w.fetchMany(undefined)).body.data).toEqual([]);
      const tooMany = await w.fetchMany(Array.from({ length: 1001 }, (_, i) => `task_${i}`));
      expect(tooMany.status).toBe(400);
      expect(tooMany.body).toMatchObject({ code: 'invalid_request', data: null });
      const mine = await w.fetchOne(theirs, key);
      expect(mine.body.data.task_id).toBe(theirs);
      const foreign = await w.fetchOne(theirs);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ code: 'task_not_exist', message: expect.any(String), data: null });
    });

    it('refuses bad submits before any charge: action, prompts, types', async () => {
      const before = await w.balance();
      const cases: Array<[string, unknown, number, string]> = [
        ['video', { prompt: 'x' }, 400, 'invalid_action'],
        ['lyrics', {}, 400, 'invalid_request'],
        ['lyrics', { prompt: '   ' }, 400, 'invalid_request'],
        ['music', { tags: 'only tags' }, 400, 'invalid_request'],
        ['music', { prompt: 'x', make_instrumental: 'yes' }, 400, 'invalid_request'],
        ['music', { prompt: 12 }, 400, 'invalid_request'],
      ];
      for (const [action, body, status, code] of cases) {
        const answer = await w.submit(action, body);
        expect(answer.status, `${action} ${JSON.stringify(body)}`).toBe(status);
        expect(answer.body).toEqual({ code, message: expect.any(String), data: null });
      }
      const notJson = await w.t.request('POST', '/suno/submit/music', {
        rawBody: '{"prompt":',
        headers: { authorization: `Bearer ${w.key}`, 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(400);
      expect(notJson.body).toMatchObject({ code: 'invalid_json', data: null });
      expect(await w.balance()).toEqual(before);
    });
  });
}
