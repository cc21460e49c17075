// The midjourney-proxy simulator over real HTTP: auth, a task's whole life, images, directives, restart.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let sim: MidjourneySimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

/** A simulator on a hand-driven clock: simulated time moves only when the test moves it. */
async function start(options: MidjourneySimOptions = {}) {
  let realNow = 1_700_000_000_000;
  sim = createMidjourneySimulator({ now: () => realNow, ...options });
  const base = await sim.listen();
  const s = sim;
  return {
    base,
    sim: s,
    /** Moves real time (scaled by timeScale). */
    tick: (ms: number) => {
      realNow += ms;
    },
    advance: (ms: number) => s.state.clock.advance(ms),
    async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(base + path, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
    },
  };
}

describe('midjourney simulator: auth', () => {
  it('answers 401 with an empty body without the right mj-api-secret, and creates nothing', async () => {
    const { call, sim } = await start({ apiSecret: 'secret-1' });
    const attempts: Record<string, string>[] = [
      {},
      { 'mj-api-secret': 'wrong' },
      { authorization: 'Bearer secret-1' },
    ];
    for (const headers of attempts) {
      const res = await call('POST', '/mj/submit/imagine', { prompt: 'cat' }, headers);
      expect(res.status).toBe(401);
      expect(res.text).toBe('');
    }
    expect((await call('GET', '/mj/task/list')).status).toBe(401);
    expect(sim.state.tasks.size).toBe(0);
    const ok = await call('POST', '/mj/submit/imagine', { prompt: 'cat' }, { 'mj-api-secret': 'secret-1' });
    expect(ok.json.code).toBe(1);
    // The control API is never guarded.
    expect((await call('GET', '/__sim/mj/calls')).status).toBe(200);
  });
});

describe('midjourney simulator: an imagine task', () => {
  it('goes NOT_START -> SUBMITTED -> IN_PROGRESS (steps, preview) -> SUCCESS with every J field', async () => {
    const { call, tick } = await start({ timeScale: 60, accounts: [{ id: 'acc-1', coreSize: 1 }] });
    const first = await call('POST', '/mj/submit/imagine', { prompt: 'a red fox', state: 'st-1' });
    const queued = await call('POST', '/mj/submit/imagine', { prompt: 'a blue fox' });
    expect(first.json).toEqual({
      code: 1,
      description: '提交成功',
      result: expect.stringMatching(/^\d{16}$/),
      properties: { discordInstanceId: 'acc-1' },
    });
    // The second waits behind the busy worker: J's off-by-one gives it code 1, NOT_START.
    expect(queued.json.code).toBe(1);
    const waiting = (await call('GET', `/mj/task/${queued.json.result}/fetch`)).json;
    expect(waiting).toMatchObject({ status: 'NOT_START', progress: null, startTime: null, imageUrl: null });
    expect(Object.keys(waiting).sort()).toEqual(
      [
        'id',
        'action',
        'status',
        'prompt',
        'promptEn',
        'description',
        'state',
        'submitTime',
        'startTime',
        'finishTime',
        'imageUrl',
        'progress',
        'failReason',
        'properties',
        'buttons',
      ].sort(),
    );
    expect(waiting.properties).toEqual({
      notifyHook: null,
      nonce: expect.stringMatching(/^\d{19}$/),
      discordInstanceId: 'acc-1',
    });

    const fetchFirst = async () => (await call('GET', `/mj/task/${first.json.result}/fetch`)).json;
    tick(10); // 600 simulated ms
    expect(await fetchFirst()).toMatchObject({
      status: 'SUBMITTED',
      progress: '0%',
      startTime: expect.any(Number),
    });
    tick(25); // +1.5 s
    const started = await fetchFirst();
    expect(started).toMatchObject({ status: 'IN_PROGRESS', progress: '0%', imageUrl: null });
    expect(started.properties.progressMessageId).toMatch(/^\d{19}$/);
    tick(75); // +4.5 s: the 15% edit
    const stepped = await fetchFirst();
    expect(stepped.progress).toBe('15%');
    expect(stepped.imageUrl).toMatch(
      /\/attachments\/acc-1\/\d+\/[0-9a-f-]{36}_grid_0\.webp\?ex=[0-9a-f]{8}&is=[0-9a-f]{8}&hm=[0-9a-f]{64}&$/,
    );
    expect(stepped.properties.messageHash).toMatch(/^[0-9a-f-]{36}$/);
    tick(300); // +18 s
    const done = await fetchFirst();
    expect(done).toMatchObject({ status: 'SUCCESS', progress: '100%', failReason: null, state: 'st-1' });
    expect(done.finishTime).toBeGreaterThan(done.startTime);
    expect(done.imageUrl).toContain(`simuser_a_red_fox_${done.properties.messageHash}.png?ex=`);
    expect(done.properties).toMatchObject({
      messageId: expect.stringMatching(/^\d{19}$/),
      flags: 0,
      finalPrompt: 'a red fox --v 6.1',
    });
    expect(done.buttons.map((b: { customId: string }) => b.customId)).toContain(
      `MJ::JOB::upsample::1::${done.properties.messageHash}`,
    );
    // The worker is free again: the queued task has started.
    expect((await call('GET', `/mj/task/${queued.json.result}/fetch`)).json.status).not.toBe('NOT_START');
  });

  it('serves its image as real PNG bytes until the signed URL expires (403)', async () => {
    const { call, advance } = await start({ imageUrlTtlSeconds: 3600 });
    const id = (await call('POST', '/mj/submit/imagine', { prompt: 'png check' })).json.result;
    advance(60_000);
    const { imageUrl } = (await call('GET', `/mj/task/${id}/fetch`)).json;
    const image = await fetch(imageUrl);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await image.arrayBuffer()).slice(0, 8)]).toEqual(PNG_SIGNATURE);

    const tampered = imageUrl.replace(/ex=[0-9a-f]{8}/, 'ex=ffffffff');
    expect((await fetch(tampered)).status).toBe(403);
    advance(3_600_000);
    const expired = await fetch(imageUrl);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toBe('This content is no longer available.');
  });
});

describe('midjourney simulator: prompt directives', () => {
  async function lifeOf(prompt: string, steps: number[], options: MidjourneySimOptions = {}) {
    const env = await start(options);
    const id = (await env.call('POST', '/mj/submit/imagine', { prompt })).json.result;
    const seen = [];
    for (const ms of steps) {
      env.advance(ms);
      seen.push((await env.call('GET', `/mj/task/${id}/fetch`)).json);
    }
    return seen;
  }

  it('sim:fail@0 fails at once when sent, with progress ""', async () => {
    const [failed] = await lifeOf('x sim:fail@0', [600]);
    expect(failed).toMatchObject({ status: 'FAILURE', progress: '', failReason: 'Invalid Form Body' });
    expect(failed.startTime).toBe(failed.finishTime);
  });

  it('sim:fail@46 with sim:error fails one step after 46%, keeping the preview', async () => {
    const seen = await lifeOf('x sim:fail@46 sim:error="[Banned prompt detected] nope"', [10_600, 2000]);
    expect(seen[0]).toMatchObject({ status: 'IN_PROGRESS', progress: '46%' });
    expect(seen[1]).toMatchObject({
      status: 'FAILURE',
      progress: '',
      failReason: '[Banned prompt detected] nope',
    });
    expect(seen[1].imageUrl).toContain('_grid_0.webp');
  });

  it('sim:error alone fails immediately with that reason', async () => {
    const [failed] = await lifeOf('x sim:error=boom', [600]);
    expect(failed).toMatchObject({ status: 'FAILURE', failReason: 'boom' });
  });

  it('sim:hang stays IN_PROGRESS forever, past any timeout', async () => {
    const [, later] = await lifeOf('x sim:hang', [5_000, 86_400_000]);
    expect(later).toMatchObject({ status: 'IN_PROGRESS', progress: '0%', finishTime: null });
  });

  it('sim:stuck@60 stops at 62% until the account timeout, then fails with 任务超时', async () => {
    const seen = await lifeOf('x sim:stuck@60', [20_000, 60_000, 60_000], {
      accounts: [{ id: 'a', timeoutMinutes: 1 }],
    });
    expect(seen[0]).toMatchObject({ status: 'IN_PROGRESS', progress: '62%' });
    expect(seen[1]).toMatchObject({ status: 'FAILURE', progress: '', failReason: '任务超时' });
    expect(seen[1].finishTime - seen[1].startTime).toBe(60_000);
  });

  it('sim:vanish@2 is returned by two polls, then is gone from fetch and list-by-condition', async () => {
    const { call } = await start();
    const id = (await call('POST', '/mj/submit/imagine', { prompt: 'x sim:vanish@2' })).json.result;
    expect((await call('GET', `/mj/task/${id}/fetch`)).json.id).toBe(id);
    expect((await call('POST', '/mj/task/list-by-condition', { ids: [id] })).json).toHaveLength(1);
    const gone = await call('GET', `/mj/task/${id}/fetch`);
    expect(gone.status).toBe(200);
    expect(gone.text).toBe('');
    expect((await call('POST', '/mj/task/list-by-condition', { ids: [id] })).json).toEqual([]);
  });

  it('sim:slow=<ms> delays the submit answer in real time', async () => {
    const { call } = await start();
    const began = Date.now();
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'x sim:slow=250' })).json.code).toBe(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(240);
  });

  it('reads directives from `state` for submits without a prompt', async () => {
    const { call, advance } = await start();
    const parent = (await call('POST', '/mj/submit/imagine', { prompt: 'p' })).json.result;
    advance(60_000);
    const child = await call('POST', '/mj/submit/change', {
      taskId: parent,
      action: 'UPSCALE',
      index: 1,
      state: 'sim:fail@0',
    });
    advance(1_000);
    expect((await call('GET', `/mj/task/${child.json.result}/fetch`)).json.status).toBe('FAILURE');
  });
});

describe('midjourney simulator: restart and reset', () => {
  it('restart wipes tasks (queued and running) but keeps counters; reset wipes both and restores knobs', async () => {
    const { call, sim } = await start({ accounts: [{ id: 'a', coreSize: 1 }] });
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push((await call('POST', '/mj/submit/imagine', { prompt: `t${i}` })).json.result);
    await call('POST', '/__sim/mj/knobs', { mode: 'J' });
    expect((await call('POST', '/__sim/mj/restart')).json).toEqual({ ok: true });
    expect(await call('POST', '/mj/task/list-by-condition', { ids })).toMatchObject({ json: [] });
    expect((await call('GET', `/mj/task/${ids[0]}/fetch`)).text).toBe('');
    expect((await call('GET', '/mj/task/queue')).json).toEqual([]);
    expect(sim.state.counters.routeCalls.get('POST /mj/submit/imagine')).toBe(3);
    // The account is free again: a new task starts at once.
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'after' })).json.code).toBe(1);

    await call('POST', '/__sim/mj/reset');
    expect(sim.state.tasks.size).toBe(0);
    expect(sim.state.counters.routeCalls.size).toBe(0);
    expect(sim.state.knobs.mode).toBe('P');
  });
});
