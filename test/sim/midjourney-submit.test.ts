// The midjourney-proxy simulator's submit routes and their codes, over real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMidjourneySimulator,
  type MidjourneySimOptions,
  type MidjourneySimulator,
} from '../../src/sim/midjourney/index.js';

const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';

let sim: MidjourneySimulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function start(options: MidjourneySimOptions = {}) {
  const realNow = 1_700_000_000_000;
  sim = createMidjourneySimulator({ now: () => realNow, ...options });
  const base = await sim.listen();
  const s = sim;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  };
  /** Submits an imagine and lets it finish. */
  const succeeded = async (prompt = 'a cat') => {
    const id = (await call('POST', '/mj/submit/imagine', { prompt })).json.result as string;
    s.state.clock.advance(60_000);
    return id;
  };
  return { base, sim: s, call, succeeded };
}

describe('midjourney simulator: imagine codes', () => {
  it('refuses a blank prompt (4), a banned word (24) and bad base64 (4)', async () => {
    const { call, sim } = await start({ bannedWords: ['Forbidden'] });
    expect((await call('POST', '/mj/submit/imagine', { prompt: '  ' })).json).toEqual({
      code: 4,
      description: 'prompt不能为空',
      result: null,
      properties: {},
    });
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'a FORBIDDEN cat' })).json).toEqual({
      code: 24,
      description: '可能包含敏感词',
      result: null,
      properties: { promptEn: 'a FORBIDDEN cat', bannedWord: 'Forbidden' },
    });
    // Whole words only.
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'unforbiddenly' })).json.code).toBe(1);
    expect(
      (await call('POST', '/mj/submit/imagine', { prompt: 'x', base64Array: ['nope'] })).json,
    ).toMatchObject({
      code: 4,
      description: 'base64格式错误',
    });
    expect(sim.state.tasks.size).toBe(1);
  });

  it('fails a banned prompt at execution instead when bannedPromptCheck is "execution" (current T)', async () => {
    const { call, sim } = await start({ bannedPromptCheck: 'execution' });
    const id = (await call('POST', '/mj/submit/imagine', { prompt: 'forbiddenword' })).json.result;
    sim.state.clock.advance(1000);
    expect((await call('GET', `/mj/task/${id}/fetch`)).json).toMatchObject({
      status: 'FAILURE',
      failReason: '可能包含敏感词',
    });
  });

  it('gives 1, then 22 with numberOfQueues, then 23 (or T 9) per account capacity', async () => {
    const { call, sim } = await start({ accounts: [{ id: 'a', coreSize: 2, queueSize: 3 }] });
    const codes = [];
    for (let i = 0; i < 6; i++)
      codes.push((await call('POST', '/mj/submit/imagine', { prompt: `p${i}` })).json);
    expect(codes.map((c) => c.code)).toEqual([1, 1, 1, 22, 22, 23]);
    expect(codes[3]).toMatchObject({
      description: '排队中，前面还有1个任务',
      properties: { numberOfQueues: 1, discordInstanceId: 'a' },
    });
    expect(codes[4].properties.numberOfQueues).toBe(2);
    expect(codes[5]).toEqual({
      code: 23,
      description: '队列已满，请稍后尝试',
      result: null,
      properties: { discordInstanceId: 'a' },
    });
    expect(sim.state.tasks.size).toBe(5);
    expect((await call('GET', '/mj/task/queue')).json).toHaveLength(5);
    await call('POST', '/__sim/mj/knobs', { queueFullCode: 9 });
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'late' })).json).toMatchObject({
      code: 9,
      description: '提交失败，队列已满，请稍后重试',
    });
  });

  it('spreads tasks over accounts and answers 3 when none is enabled', async () => {
    const { call } = await start({
      accounts: [
        { id: 'a', coreSize: 1 },
        { id: 'b', coreSize: 1 },
      ],
    });
    const first = (await call('POST', '/mj/submit/imagine', { prompt: 'one' })).json.properties
      .discordInstanceId;
    const second = (await call('POST', '/mj/submit/imagine', { prompt: 'two' })).json.properties
      .discordInstanceId;
    expect(new Set([first, second])).toEqual(new Set(['a', 'b']));
    await call('POST', '/__sim/mj/knobs', {
      accounts: [
        { id: 'a', enabled: false },
        { id: 'b', enabled: false },
      ],
    });
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'three' })).json).toMatchObject({
      code: 3,
      description: '无可用的账号实例',
    });
  });

  it("answers sim:reject=9 with the system error, and malformed JSON with Spring's 400", async () => {
    const { call, base } = await start();
    expect((await call('POST', '/mj/submit/imagine', { prompt: 'x sim:reject=9' })).json).toMatchObject({
      code: 9,
      description: '提交失败，系统异常',
    });
    const bad = await fetch(`${base}/mj/submit/imagine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 400, error: 'Bad Request', path: '/mj/submit/imagine' });
  });
});

describe('midjourney simulator: follow-up actions', () => {
  it('runs U1 through change, simple-change and action on a SUCCESS parent', async () => {
    const { call, succeeded, sim } = await start();
    const parent = await succeeded();
    const parentView = (await call('GET', `/mj/task/${parent}/fetch`)).json;
    const viaChange = await call('POST', '/mj/submit/change', {
      taskId: parent,
      action: 'UPSCALE',
      index: 1,
    });
    const viaSimple = await call('POST', '/mj/submit/simple-change', { content: `${parent} u2` });
    const viaAction = await call('POST', '/mj/submit/action', {
      taskId: parent,
      customId: `MJ::JOB::upsample::3::${parentView.properties.messageHash}`,
    });
    for (const res of [viaChange, viaSimple, viaAction]) expect(res.json.code).toBe(1);
    const child = (await call('GET', `/mj/task/${viaChange.json.result}/fetch`)).json;
    expect(child).toMatchObject({
      action: 'UPSCALE',
      prompt: 'a cat',
      description: `/up ${parent} U1`,
      properties: {
        referencedMessageId: parentView.properties.messageId,
        discordInstanceId: parentView.properties.discordInstanceId,
      },
    });
    sim.state.clock.advance(3000);
    const upscaled = (await call('GET', `/mj/task/${viaAction.json.result}/fetch`)).json;
    expect(upscaled).toMatchObject({ status: 'SUCCESS', action: 'UPSCALE' });
    expect(upscaled.buttons.map((b: { label: string }) => b.label)).toContain('Vary (Strong)');
    expect((await call('GET', `/mj/task/${viaSimple.json.result}/fetch`)).json.description).toBe(
      `/up ${parent} U2`,
    );
  });

  it('refuses a parent that is not SUCCESS (4), a missing parent (3) and bad input (4)', async () => {
    const { call } = await start();
    const running = (await call('POST', '/mj/submit/imagine', { prompt: 'slow' })).json.result;
    expect(
      (await call('POST', '/mj/submit/change', { taskId: running, action: 'UPSCALE', index: 1 })).json,
    ).toMatchObject({
      code: 4,
      description: '关联任务状态错误',
    });
    expect(
      (await call('POST', '/mj/submit/change', { taskId: '1234567890123456', action: 'VARIATION', index: 2 }))
        .json,
    ).toMatchObject({
      code: 3,
      description: '关联任务不存在或已失效',
    });
    expect(
      (await call('POST', '/mj/submit/simple-change', { content: `${running} U9` })).json.description,
    ).toBe('content参数错误');
    expect(
      (await call('POST', '/mj/submit/change', { taskId: '', action: 'UPSCALE' })).json.description,
    ).toBe('taskId不能为空');
    expect(
      (await call('POST', '/mj/submit/change', { taskId: running, action: 'DESCRIBE' })).json.description,
    ).toBe('action参数错误');
    expect((await call('POST', '/mj/submit/change', { taskId: running, action: 'FOO' })).status).toBe(400);
    // Plus routes answer a missing parent with HTTP 404 and code 3.
    const action = await call('POST', '/mj/submit/action', {
      taskId: '1234567890123456',
      customId: 'MJ::JOB::upsample::1::x',
    });
    expect(action.status).toBe(404);
    expect(action.json).toMatchObject({ code: 3, description: '关联任务不存在或已失效' });
  });

  it('answers a U/V without index with a 500, as J does', async () => {
    const { call, succeeded } = await start();
    const parent = await succeeded();
    expect((await call('POST', '/mj/submit/change', { taskId: parent, action: 'UPSCALE' })).status).toBe(500);
  });

  it('opens a MODAL (21) for Custom Zoom and continues the same task after /submit/modal', async () => {
    const { call, succeeded, sim } = await start();
    const grid = await succeeded();
    const hash = (await call('GET', `/mj/task/${grid}/fetch`)).json.properties.messageHash;
    const up = (
      await call('POST', '/mj/submit/action', { taskId: grid, customId: `MJ::JOB::upsample::1::${hash}` })
    ).json.result;
    sim.state.clock.advance(5000);
    const upHash = (await call('GET', `/mj/task/${up}/fetch`)).json.properties.messageHash;
    const zoom = await call('POST', '/mj/submit/action', {
      taskId: up,
      customId: `MJ::CustomZoom::${upHash}`,
    });
    expect(zoom.json).toMatchObject({
      code: 21,
      description: 'Waiting for window confirm',
      properties: { remix: true },
    });
    expect((await call('GET', `/mj/task/${zoom.json.result}/fetch`)).json).toMatchObject({
      status: 'MODAL',
      action: 'ZOOM',
    });
    const confirmed = await call('POST', '/mj/submit/modal', {
      taskId: zoom.json.result,
      prompt: 'wider --ar 2:1 --zoom 1.5',
    });
    expect(confirmed.json).toMatchObject({ code: 1, result: zoom.json.result });
    sim.state.clock.advance(60_000);
    expect((await call('GET', `/mj/task/${zoom.json.result}/fetch`)).json).toMatchObject({
      status: 'SUCCESS',
      prompt: 'wider --ar 2:1 --zoom 1.5',
    });
    expect((await call('POST', '/mj/submit/modal', { taskId: zoom.json.result })).json.code).toBe(4);
    // A remix-enabled variation also waits for its modal; a bookmark creates nothing.
    expect(
      (
        await call('POST', '/mj/submit/action', {
          taskId: grid,
          customId: `MJ::JOB::variation::1::${hash}`,
          enableRemix: true,
        })
      ).json.code,
    ).toBe(21);
    expect(
      (await call('POST', '/mj/submit/action', { taskId: up, customId: `MJ::BOOKMARK::${upHash}` })).json,
    ).toMatchObject({
      code: 1,
      result: up,
    });
    expect(
      (await call('POST', '/mj/submit/action', { taskId: grid, customId: 'MJ::JOB::nope::1' })).json.code,
    ).toBe(4);
  });
});

describe('midjourney simulator: other submits and modes', () => {
  it('runs describe, blend, shorten, upload and face swap', async () => {
    const { call, sim } = await start();
    const describe = await call('POST', '/mj/submit/describe', { base64: IMAGE });
    const blend = await call('POST', '/mj/submit/blend', {
      base64Array: [IMAGE, IMAGE],
      dimensions: 'PORTRAIT',
    });
    const shorten = await call('POST', '/mj/submit/shorten', { prompt: 'a very long and winding prompt' });
    expect([describe, blend, shorten].map((r) => r.json.code)).toEqual([1, 1, 1]);
    expect((await call('POST', '/mj/submit/blend', { base64Array: [IMAGE] })).json.description).toBe(
      'base64List参数错误',
    );
    expect((await call('POST', '/mj/submit/describe', {})).json.description).toBe('base64不能为空');
    sim.state.clock.advance(60_000);
    const described = (await call('GET', `/mj/task/${describe.json.result}/fetch`)).json;
    expect(described).toMatchObject({
      status: 'SUCCESS',
      action: 'DESCRIBE',
      description: `/describe ${describe.json.result}.png`,
    });
    expect(described.prompt).toMatch(/^1️⃣ /);
    expect(described.buttons[0].customId).toBe('MJ::Job::PicReader::1');
    expect((await call('GET', `/mj/task/${blend.json.result}/fetch`)).json.prompt).toMatch(/--ar 2:3$/);
    const shortened = (await call('GET', `/mj/task/${shorten.json.result}/fetch`)).json;
    expect(shortened.properties.finalPrompt).toContain('Shortened prompts');
    const upload = await call('POST', '/mj/submit/upload-discord-images', { base64Array: [IMAGE] });
    expect(upload.json.result[0]).toMatch(/\/attachments\/.+\.png\?ex=/);
    expect((await fetch(upload.json.result[0])).status).toBe(200);
    const swap = await call('POST', '/mj/insight-face/swap', { sourceBase64: IMAGE, targetBase64: IMAGE });
    expect(swap.json.code).toBe(1);
  });

  it('in J mode has no buttons and answers the plus routes with 404', async () => {
    const { call, succeeded } = await start({ mode: 'J' });
    const id = await succeeded();
    const task = (await call('GET', `/mj/task/${id}/fetch`)).json;
    expect(task).not.toHaveProperty('buttons');
    expect(Object.keys(task)).toHaveLength(14);
    for (const path of [
      '/mj/submit/action',
      '/mj/submit/modal',
      '/mj/submit/shorten',
      '/mj/insight-face/swap',
    ]) {
      expect((await call('POST', path, {})).status).toBe(404);
    }
    expect((await call('GET', `/mj/task/${id}/image-seed`)).status).toBe(404);
  });

  it('gives a seed through image-seed in P mode', async () => {
    const { call, succeeded } = await start();
    const id = await succeeded();
    expect((await call('GET', `/mj/task/${id}/image-seed`)).json).toMatchObject({
      code: 1,
      result: expect.stringMatching(/^\d+$/),
    });
    expect((await call('GET', '/mj/task/1/image-seed')).status).toBe(404);
  });
});
