// Seed 001 for real Suno tasks: songs and lyrics that went through the simulator are listed by /api/task/self and
// /api/task/ field by field as the seed shows them (times in seconds, properties and data as JSON, media through
// signed Taskgate URLs), with the seed's filters, new-api's MUSIC/LYRICS aliases and the admin's extra fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSeconds } from '../../src/core/clock.js';
import { verifyMediaSignature } from '../../src/core/media-signing.js';
import { quotaFor } from '../../src/core/pricing.js';
import type { TaskRow } from '../../src/store/schema.js';
import { backends } from '../support/databases.js';
import { pollUntil, type SunoWorld, startSunoWorld, statusIs, submitted } from '../support/suno-world.js';

const MUSIC = quotaFor(0.3, 1);
/** The keys of seed 001's `/api/task/self` item, and what the contract adds (§5). */
const SEED_SELF_KEYS = [
  'id',
  'created_at',
  'updated_at',
  'task_id',
  'platform',
  'user_id',
  'quota',
  'action',
  'status',
  'fail_reason',
  'submit_time',
  'start_time',
  'finish_time',
  'progress',
  'properties',
  'data',
];
const CONTRACT_EXTRAS = ['refunded'];
/** Seed 001's `/api/task/` item adds `channel_id`; Taskgate's admins also see the upstream id. */
const ADMIN_EXTRAS = ['channel_id', 'upstream_id'];

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read freely.
type Json = any;

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`suno tasks in the task center (seed 001) [${backend.dialect}]`, () => {
    let w: SunoWorld;
    let song: TaskRow;
    let lyrics: TaskRow;
    let failed: TaskRow;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
      const songId = await submitted(w, 'music', {
        prompt: '[Verse]\nSalt on the wind',
        tags: 'sea shanty',
        title: 'Salt',
        mv: 'chirp-v3-5',
      });
      const lyricsId = await submitted(w, 'lyrics', { prompt: 'a harbour at dawn' });
      const failedId = await submitted(w, 'music', { prompt: 'sim:error=moderated' });
      await pollUntil(w, statusIs(w, songId, 'SUCCESS'), { simMs: 20_000 });
      await pollUntil(w, statusIs(w, failedId, 'FAILURE'));
      [song, lyrics, failed] = (await Promise.all([songId, lyricsId, failedId].map((id) => w.task(id)))).map(
        (row) => row!,
      );
    });
    afterAll(async () => w?.close());

    const list = (path: string, as = w.user) => w.t.request('GET', path, { as });
    const ids = (body: Json) => body.data.items.map((i: Json) => i.task_id);

    /** A signed forwarding URL of this Taskgate for one file of the task. */
    function expectSigned(url: string, taskId: string, ref: string) {
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).toBe(`${w.t.url}/task/media/${taskId}/${ref}`);
      const ok = verifyMediaSignature(
        w.t.ctx.secret,
        parsed.pathname,
        parsed.searchParams.get('exp')!,
        parsed.searchParams.get('sig')!,
        w.t.clock.now(),
        parsed.searchParams.get('v')!,
      );
      expect(ok).toBe(true);
    }

    /** The item as the seed shows it, field by field, for a task row. */
    function expectSeedFields(item: Json, row: TaskRow, keys: string[]) {
      expect(Object.keys(item).sort()).toEqual([...keys].sort());
      expect(item).toMatchObject({
        id: row.id,
        created_at: toSeconds(row.created_at),
        updated_at: toSeconds(row.updated_at),
        task_id: row.task_id,
        platform: 'suno',
        user_id: w.user.id,
        quota: row.quota,
        action: row.action,
        status: row.status,
        fail_reason: row.fail_reason,
        submit_time: toSeconds(row.submit_time),
        start_time: toSeconds(row.start_time),
        finish_time: toSeconds(row.finish_time),
        progress: row.progress,
        refunded: row.refunded === 1,
      });
      for (const key of ['id', 'created_at', 'updated_at', 'user_id', 'quota', 'submit_time', 'finish_time'])
        expect(Number.isInteger(item[key]), key).toBe(true);
      expect(item.submit_time).toBeLessThan(1e11); // seconds, not milliseconds
      expect(typeof item.properties).toBe('object');
      expect(typeof item.data).toBe('object');
    }

    it('GET /api/task/self with the seed’s query answers a song field by field', async () => {
      const s = toSeconds(song.submit_time);
      const res = await list(
        `/api/task/self?p=1&page_size=20&platform=suno&task_id=${song.task_id}&status=SUCCESS&action=song` +
          `&start_timestamp=${s}&end_timestamp=${s + 86400}`,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        success: true,
        message: '',
        data: { total: 1, page: 1, page_size: 20 },
      });
      const item = res.body.data.items[0];
      expectSeedFields(item, song, [...SEED_SELF_KEYS, ...CONTRACT_EXTRAS]);
      expect(item).toMatchObject({
        quota: MUSIC,
        action: 'song',
        status: 'SUCCESS',
        progress: '100%',
        fail_reason: '',
      });
      expect(item.start_time).toBeGreaterThan(0);
      expect(item.finish_time).toBeGreaterThanOrEqual(item.start_time);
      expect(item.properties).toEqual({
        prompt: '[Verse]\nSalt on the wind',
        tags: 'sea shanty',
        title: 'Salt',
        mv: 'chirp-v3-5',
        make_instrumental: false,
        model: 'suno_music',
      });
      // data: the upstream's clips, every media URL Taskgate's own, signed; nothing points at the upstream.
      expect(item.data).toHaveLength(2);
      expect(JSON.stringify(item.data)).not.toContain(w.simUrl);
      const stored = JSON.parse(song.data) as Json[];
      for (const [index, clip] of item.data.entries()) {
        expect(clip).toMatchObject({ id: stored[index].id, status: 'complete', title: 'Salt' });
        for (const field of ['audio_url', 'video_url', 'image_url', 'image_large_url'])
          expectSigned(clip[field], song.task_id, `${index}.${field}`);
      }
      const audio = await fetch(item.data[0].audio_url, { headers: { range: 'bytes=10-19' } });
      expect(audio.status).toBe(206);
      expect(audio.headers.get('content-type')).toBe('audio/mpeg');
      expect((await audio.arrayBuffer()).byteLength).toBe(10);
    });

    it('GET /api/task/ (admin) adds channel_id, and its filters find the same song', async () => {
      const s = toSeconds(song.submit_time);
      const res = await list(
        `/api/task/?p=1&page_size=20&channel_id=${w.channelId}&platform=suno&task_id=${song.task_id}` +
          `&status=SUCCESS&action=song&start_timestamp=${s}&end_timestamp=${s + 86400}`,
        w.t.root,
      );
      expect(res.status, res.text).toBe(200);
      expect(res.body.data.total).toBe(1);
      const item = res.body.data.items[0];
      expectSeedFields(item, song, [...SEED_SELF_KEYS, ...CONTRACT_EXTRAS, ...ADMIN_EXTRAS]);
      expect(item).toMatchObject({ channel_id: w.channelId, upstream_id: song.upstream_id });
      const bare = await list(`/api/task?user_id=${w.user.id}&task_id=${song.task_id}`, w.t.root);
      expect(ids(bare.body)).toEqual([song.task_id]);
    });

    it('lyrics and failed songs read the same way: the lyrics object as data, the reason and refund', async () => {
      const res = await list(`/api/task/self?task_id=${lyrics.task_id}`);
      const item = res.body.data.items[0];
      expectSeedFields(item, lyrics, [...SEED_SELF_KEYS, ...CONTRACT_EXTRAS]);
      expect(item).toMatchObject({
        action: 'lyrics',
        status: 'SUCCESS',
        properties: { prompt: 'a harbour at dawn', model: 'suno_lyrics' },
      });
      expect(item.data).toMatchObject({
        id: lyrics.upstream_id,
        status: 'complete',
        text: expect.any(String),
      });
      const bad = (await list(`/api/task/self?task_id=${failed.task_id}`)).body.data.items[0];
      expectSeedFields(bad, failed, [...SEED_SELF_KEYS, ...CONTRACT_EXTRAS]);
      expect(bad).toMatchObject({
        status: 'FAILURE',
        fail_reason: 'moderated',
        progress: '100%',
        refunded: true,
      });
    });

    it('action values and filters: song/MUSIC, lyrics/LYRICS, status, platform, time window', async () => {
      const mine = async (query: string) => {
        const res = await list(`/api/task/self?${query}`);
        expect(res.status, query).toBe(200);
        return ids(res.body);
      };
      const songs = [failed.task_id, song.task_id];
      expect(await mine('action=song')).toEqual(songs);
      expect(await mine('action=MUSIC')).toEqual(songs);
      expect(await mine('action=lyrics')).toEqual([lyrics.task_id]);
      expect(await mine('action=LYRICS')).toEqual([lyrics.task_id]);
      expect(await mine('action=MUSIC&status=FAILURE')).toEqual([failed.task_id]);
      expect(await mine('status=SUCCESS')).toEqual([lyrics.task_id, song.task_id]);
      expect(await mine('status=IN_PROGRESS')).toEqual([]);
      expect(await mine('platform=suno')).toEqual([failed.task_id, lyrics.task_id, song.task_id]);
      expect(await mine('platform=openai-video')).toEqual([]);
      const s = toSeconds(song.submit_time);
      expect(await mine(`platform=suno&start_timestamp=${s}&end_timestamp=${s}`)).toContain(song.task_id);
      expect(await mine(`start_timestamp=${s * 1000}&end_timestamp=${(s + 86400) * 1000}`)).toHaveLength(3);
      expect(await mine(`start_timestamp=${s + 86400}`)).toEqual([]);
      expect((await list('/api/task/self?start_timestamp=yesterday')).status).toBe(400);
      expect((await list('/api/task/self?platform=midjourney')).status).toBe(400);
      // Suno tasks belong to the task center, never to the Midjourney pages.
      expect((await list('/api/mj/self')).body.data.items).toEqual([]);
    });

    it('another user sees none of these tasks, whatever the filters', async () => {
      const stranger = await w.t.createUser();
      for (const query of [
        '',
        `task_id=${song.task_id}`,
        `user_id=${w.user.id}`,
        'platform=suno&action=MUSIC',
      ]) {
        const res = await list(`/api/task/self?${query}`, stranger);
        expect(res.body.data).toMatchObject({ items: [], total: 0 });
      }
    });
  });
}
