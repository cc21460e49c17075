// The access log (plugins/access-log.ts): one line per request once it is answered, with its fields flat;
// the routes clients poll log their successful answers at debug, everything else at info.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/cli/logger.js';
import { newMjPublicId } from '../../src/core/ids.js';
import { buildApp } from '../../src/http/app.js';
import type { App } from '../../src/http/types.js';
import { findChannel } from '../../src/store/channels.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { startTestApp, type TestApp } from '../support/app.js';

interface Line {
  level: number;
  msg: string;
  method?: string;
  url?: string;
  statusCode?: number;
  responseTime?: number;
  remoteAddress?: string;
  reqId?: string;
}

describe('access log', () => {
  let t: TestApp;
  let app: App;
  let base: string;
  let key: string;
  let taskId: string;
  const lines: Line[] = [];

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text));
        done();
      },
    });
    // A second app on the same runtime, with the logger `taskgate serve` uses at its default level.
    app = await buildApp(t.ctx, { logger: createLogger('info', sink) });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    const owner = await t.createUser();
    key = (await t.createKey(owner)).key;
    taskId = newMjPublicId(t.ctx.clock.now());
    const now = t.ctx.clock.now();
    const values = { task_id: taskId, platform: 'midjourney', action: 'IMAGINE', user_id: owner.id };
    await insertTask(t.ctx.store, taskValues({ ...values, submit_time: now, status: 'SUBMITTED' }, now));
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => {
    const before = lines.length;
    const response = await fetch(`${base}${path}`, { headers, ...init });
    await response.arrayBuffer();
    // The line is written after the answer has gone out.
    for (let i = 0; i < 100 && lines.length === before; i++) await new Promise((r) => setTimeout(r, 5));
    return { status: response.status, logged: lines.slice(before) };
  };
  const authorized = () => ({ authorization: `Bearer ${key}` });

  it('writes one flat line per answered request, at info', async () => {
    const { status, logged } = await get('/api/status');
    expect(status).toBe(200);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        method: 'GET',
        url: '/api/status',
        statusCode: 200,
        remoteAddress: '127.0.0.1',
        responseTime: expect.any(Number),
        reqId: expect.any(String),
      }),
    ]);
  });

  it('leaves a successful poll out at info, and logs a refused one', async () => {
    const polled = await get(`/mj/task/${taskId}/fetch`, authorized());
    expect(polled.status).toBe(200);
    expect(polled.logged).toEqual([]);
    const unknown = await get('/mj/task/0000000000000000/fetch', authorized());
    expect(unknown.status).toBe(404);
    expect(unknown.logged).toEqual([
      expect.objectContaining({ level: 30, url: '/mj/task/0000000000000000/fetch', statusCode: 404 }),
    ]);
    const anonymous = await get(`/mj/task/${taskId}/fetch`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.logged).toEqual([expect.objectContaining({ level: 30, statusCode: 401 })]);
  });

  it('never writes the key', async () => {
    await get(`/mj/task/${taskId}/fetch`, { authorization: 'Bearer sk-not-a-real-key-123' });
    expect(JSON.stringify(lines)).not.toContain(key);
    expect(JSON.stringify(lines)).not.toContain('sk-not-a-real-key-123');
  });

  it("masks a channel's push secret and media signatures in the URL, keeping the rest", async () => {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type: 'midjourney', name: 'mj', base_url: 'http://mj.example.com', key: 'k', push: true },
    });
    expect(created.status).toBe(200);
    const channel = (await findChannel(t.ctx.store, created.body.data.id))!;
    // Whoever holds the push secret can fail or finish that channel's tasks.
    const push = await get(
      `/mj/notify/${channel.id}/${channel.push_secret}`,
      { 'content-type': 'application/json' },
      { method: 'POST', body: JSON.stringify({ id: '123', status: 'IN_PROGRESS', progress: '10%' }) },
    );
    expect(push.status).toBe(200);
    expect(push.logged).toEqual([
      expect.objectContaining({ method: 'POST', url: `/mj/notify/${channel.id}/***`, statusCode: 200 }),
    ]);

    // A signature opens the media until it expires; the expiry and the path stay readable.
    const media = await get(`/mj/image/${taskId}?exp=9999999999&sig=SECRETsig_123&x=1`);
    expect(media.status).toBe(403);
    expect(media.logged).toEqual([
      expect.objectContaining({ url: `/mj/image/${taskId}?exp=9999999999&sig=***&x=1`, statusCode: 403 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(channel.push_secret);
    expect(JSON.stringify(lines)).not.toContain('SECRETsig_123');
  });
});
