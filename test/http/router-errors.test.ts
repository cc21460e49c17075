// Paths the router itself refuses before any route matches (a broken percent-escape, a path parameter past its
// length limit) are answered in the envelope of the surface they were sent to, like every other bad input; and
// the limit is high enough that the routes' own schemas decide for every id they take.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameworkErrors, MAX_PARAM_LENGTH, registerErrorHandling } from '../../src/http/plugins/errors.js';
import { registerUi } from '../../src/http/ui.js';
import { startTestApp, type TestApp } from '../support/app.js';

const dashboard = (b: unknown) => expect(b).toEqual({ success: false, message: expect.any(String) });
const mj = (b: unknown) => expect(b).toEqual({ code: 4, description: expect.any(String), result: null });
const suno = (b: unknown) =>
  expect(b).toEqual({ code: expect.any(String), message: expect.any(String), data: null });
const openai = (b: unknown) =>
  expect(b).toMatchObject({ error: { message: expect.any(String), type: 'invalid_request_error' } });

describe('router-level refusals in each surface’s envelope [sqlite]', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    ({ key } = await t.createKey(t.root));
  });
  afterAll(async () => t?.close());

  const headersFor = (path: string): Record<string, string> =>
    path.startsWith('/api/')
      ? { authorization: `Bearer ${t.root.accessToken}`, 'new-api-user': '1' }
      : { authorization: `Bearer ${key}` };

  const tooLong = 'a'.repeat(300);
  it.each([
    ['/api/token/%FF', 400, dashboard],
    [`/api/user/<300 characters>`, 414, dashboard],
    ['/mj/task/%ED%A0%80/fetch', 400, mj],
    ['/mj-fast/mj/task/%E0%A4%A/fetch', 400, mj],
    [`/mj/task/<300 characters>/fetch`, 414, mj],
    ['/suno/fetch/%FF', 400, suno],
    [`/suno/fetch/<300 characters>`, 414, suno],
    ['/v1/videos/%FF', 400, openai],
    [`/v1/videos/<300 characters>`, 414, openai],
  ] as const)('GET %s is a %i in its surface’s envelope', async (label, status, envelope) => {
    const path = label.replace('<300 characters>', tooLong);
    const answer = await t.request('GET', path, { headers: headersFor(path) });
    expect(answer.status, answer.text).toBe(status);
    envelope(answer.body);
    expect(answer.text).not.toMatch(/FST_ERR/);
  });

  it('ids up to the routes’ own limits reach the routes, which answer for them', async () => {
    // Suno ids may be 128 characters: an unknown one is the route's own "not found", not a router refusal.
    const sunoId = await t.request('GET', `/suno/fetch/${'b'.repeat(120)}`, { headers: headersFor('/suno') });
    expect(sunoId.status, sunoId.text).toBe(404);
    expect(sunoId.body).toMatchObject({ code: 'task_not_exist', data: null });
    // Past the schema's limit, the schema refuses it.
    const overSchema = await t.request('GET', `/suno/fetch/${'b'.repeat(129)}`, {
      headers: headersFor('/suno'),
    });
    expect(overSchema.status, overSchema.text).toBe(400);
    suno(overSchema.body);
    const user = await t.request('GET', `/api/user/${'9'.repeat(120)}`, { headers: headersFor('/api/') });
    expect(user.status, user.text).toBe(400);
    dashboard(user.body);
  });
});

describe('a path segment over the limit with the web UI built', () => {
  // With web/dist present the UI's catch-all route takes what the router refuses as too long for a parameter;
  // the answer must be the same 414 as without a build (tests run either way, `taskgate serve` has the build).
  const app = Fastify({ routerOptions: { maxParamLength: MAX_PARAM_LENGTH }, frameworkErrors });
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'taskgate-ui-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Taskgate</title>');
    registerErrorHandling(app);
    app.get('/v1/videos/:id', async () => ({}));
    await registerUi(app, root);
  });
  afterAll(async () => app.close());

  it('is a 414 in the surface’s envelope, not the UI’s 404', async () => {
    const answer = await app.inject({ method: 'GET', url: `/v1/videos/${'a'.repeat(300)}` });
    expect(answer.statusCode, answer.body).toBe(414);
    openai(answer.json());
    // Within the limit the route answers, and a browser still gets the UI for its own paths.
    expect((await app.inject({ method: 'GET', url: `/v1/videos/${'a'.repeat(200)}` })).statusCode).toBe(200);
    const page = await app.inject({ method: 'GET', url: '/tasks', headers: { accept: 'text/html' } });
    expect(page.body).toContain('<title>Taskgate</title>');
  });
});
