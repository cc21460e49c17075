// A channel behind an outbound proxy: its upstream has a name only the proxy resolves (as when an upstream is
// reachable from the operator's network only through it), so the submit, every poll, the content download and
// the signed content_url can succeed only by going through the proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { pollUntil, startVideoWorld, type VideoWorld } from '../support/video-world.js';

const HIDDEN_HOST = 'video-upstream.test';

describe('a channel behind an outbound proxy', () => {
  let w: VideoWorld;
  let proxy: ForwardProxy;
  let hiddenBase: string;
  beforeAll(async () => {
    proxy = await startForwardProxy({ [HIDDEN_HOST]: '127.0.0.1' });
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
});
