// A channel behind an outbound proxy, HTTP or SOCKS5: its upstream has a name only the proxy resolves (as when an
// upstream is reachable from the operator's network only through it), so the submit, every poll, the content
// download and the signed content_url can succeed only by going through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardProxy } from '../support/forward-proxy.js';
import { startSocks5Proxy } from '../support/socks5-proxy.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

const HIDDEN_HOST = 'video-upstream.test';
const hosts = { [HIDDEN_HOST]: '127.0.0.1' };

interface Proxy {
  url: string;
  targets: string[];
  close(): Promise<void>;
}

const kinds: Array<{ name: string; start(): Promise<Proxy> }> = [
  { name: 'an HTTP proxy', start: () => startForwardProxy(hosts) },
  {
    name: 'a SOCKS5 proxy with a password',
    start: () => startSocks5Proxy({ hosts, user: 'taskgate', password: 'p@ss word' }),
  },
];

describe.each(kinds)('a channel behind $name', ({ start }) => {
  let w: VideoWorld;
  let proxy: Proxy;
  let hiddenBase: string;
  beforeAll(async () => {
    proxy = await start();
    w = await startVideoWorld('sqlite');
    hiddenBase = `http://${HIDDEN_HOST}:${new URL(w.simUrl).port}`;
    const updated = await w.t.request('PUT', '/api/channel/', {
      as: w.t.root,
      body: { id: w.channelId, base_url: hiddenBase, proxy: proxy.url },
    });
    expect(updated.status, updated.text).toBe(200);
  });
  afterAll(async () => {
    await w?.close();
    await proxy?.close();
  });

  it('submits, polls and streams the content through the proxy', async () => {
    const created = await w.create({ prompt: 'a fox behind a proxy', model: 'sora-2', seconds: '4' });
    expect(created.status, created.text).toBe(200);
    const id = created.body.id as string;
    await pollUntil(w, async () => (await w.task(id))?.status === 'SUCCESS');

    const content = await fetch(`${w.t.url}/v1/videos/${id}/content`, {
      headers: { authorization: `Bearer ${w.key}` },
    });
    expect(content.status).toBe(200);
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect((await content.arrayBuffer()).byteLength).toBeGreaterThan(100);

    const done = await w.call('GET', `/v1/videos/${id}`);
    const signed = await fetch(done.body.content_url as string);
    expect(signed.status).toBe(200);
    expect((await signed.arrayBuffer()).byteLength).toBeGreaterThan(100);

    // Only the proxy knows the name: the answers above prove the calls went through it, and it saw nothing else.
    expect(proxy.targets.length).toBeGreaterThan(0);
    expect(new Set(proxy.targets)).toEqual(new Set([new URL(hiddenBase).host]));
  });

  it('a proxy that refuses the channel fails the submit as never sent, and refunds it', async () => {
    const before = await w.balance();
    const refusing = new URL(proxy.url);
    // An HTTP proxy that is not there, or a SOCKS5 one given the wrong password: the request cannot have left.
    if (refusing.protocol === 'socks5:') refusing.password = 'wrong';
    else refusing.port = '1';
    const updated = await w.t.request('PUT', '/api/channel/', {
      as: w.t.root,
      body: { id: w.channelId, proxy: refusing.toString() },
    });
    expect(updated.status, updated.text).toBe(200);
    try {
      const created = await w.create({ prompt: 'a fox the proxy turns away', model: 'sora-2', seconds: '4' });
      expect(created.status, created.text).toBe(502);
      expect(created.text).toContain('no upstream channel could be reached');
      expect(await w.balance()).toEqual(before);
    } finally {
      await w.t.request('PUT', '/api/channel/', {
        as: w.t.root,
        body: { id: w.channelId, proxy: proxy.url },
      });
    }
  });
});
