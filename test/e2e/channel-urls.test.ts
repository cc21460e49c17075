// A channel's base URL and proxy must be URLs a client can use. The schema's pattern let through what no URL parser
// reads; such a channel failed every submit routed to it as "the connection broke after the request was sent"
// (maybe sent, so never retried elsewhere), though nothing could have been sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SunoWorld, startSunoWorld } from '../support/suno-world.js';

const UNPARSABLE = ['http://[::1', 'http://upstream.example:99999', 'http://a b'];

describe('channel URLs that do not parse [sqlite]', () => {
  let w: SunoWorld;
  beforeAll(async () => {
    w = await startSunoWorld('sqlite');
  });
  afterAll(async () => w?.close());

  it.each(UNPARSABLE)('base_url %s is a 400, on create and on update', async (base_url) => {
    const created = await w.t.request('POST', '/api/channel/', {
      as: w.t.root,
      body: { type: 'suno', name: 'bad url', base_url, key: 'k' },
    });
    expect(created.status, created.text).toBe(400);
    expect(created.body).toEqual({ success: false, message: expect.stringMatching(/base_url/) });
    const updated = await w.t.request('PUT', '/api/channel/', {
      as: w.t.root,
      body: { id: w.channelId, base_url },
    });
    expect(updated.status, updated.text).toBe(400);
  });

  it('a proxy that does not parse is a 400', async () => {
    const res = await w.t.request('PUT', '/api/channel/', {
      as: w.t.root,
      body: { id: w.channelId, proxy: 'socks5://[::1' },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(/proxy/);
  });

  it('a stored channel whose URL does not parse is skipped: the submit goes on to the next channel', async () => {
    // Stored directly, as an older version or another tool may have left it.
    const bad = await w.addChannel(w.simUrl, { name: 'preferred', priority: 10 });
    await w.t.ctx.store.db
      .updateTable('channels')
      .set({ base_url: 'http://[::1' })
      .where('id', '=', bad)
      .execute();
    w.t.ctx.engine.channels.invalidate();
    const before = await w.balance();
    const res = await w.submit('music', { prompt: 'a song' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.code).toBe('success');
    expect((await w.task(res.body.data))?.channel_id).toBe(w.channelId);
    expect((await w.balance()).quota).toBeLessThan(before.quota);
  });
});
