// Channel health below the HTTP layer: which submit answers count as key/account failures, and the database
// bookkeeping that several instances share (the count, the one auto-disable, a manual disable left alone).
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ChannelHealth, keyFailure, probeRequest } from '../../src/engine/channel-health.js';
import { ChannelDirectory } from '../../src/engine/channels.js';
import { midjourneyAdapter } from '../../src/platforms/midjourney/adapter.js';
import { videoAdapter } from '../../src/platforms/openai-video/adapter.js';
import { sunoAdapter } from '../../src/platforms/suno/adapter.js';
import type { UpstreamResponse } from '../../src/platforms/types.js';
import { Options } from '../../src/services/options.js';
import { createChannel, findChannel, newChannelValues } from '../../src/store/channels.js';
import type { Store } from '../../src/store/db.js';
import { describeEachBackend } from '../support/databases.js';

const answer = (status: number, body: unknown): UpstreamResponse => ({
  status,
  headers: {},
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const classify = (response: UpstreamResponse) => keyFailure(response, midjourneyAdapter.readSubmit(response));

describe('keyFailure', () => {
  it('counts a refused key and a "no account" answer', () => {
    expect(classify(answer(401, ''))).toContain('HTTP 401');
    expect(classify(answer(403, '{"code":4}'))).toContain('HTTP 403');
    expect(classify(answer(200, { code: 3, description: '无可用的账号实例', result: null }))).toContain(
      '无可用的账号实例',
    );
  });

  it('counts an account out of credit: Suno-API’s 402 and OpenAI’s insufficient_quota', () => {
    const suno = (response: UpstreamResponse) => keyFailure(response, sunoAdapter.readSubmit(response));
    const video = (response: UpstreamResponse) => keyFailure(response, videoAdapter.readSubmit(response));
    expect(suno(answer(402, ''))).toContain('no credits (HTTP 402)');
    const noQuota = {
      error: {
        message: 'You exceeded your current quota',
        type: 'insufficient_quota',
        code: 'insufficient_quota',
      },
    };
    expect(video(answer(429, noQuota))).toContain('You exceeded your current quota');
    // A plain rate limit passes by waiting: it says nothing about the account.
    const limited = {
      error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
    };
    expect(video(answer(429, limited))).toBeNull();
    expect(suno(answer(429, ''))).toBeNull();
  });

  it('ignores overloads, upstream errors and refusals for the request’s fault', () => {
    expect(classify(answer(429, ''))).toBeNull();
    expect(classify(answer(503, '{}'))).toBeNull();
    expect(classify(answer(200, '{"code":1,'))).toBeNull();
    expect(
      classify(answer(200, { code: 3, description: '关联任务不存在或已失效', result: null })),
    ).toBeNull();
    expect(classify(answer(200, { code: 4, description: 'prompt不能为空', result: null }))).toBeNull();
    expect(classify(answer(200, { code: 1, description: '提交成功', result: '1234' }))).toBeNull();
  });
});

describe('probeRequest', () => {
  it('asks each platform its cheapest authenticated question', () => {
    expect(probeRequest('midjourney-plus', 'k')).toMatchObject({
      method: 'POST',
      path: '/mj/task/list-by-condition',
      headers: { 'mj-api-secret': 'k' },
      body: { ids: [] },
    });
    expect(probeRequest('suno', 'k')).toMatchObject({
      method: 'POST',
      path: '/suno/fetch',
      headers: { authorization: 'Bearer k' },
      body: { ids: [] },
    });
    expect(probeRequest('openai-video', 'k')).toMatchObject({
      method: 'GET',
      path: '/v1/videos?limit=1',
      headers: { authorization: 'Bearer k' },
    });
    expect(probeRequest('unknown', 'k')).toBeNull();
  });
});

describeEachBackend('channel health bookkeeping', (current) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const logs: Array<{ msg: string; obj: Record<string, unknown> }> = [];
  const log = {
    info: (obj: object, msg = '') => logs.push({ obj: { ...obj }, msg }),
    warn: (obj: object, msg = '') => logs.push({ obj: { ...obj }, msg }),
    error: (obj: object, msg = '') => logs.push({ obj: { ...obj }, msg }),
  };
  afterEach(() => {
    logs.length = 0;
  });

  /** One instance's view: its own options and channel cache over the shared database. */
  async function instance(store: Store) {
    const options = new Options(store);
    await options.refresh();
    const channels = new ChannelDirectory(store, clock);
    return { health: new ChannelHealth({ store, clock, options, log, channels }), channels };
  }
  async function newChannel(store: Store, values: { status?: number; auto_ban?: number } = {}) {
    const id = await createChannel(
      store,
      newChannelValues({
        type: 'midjourney',
        name: 'health',
        base_url: 'http://127.0.0.1:9',
        key: 'k',
        models: 'mj_imagine',
        status: values.status,
        status_reason: values.status === 2 ? 'disabled by an admin' : '',
        auto_ban: values.auto_ban,
      }),
      clock.now(),
    );
    return (await findChannel(store, id))!;
  }

  it('failures seen by two instances at once all count, and the channel is disabled exactly once', async () => {
    const store = current();
    const [one, two] = [await instance(store), await instance(store)];
    const channel = await newChannel(store);
    await one.channels.all();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).health.keyFailed(channel, 'HTTP 401')),
    );
    const row = (await findChannel(store, channel.id))!;
    expect(row).toMatchObject({ failure_count: 6, status: 3 });
    expect(row.status_reason).toMatch(
      /^auto-disabled after \d consecutive key or account failures; the last: HTTP 401$/,
    );
    expect(logs.filter((l) => l.msg === 'channel auto-disabled')).toHaveLength(1);
    // Whichever instance disabled it dropped its cache: that one stops choosing the channel at once.
    const seen = [await one.channels.all(), await two.channels.all()].map(
      (rows) => rows.find((c) => c.id === channel.id)?.status,
    );
    expect(seen).toContain(3);
  });

  it('a success resets the count; the next run starts from zero', async () => {
    const store = current();
    const { health } = await instance(store);
    const channel = await newChannel(store);
    await health.keyFailed(channel, 'x');
    await health.keyFailed(channel, 'x');
    await health.succeeded(channel.id);
    await health.keyFailed(channel, 'x');
    expect(await findChannel(store, channel.id)).toMatchObject({ failure_count: 1, status: 1 });
  });

  it('a manually disabled channel keeps status 2 and its reason; auto_ban off never disables', async () => {
    const store = current();
    const { health } = await instance(store);
    const manual = await newChannel(store, { status: 2 });
    const noBan = await newChannel(store, { auto_ban: 0 });
    for (let i = 0; i < 4; i++) {
      await health.keyFailed(manual, 'x');
      await health.keyFailed(noBan, 'x');
    }
    expect(await findChannel(store, manual.id)).toMatchObject({
      status: 2,
      status_reason: 'disabled by an admin',
    });
    expect(await findChannel(store, noBan.id)).toMatchObject({ status: 1, failure_count: 4 });
  });

  it('the threshold is the ChannelAutoBanThreshold option', async () => {
    const store = current();
    const channel = await newChannel(store);
    const options = new Options(store);
    await options.set('ChannelAutoBanThreshold', '1');
    try {
      const { health } = await instance(store);
      await health.keyFailed(channel, 'no account');
      expect(await findChannel(store, channel.id)).toMatchObject({ status: 3, failure_count: 1 });
    } finally {
      await options.set('ChannelAutoBanThreshold', '3');
    }
  });
});
