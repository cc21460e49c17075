// The OpenAPI document is true of the answers: real requests (successes and errors) go through the running app, in
// front of the simulators, and every JSON body is validated with Ajv against the response schema the published
// document gives for that operation and status. Every operation with a JSON answer is driven at least once.
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Response, TestApp } from '../support/app.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';
import { type SunoWorld, startSunoWorld } from '../support/suno-world.js';
import { startVideoWorld, type VideoWorld } from '../support/video-world.js';

// biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON.
type Json = any;

const png = `data:image/png;base64,${Buffer.from('not really an image').toString('base64')}`;

/** Validates answers against one published document, and remembers which operations it saw. */
class DocumentCheck {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly seen = new Set<string>();
  readonly problems: string[] = [];

  constructor(readonly doc: Json) {
    this.ajv.addSchema(doc, 'openapi');
  }

  /** The documented response key for a status: the exact code, then its range (4XX), then `default`. */
  private responseKey(responses: Record<string, unknown>, status: number): string | undefined {
    return [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find(
      (key) => key in responses,
    );
  }

  check(method: string, template: string, response: Response): void {
    const name = `${method} ${template} → ${response.status}`;
    const operation = this.doc.paths[template]?.[method.toLowerCase()];
    if (!operation) {
      this.problems.push(`${name}: the operation is not in the document`);
      return;
    }
    this.seen.add(`${method} ${template}`);
    const key = this.responseKey(operation.responses ?? {}, response.status);
    if (!key) {
      this.problems.push(`${name}: the status is not documented (${response.text.slice(0, 200)})`);
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/json')) return;
    if (!operation.responses[key].content?.['application/json']) {
      this.problems.push(`${name}: a JSON body, but the document gives none for ${key}`);
      return;
    }
    const pointer = `openapi#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${key}/content/application~1json/schema`;
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: pointer });
      this.compiled.set(pointer, validate);
    }
    if (!validate(response.body)) {
      this.problems.push(
        `${name}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(response.body).slice(0, 400)}`,
      );
    }
  }
}

/** Sends a request and checks its answer; `expected` pins the status so both success and error paths are reached. */
function driver(t: TestApp, check: DocumentCheck) {
  return async (
    method: string,
    template: string,
    path: string,
    options: {
      as?: Actor;
      key?: string;
      body?: unknown;
      headers?: Record<string, string>;
      expected?: number;
    } = {},
  ): Promise<Response> => {
    const headers = {
      ...options.headers,
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    };
    const response = await t.request(method, path, { as: options.as, body: options.body, headers });
    if (options.expected !== undefined)
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(options.expected);
    check.check(method, template, response);
    return response;
  };
}

describe('every answer matches the published OpenAPI document', () => {
  let mj: MjWorld;
  let suno: SunoWorld;
  let video: VideoWorld;
  let check: DocumentCheck;
  beforeAll(async () => {
    [mj, suno, video] = await Promise.all([
      startMjWorld('sqlite'),
      startSunoWorld('sqlite'),
      startVideoWorld('sqlite'),
    ]);
    check = new DocumentCheck((await mj.t.request('GET', '/docs/json')).body);
  });
  afterAll(async () => {
    await Promise.all([mj?.close(), suno?.close(), video?.close()]);
  });
  // Each test reports its own answers' problems.
  beforeEach(() => {
    if (check) check.problems.length = 0;
  });

  it('the check itself refuses a body off its schema and a status the document does not give', async () => {
    const fake = (status: number, body: unknown): Response => ({
      status,
      body,
      text: JSON.stringify(body),
      headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
    });
    check.check('GET', '/api/user/self', fake(200, { success: true, message: '', data: { id: 'one' } }));
    check.check('GET', '/api/user/self', fake(401, { success: false }));
    check.check('GET', '/api/status', fake(302, {}));
    expect(check.problems).toHaveLength(3);
    expect(check.problems[0]).toMatch(/data/);
    expect(check.problems[1]).toMatch(/message/);
    expect(check.problems[2]).toMatch(/not documented/);
  });

  it('the dashboard API', async () => {
    const { t } = mj;
    const call = driver(t, check);
    const root = t.root;
    const user = mj.user;

    // Accounts and sessions.
    await call('POST', '/api/user/login', '/api/user/login', {
      body: { username: 'root', password: 'root-password-1' },
      expected: 200,
    });
    await call('POST', '/api/user/login', '/api/user/login', {
      body: { username: 'root', password: 'wrong-password' },
      expected: 401,
    });
    await call('POST', '/api/user/login', '/api/user/login', { body: { username: 5 }, expected: 400 });
    await call('GET', '/api/user/logout', '/api/user/logout', { expected: 200 });
    await call('GET', '/api/user/self', '/api/user/self', { as: user, expected: 200 });
    await call('GET', '/api/user/self', '/api/user/self', { expected: 401 });
    const spare = await t.createUser();
    await call('GET', '/api/user/token', '/api/user/token', { as: spare, expected: 200 });
    await call('GET', '/api/user/', '/api/user/?keyword=u', { as: root, expected: 200 });
    await call('GET', '/api/user/', '/api/user/?page_size=0', { as: root, expected: 400 });
    await call('GET', '/api/user/', '/api/user/', { as: user, expected: 403 });
    await call('GET', '/api/user/search', '/api/user/search?keyword=root', { as: root, expected: 200 });
    await call('GET', '/api/user/{id}', `/api/user/${user.id}`, { as: root, expected: 200 });
    await call('GET', '/api/user/{id}', '/api/user/987654321', { as: root, expected: 404 });
    const created = await call('POST', '/api/user/', '/api/user/', {
      as: root,
      body: { username: 'schema_user', password: 'password-123', display_name: 'Schema' },
      expected: 200,
    });
    await call('POST', '/api/user/', '/api/user/', {
      as: root,
      body: { username: 'schema_user', password: 'password-123' },
      expected: 409,
    });
    await call('PUT', '/api/user/', '/api/user/', {
      as: root,
      body: { id: created.body.data.id, quota: 5_000, remark: 'schema check' },
      expected: 200,
    });
    await call('PUT', '/api/user/', '/api/user/', { as: root, body: { id: 1e16 }, expected: 400 });

    // API keys.
    await call('GET', '/api/token/', '/api/token/', { as: user, expected: 200 });
    const key = await call('POST', '/api/token/', '/api/token/', {
      as: user,
      body: {
        name: 'schema key',
        remain_quota: 100,
        expired_time: -1,
        model_limits_enabled: true,
        model_limits: 'mj_imagine',
      },
      expected: 200,
    });
    await call('GET', '/api/token/{id}', `/api/token/${key.body.data.id}`, { as: user, expected: 200 });
    await call('GET', '/api/token/{id}', '/api/token/abc', { as: user, expected: 400 });
    await call('PUT', '/api/token/', '/api/token/', {
      as: user,
      body: { id: key.body.data.id, unlimited_quota: true, allow_ips: '127.0.0.1' },
      expected: 200,
    });
    await call('PUT', '/api/token/', '/api/token/?status_only=true', {
      as: user,
      body: { id: key.body.data.id, status: 2 },
      expected: 200,
    });
    await call('DELETE', '/api/token/{id}', `/api/token/${key.body.data.id}`, { as: user, expected: 200 });
    await call('DELETE', '/api/token/{id}', `/api/token/${key.body.data.id}`, { as: user, expected: 404 });

    // Channels.
    await call('GET', '/api/channel/', '/api/channel/?status=enabled', { as: root, expected: 200 });
    await call('GET', '/api/channel/', '/api/channel/?status=9', { as: root, expected: 400 });
    await call('GET', '/api/channel/{id}', `/api/channel/${mj.channelId}`, { as: root, expected: 200 });
    const channel = await call('POST', '/api/channel/', '/api/channel/', {
      as: root,
      body: {
        type: 2,
        name: 'schema channel',
        base_url: mj.simUrl,
        key: 'k',
        proxy: 'http://user:secret@127.0.0.1:9',
        status: 2,
      },
      expected: 200,
    });
    await call('PUT', '/api/channel/', '/api/channel/', {
      as: root,
      body: { id: channel.body.data.id, weight: 3, timeout_minutes: 5 },
      expected: 200,
    });
    await call('GET', '/api/channel/test/{id}', `/api/channel/test/${mj.channelId}`, {
      as: root,
      expected: 200,
    });
    // An unreachable upstream is an answer, not an error.
    await call('GET', '/api/channel/test/{id}', `/api/channel/test/${channel.body.data.id}`, {
      as: root,
      expected: 200,
    });
    await call('DELETE', '/api/channel/{id}', `/api/channel/${channel.body.data.id}`, {
      as: root,
      expected: 200,
    });
    await call('GET', '/api/channel/{id}', `/api/channel/${channel.body.data.id}`, {
      as: root,
      expected: 404,
    });

    // Options, ledger and listings (with tasks on them: see the relay test, which runs first in the file order of
    // the calls below only if it already ran; so make one here).
    await call('GET', '/api/option/', '/api/option/', { as: root, expected: 200 });
    await call('PUT', '/api/option/', '/api/option/', {
      as: root,
      body: { key: 'RetryTimes', value: 0 },
      expected: 200,
    });
    await call('PUT', '/api/option/', '/api/option/', {
      as: root,
      body: { key: 'RetryTimes', value: 'many' },
      expected: 400,
    });
    const submitted = await mj.submit('/mj/submit/imagine', { prompt: 'a schema' });
    expect(submitted.status, submitted.text).toBe(200);
    await mj.pollRound();
    await call('GET', '/api/log/self', '/api/log/self', { as: user, expected: 200 });
    await call('GET', '/api/log/', '/api/log/?user_id=abc', { as: root, expected: 400 });
    await call('GET', '/api/log/', '/api/log/', { as: root, expected: 200 });
    await call('GET', '/api/mj/self', '/api/mj/self', { as: user, expected: 200 });
    await call('GET', '/api/mj/', '/api/mj/', { as: root, expected: 200 });
    await call('GET', '/api/mj/', '/api/mj/?status=DONE', { as: root, expected: 400 });
    await call('GET', '/api/task/self', '/api/task/self', { as: user, expected: 200 });
    await call('GET', '/api/task/', '/api/task/', { as: root, expected: 200 });
    await call('GET', '/api/status', '/api/status', { expected: 200 });
    await call('GET', '/healthz', '/healthz', { expected: 200 });
    await call('GET', '/readyz', '/readyz', { expected: 200 });

    expect(check.problems).toEqual([]);
  });

  it('the Midjourney relay and media links', async () => {
    const { t } = mj;
    const call = driver(t, check);
    const key = mj.key;
    const imagine = await call('POST', '/mj/submit/imagine', '/mj/submit/imagine', {
      key,
      body: { prompt: 'a cat' },
      expected: 200,
    });
    const id: string = imagine.body.result;
    await call('POST', '/mj/submit/imagine', '/mj/submit/imagine', { body: { prompt: 'x' }, expected: 401 });
    await call('POST', '/mj/submit/imagine', '/mj/submit/imagine', {
      key,
      body: { prompt: 5 },
      expected: 400,
    });
    const submits: Array<[string, unknown]> = [
      ['/mj/submit/imagine', { prompt: 'a dog' }],
      ['/mj/submit/describe', { base64: png }],
      ['/mj/submit/blend', { base64Array: [png, png], dimensions: 'SQUARE' }],
      ['/mj/submit/shorten', { prompt: 'a long prompt' }],
      ['/mj/submit/upload-discord-images', { base64Array: [png] }],
      ['/mj/submit/edits', { prompt: 'bluer', image: png }],
      ['/mj/insight-face/swap', { sourceBase64: png, targetBase64: png }],
      ['/mj/submit/video', { prompt: 'make it move', image: png, motion: 'low' }],
      ['/mj/submit/change', { taskId: id, action: 'UPSCALE', index: 1 }],
      ['/mj/submit/simple-change', { content: `${id} U1` }],
      ['/mj/submit/action', { taskId: id, customId: 'MJ::JOB::upsample::1::x' }],
      ['/mj/submit/modal', { taskId: id, prompt: 'x' }],
    ];
    for (const [path, body] of submits) {
      await call('POST', path, path, { key, body });
      // The mode-prefixed form: the same routes under /{mode}.
      await call('POST', `/{mode}${path}`, `/mj-fast${path}`, { key, body });
    }
    await mj.pollRound();
    for (const prefix of ['', '/{mode}']) {
      const real = prefix ? '/mj-relax' : '';
      await call('GET', `${prefix}/mj/task/{id}/fetch`, `${real}/mj/task/${id}/fetch`, {
        key,
        expected: 200,
      });
      await call('GET', `${prefix}/mj/task/{id}/fetch`, `${real}/mj/task/nonexistent/fetch`, { key });
      await call('POST', `${prefix}/mj/task/list-by-condition`, `${real}/mj/task/list-by-condition`, {
        key,
        body: { ids: [id, 'nonexistent'] },
        expected: 200,
      });
      await call('GET', `${prefix}/mj/task/list`, `${real}/mj/task/list`, { key });
      await call('GET', `${prefix}/mj/task/queue`, `${real}/mj/task/queue`, { key });
      await call('GET', `${prefix}/mj/task/{id}/image-seed`, `${real}/mj/task/${id}/image-seed`, { key });
    }
    await call('GET', '/v1/models', '/v1/models', { key, expected: 200 });
    await call('GET', '/v1/models', '/v1/models', { expected: 401 });

    // Media links and the notify callback answer without an API key: refused here for want of a signature/secret.
    await call('GET', '/mj/image/{id}', `/mj/image/${id}`, { expected: 403 });
    await call('GET', '/mj/video/{id}', `/mj/video/${id}`, { expected: 403 });
    await call('GET', '/mj/video/{id}/{index}', `/mj/video/${id}/0`, { expected: 403 });
    await call('GET', '/task/media/{taskId}/{ref}', `/task/media/${id}/0`, { expected: 403 });
    await call('POST', '/mj/notify/{channelId}/{secret}', `/mj/notify/${mj.channelId}/wrong`, { body: {} });

    expect(check.problems).toEqual([]);
  });

  it('the Suno relay', async () => {
    const call = driver(suno.t, check);
    const key = suno.key;
    const song = await call('POST', '/suno/submit/{action}', '/suno/submit/music', {
      key,
      body: { gpt_description_prompt: 'a song about schemas' },
      expected: 200,
    });
    await call('POST', '/suno/submit/{action}', '/suno/submit/lyrics', {
      key,
      body: { prompt: 'x' },
      expected: 200,
    });
    await call('POST', '/suno/submit/{action}', '/suno/submit/dance', { key, body: {}, expected: 400 });
    await call('POST', '/suno/submit/{action}', '/suno/submit/music', { body: {}, expected: 401 });
    await suno.pollRound();
    await call('GET', '/suno/fetch/{id}', `/suno/fetch/${song.body.data}`, { key, expected: 200 });
    await call('GET', '/suno/fetch/{id}', '/suno/fetch/nonexistent', { key });
    await call('POST', '/suno/fetch', '/suno/fetch', { key, body: { ids: [song.body.data] }, expected: 200 });
    await call('POST', '/suno/fetch', '/suno/fetch', { key, body: { ids: 'x' }, expected: 400 });
    expect(check.problems).toEqual([]);
  });

  it('the video relay', async () => {
    const call = driver(video.t, check);
    const key = video.key;
    const created = await call('POST', '/v1/videos', '/v1/videos', {
      key,
      body: { prompt: 'a red fox in snow', model: 'sora-2', seconds: '4' },
      expected: 200,
    });
    await call('POST', '/v1/videos', '/v1/videos', { key, body: { prompt: 5 }, expected: 400 });
    await call('POST', '/v1/videos', '/v1/videos', { body: { prompt: 'x' }, expected: 401 });
    const generation = await call('POST', '/v1/video/generations', '/v1/video/generations', {
      key,
      body: { prompt: 'p', model: 'sora-2' },
      expected: 200,
    });
    await video.pollRound();
    const id: string = created.body.id;
    await call('GET', '/v1/videos/{id}', `/v1/videos/${id}`, { key, expected: 200 });
    await call('GET', '/v1/videos', '/v1/videos?limit=5', { key, expected: 200 });
    await call('GET', '/v1/videos', '/v1/videos?limit=0', { key, expected: 400 });
    await call('GET', '/v1/videos', '/v1/videos', { expected: 401 });
    await call('GET', '/v1/videos/{id}', '/v1/videos/task_doesnotexist', { key, expected: 404 });
    const genId = generation.body.task_id ?? generation.body.id;
    await call('GET', '/v1/video/generations/{id}', `/v1/video/generations/${genId}`, { key, expected: 200 });
    await call('GET', '/v1/video/generations/{id}', '/v1/video/generations/task_doesnotexist', { key });
    await call('POST', '/v1/videos/{id}/remix', '/v1/videos/task_doesnotexist/remix', {
      key,
      body: { prompt: 'x' },
    });
    await call('POST', '/v1/videos/{id}/remix', `/v1/videos/${id}/remix`, { key, body: { prompt: 'again' } });
    await call('GET', '/v1/videos/{id}/content', `/v1/videos/${id}/content`, { key });
    await call('GET', '/v1/videos/{id}/content', '/v1/videos/task_doesnotexist/content', { key });
    expect(check.problems).toEqual([]);
  });

  it('every documented operation was driven', () => {
    const operations = Object.entries(check.doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((o) => !check.seen.has(o))).toEqual([]);
  });
});
