// Media forwarding over real HTTP: the midjourney-proxy simulator on loopback is a configured channel, so its real
// PNG bytes stream through Taskgate's signed URLs; signatures scope a URL to one task and one path; private targets
// that are no channel are refused before any connection; expired upstream URLs, ranges and options behave.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMjPublicId } from '../../src/core/ids.js';
import { signedMediaUrl } from '../../src/core/media-signing.js';
import { sendBytes } from '../../src/sim/common/byte-range.js';
import { stillMp4 } from '../../src/sim/common/mp4.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import type { NewTask } from '../../src/store/schema.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { type Actor, startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { type Socks5Proxy, startSocks5Proxy } from '../support/socks5-proxy.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const CLIP = stillMp4({ width: 64, height: 64, rgb: [10, 200, 30], seconds: 2 });

async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown = null;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {}
  return { status: res.status, headers: res.headers, bytes, json: json as Record<string, unknown> | null };
}

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`media forwarding [${backend.dialect}]`, () => {
    let t: TestApp;
    let sim: MidjourneySimulator;
    let simBase: string;
    let files: FastifyInstance;
    let filesBase: string;
    let decoy: Server;
    let decoyHits = 0;
    let decoyBase: string;
    let owner: Actor;
    let imageUrl: string;
    let proxy: ForwardProxy;
    let socks: Socks5Proxy;
    /** A channel that reaches its upstream through `socks`. */
    let socksChannel: number;
    /** A channel that reaches its upstream through `proxy`. */
    let proxiedChannel: number;

    /** A finished MJ task of `owner`, written through the store. */
    const addTask = async (fields: Partial<NewTask>) => {
      const taskId = newMjPublicId(t.clock.now() + Math.floor(Math.random() * 1e6));
      await insertTask(
        t.ctx.store,
        taskValues(
          {
            task_id: taskId,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: owner.id,
            submit_time: t.clock.now(),
            status: 'SUCCESS',
            progress: '100%',
            ...fields,
          },
          t.clock.now(),
        ),
      );
      return taskId;
    };

    /** The signed URL Taskgate hands out for a media path, as listings make it. */
    const signed = (path: string) => signedMediaUrl(t.url, t.ctx.secret, path, t.clock.now());

    /** The listing's item for a task, as its owner sees it. */
    const listed = async (taskId: string) => {
      const res = await t.request('GET', `/api/mj/self?mj_id=${taskId}`, { as: owner });
      expect(res.status, res.text).toBe(200);
      return res.body.data.items.find((item: { mj_id: string }) => item.mj_id === taskId);
    };

    beforeAll(async () => {
      t = await startTestApp(backend.dialect);
      sim = createMidjourneySimulator();
      simBase = await sim.listen();
      // A range-capable file host: the MJ simulator serves whole files only.
      files = Fastify({ logger: false });
      files.get('/files/clip.mp4', (request, reply) => sendBytes(request, reply, CLIP, 'video/mp4'));
      await files.listen({ host: '127.0.0.1', port: 0 });
      filesBase = `http://127.0.0.1:${(files.server.address() as AddressInfo).port}`;
      // A private address that is no channel: it must never be reached.
      decoy = createServer((_req, res) => {
        decoyHits++;
        res.end('secret');
      });
      await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.2', resolve));
      decoyBase = `http://127.0.0.2:${(decoy.address() as AddressInfo).port}`;

      for (const [type, base] of [
        ['midjourney-plus', simBase],
        ['midjourney', filesBase],
      ]) {
        const res = await t.request('POST', '/api/channel/', {
          as: t.root,
          body: { type, name: `media ${type}`, base_url: base, key: 'k' },
        });
        expect(res.status, res.text).toBe(200);
      }
      /** A channel to the simulator that reaches it through `proxyUrl`. */
      const channelBehind = async (name: string, proxyUrl: string) => {
        const res = await t.request('POST', '/api/channel/', {
          as: t.root,
          body: { type: 'midjourney-plus', name, base_url: simBase, key: 'k', proxy: proxyUrl },
        });
        expect(res.status, res.text).toBe(200);
        return res.body.data.id as number;
      };
      proxy = await startForwardProxy();
      proxiedChannel = await channelBehind('behind a proxy', proxy.url);
      socks = await startSocks5Proxy();
      socksChannel = await channelBehind('behind SOCKS5', socks.url);
      owner = await t.createUser();

      // A real upstream image URL: an imagine on the simulator, forced to SUCCESS.
      const submit = await fetch(`${simBase}/mj/submit/imagine`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a red fox' }),
      }).then((r) => r.json() as Promise<{ code: number; result: string }>);
      expect(submit.code).toBe(1);
      const forced = await fetch(`${simBase}/__sim/mj/tasks/${submit.result}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'SUCCESS' }),
      }).then((r) => r.json() as Promise<{ imageUrl: string }>);
      imageUrl = forced.imageUrl;
      expect(imageUrl.startsWith(`${simBase}/attachments/`)).toBe(true);
    });

    afterAll(async () => {
      await t?.close();
      await sim?.close();
      await files?.close();
      await proxy?.close();
      await socks?.close();
      await new Promise((r) => decoy?.close(r));
    });

    it('the signed URL from /api/mj/self downloads the real PNG, privately cacheable', async () => {
      const taskId = await addTask({ image_url: imageUrl });
      const item = await listed(taskId);
      expect(item.image_url.startsWith(`${t.url}/mj/image/${taskId}?v=`)).toBe(true);
      expect(item.image_url).not.toContain(simBase);

      const res = await download(item.image_url);
      expect(res.status, res.bytes.toString()).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect([...res.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
      expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    });

    it('a URL signed for one task opens no other; a tampered, missing or expired signature is a 403', async () => {
      const mine = await addTask({ image_url: imageUrl });
      const other = await addTask({ image_url: imageUrl });
      const url = new URL((await listed(mine)).image_url);
      const exp = url.searchParams.get('exp')!;
      const sig = url.searchParams.get('sig')!;

      const elsewhere = await download(`${t.url}/mj/image/${other}?exp=${exp}&sig=${sig}`);
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.json).toMatchObject({ code: 4 });
      // Another media path of the same task is another URL too.
      expect((await download(`${t.url}/mj/video/${mine}?exp=${exp}&sig=${sig}`)).status).toBe(403);

      const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
      expect((await download(`${t.url}/mj/image/${mine}?exp=${exp}&sig=${flipped}`)).status).toBe(403);
      expect((await download(`${t.url}/mj/image/${mine}?exp=${Number(exp) + 3600}&sig=${sig}`)).status).toBe(
        403,
      );
      expect((await download(`${t.url}/mj/image/${mine}`)).status).toBe(403);
      expect((await download(`${t.url}/mj/image/${mine}?exp=${exp}`)).status).toBe(403);

      const now = t.clock.now();
      try {
        t.clock.set(Number(exp) * 1000 + 1000);
        const expired = await download(url.toString());
        expect(expired.status).toBe(403);
        expect(String(expired.json?.description)).toMatch(/expired/);
      } finally {
        t.clock.set(now);
      }
      expect((await download(url.toString())).status).toBe(200);
    });

    it('the URL changes with the stored file, and its version is signed; links without one still open', async () => {
      const taskId = await addTask({ image_url: `${imageUrl}?preview=1`, status: 'IN_PROGRESS' });
      const preview = (await listed(taskId)).image_url as string;
      expect(new URL(preview).searchParams.get('v')).toMatch(/^[\w-]{12}$/);
      expect((await listed(taskId)).image_url).toBe(preview);
      await t.ctx.store.db
        .updateTable('tasks')
        .set({ image_url: imageUrl, status: 'SUCCESS' })
        .where('task_id', '=', taskId)
        .execute();
      const final = (await listed(taskId)).image_url as string;
      expect(final).not.toBe(preview);
      // Either URL opens the file stored now; a version the server did not sign opens nothing.
      expect((await download(final)).status).toBe(200);
      expect((await download(preview)).status).toBe(200);
      const forged = new URL(final);
      forged.searchParams.set('v', 'AAAAAAAAAAAA');
      expect((await download(forged.toString())).status).toBe(403);
      // Links handed out before versions existed (path, exp and sig only) keep working until they expire.
      expect((await download(signed(`/mj/image/${taskId}`))).status).toBe(200);
    });

    it('an unknown id, or a task without that media, is a 404 even with a valid signature', async () => {
      const unknown = await download(signed('/mj/image/9999999999999999'));
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ code: 4 });
      const imageOnly = await addTask({ image_url: imageUrl });
      expect((await download(signed(`/mj/video/${imageOnly}`))).status).toBe(404);
      expect((await download(signed(`/mj/video/${imageOnly}/0`))).status).toBe(404);
      // A task of another platform is no MJ task.
      const taskId = newMjPublicId(t.clock.now() + 7);
      await insertTask(
        t.ctx.store,
        taskValues(
          {
            task_id: taskId,
            platform: 'suno',
            action: 'MUSIC',
            user_id: owner.id,
            submit_time: 1,
            image_url: imageUrl,
          },
          t.clock.now(),
        ),
      );
      expect((await download(signed(`/mj/image/${taskId}`))).status).toBe(404);
    });

    it('refuses stored URLs on private addresses that are no channel, before connecting', async () => {
      const simPort = new URL(simBase).port;
      for (const stored of [
        `${decoyBase}/image.png`,
        'http://10.0.0.1/image.png',
        'http://169.254.169.254/latest/meta-data/',
        `http://localhost:${simPort}/attachments/x/y/z.png`, // the simulator, but by a name that is no channel's
        `http://[::1]:${simPort}/x.png`,
        'file:///etc/passwd',
      ]) {
        const taskId = await addTask({ image_url: stored });
        const res = await download(signed(`/mj/image/${taskId}`));
        expect(res.status, stored).toBe(403);
        expect(String(res.json?.description), stored).toMatch(/does not fetch/);
      }
      expect(decoyHits).toBe(0);
    });

    /** Each kind of proxy with the channel behind it. */
    const behindProxies = () => [
      { via: proxy, channel: proxiedChannel },
      { via: socks, channel: socksChannel },
    ];

    it('fetches through the task’s channel’s outbound proxy (HTTP or SOCKS5), as its upstream calls go', async () => {
      const direct = await addTask({ image_url: imageUrl });
      expect((await download(signed(`/mj/image/${direct}`))).status).toBe(200);
      for (const { via, channel } of behindProxies()) {
        expect(via.targets, via.url).toEqual([]);
        const taskId = await addTask({ image_url: imageUrl, channel_id: channel });
        const res = await download(signed(`/mj/image/${taskId}`));
        expect(res.status, res.bytes.toString()).toBe(200);
        expect([...res.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
        expect(via.targets, via.url).toEqual([new URL(simBase).host]);
      }
    });

    it('through a proxy, private targets that are no channel are still refused, and the proxy is not asked', async () => {
      for (const { via, channel } of behindProxies()) {
        const asked = via.targets.length;
        for (const stored of [
          `${decoyBase}/image.png`,
          'http://169.254.169.254/latest/meta-data/',
          `http://localhost:${new URL(simBase).port}/attachments/x/y/z.png`,
          'http://[::1]/x.png',
        ]) {
          const taskId = await addTask({ image_url: stored, channel_id: channel });
          const res = await download(signed(`/mj/image/${taskId}`));
          expect(res.status, stored).toBe(403);
          expect(String(res.json?.description), stored).toMatch(/does not fetch/);
        }
        expect(via.targets.length, via.url).toBe(asked);
      }
      expect(decoyHits).toBe(0);
    });

    it('passes a Range request for a video through: 206 with the requested bytes', async () => {
      const taskId = await addTask({
        action: 'VIDEO',
        video_url: `${filesBase}/files/clip.mp4`,
        video_urls: JSON.stringify([`${filesBase}/files/clip.mp4`]),
      });
      const item = await listed(taskId);
      expect(item.video_url.startsWith(`${t.url}/mj/video/${taskId}?`)).toBe(true);

      const part = await download(item.video_url, { range: 'bytes=0-99' });
      expect(part.status).toBe(206);
      expect(part.bytes.length).toBe(100);
      expect(part.bytes.equals(CLIP.subarray(0, 100))).toBe(true);
      expect(part.headers.get('content-range')).toBe(`bytes 0-99/${CLIP.length}`);
      expect(part.headers.get('content-type')).toBe('video/mp4');

      const whole = await download(JSON.parse(item.video_urls)[0]);
      expect(whole.status).toBe(200);
      expect(whole.bytes.equals(CLIP)).toBe(true);

      const beyond = await download(item.video_url, { range: `bytes=${CLIP.length + 10}-` });
      expect(beyond.status).toBe(416);
    });

    it('streams the simulator’s MP4 for a video index', async () => {
      const mp4 = sim.state.media.url({
        channel: 'acct',
        attachment: '1234567890',
        file: 'hash_0.mp4',
        issuedAt: sim.state.now(),
      });
      const taskId = await addTask({ action: 'VIDEO', video_urls: JSON.stringify([mp4, mp4]) });
      const res = await download(signed(`/mj/video/${taskId}/1`));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
      expect((await download(signed(`/mj/video/${taskId}/2`))).status).toBe(404);
    });

    it('keeps working for signed URLs when MjForwardUrlEnabled is off', async () => {
      const taskId = await addTask({ image_url: imageUrl });
      await t.ctx.options.set('MjForwardUrlEnabled', 'false');
      try {
        expect((await listed(taskId)).image_url).toBe(imageUrl);
        const res = await download(signed(`/mj/image/${taskId}`));
        expect(res.status).toBe(200);
        expect([...res.bytes.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
      } finally {
        await t.ctx.options.set('MjForwardUrlEnabled', 'true');
      }
    });

    it('answers 502 when the media host refuses: an upstream error page, an expired Discord-like URL', async () => {
      const missing = await addTask({ image_url: `${filesBase}/files/nothing.png` });
      const gone = await download(signed(`/mj/image/${missing}`));
      expect(gone.status).toBe(502);
      expect(String(gone.json?.description)).toMatch(/answered 404/);

      // Last in this file: it moves the simulator past the URLs' lifetime.
      const taskId = await addTask({ image_url: imageUrl });
      sim.state.clock.advance(86_400_000 + 60_000);
      const expired = await download(signed(`/mj/image/${taskId}`));
      expect(expired.status).toBe(502);
      expect(expired.json).toMatchObject({ code: 9 });
      expect(String(expired.json?.description)).toMatch(/answered 403.*expired/);
    });
  });
}
