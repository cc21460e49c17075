// Every operation of the published OpenAPI document says which credential it needs: the session cookie or an access
// token (each with New-Api-User) on the dashboard, an API key on the relay, none on public routes. And the document
// is true: an anonymous call is refused with 401 exactly where it says a credential is needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

const DASHBOARD = [
  { sessionCookie: [], newApiUser: [] },
  { accessToken: [], newApiUser: [] },
];
const RELAY = [{ apiKey: [] }, { mjApiSecret: [] }];

/** The public routes (no credential, or one of their own: a signature, a channel's notify secret). */
const PUBLIC = [
  'POST /api/user/login',
  'GET /api/user/logout',
  'GET /api/status',
  'GET /healthz',
  'GET /readyz',
  'GET /mj/image/{id}',
  'GET /mj/video/{id}',
  'GET /mj/video/{id}/{index}',
  'GET /task/media/{taskId}/{ref}',
];

interface Operation {
  security?: unknown;
}

describe('OpenAPI security per operation', () => {
  let t: TestApp;
  let operations: Array<{ key: string; path: string; method: string; operation: Operation }>;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const doc = (await t.request('GET', '/docs/json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          key: `${method.toUpperCase()} ${path}`,
          path,
          method: method.toUpperCase(),
          operation,
        })),
    );
    expect(doc.components.securitySchemes).toMatchObject({
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'taskgate_session' },
      accessToken: { type: 'apiKey', in: 'header', name: 'Authorization' },
      newApiUser: { type: 'apiKey', in: 'header', name: 'New-Api-User' },
      apiKey: { type: 'http', scheme: 'bearer' },
      mjApiSecret: { type: 'apiKey', in: 'header', name: 'mj-api-secret' },
    });
  });
  afterAll(async () => t?.close());

  it('states a security requirement on every operation', () => {
    expect(operations.length).toBeGreaterThan(40);
    for (const { key, operation } of operations) {
      expect(Array.isArray(operation.security), `${key} has no security`).toBe(true);
    }
  });

  it('dashboard operations take the session cookie or an access token, relay ones an API key, public ones none', () => {
    for (const { key, path, operation } of operations) {
      if (PUBLIC.includes(key) || path.startsWith('/mj/notify/')) {
        expect(operation.security, key).toEqual([]);
      } else if (path.startsWith('/api/')) {
        expect(operation.security, key).toEqual(DASHBOARD);
      } else {
        expect(path, key).toMatch(/^\/(mj|\{mode\}\/mj|suno|v1)\//);
        expect(operation.security, key).toEqual(RELAY);
      }
    }
    for (const key of PUBLIC) {
      expect(
        operations.some((o) => o.key === key),
        `${key} is not in the document`,
      ).toBe(true);
    }
  });

  it('is true: an anonymous call is a 401 exactly where a credential is required', async () => {
    for (const { key, path, method, operation } of operations) {
      const url = path
        .replace('{mode}', 'mj-fast')
        .replace(/\{index\}/g, '0')
        .replace(/\{\w+\}/g, '1');
      const response = await t.request(method, url, {
        rawBody: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        headers: method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' },
      });
      const required = (operation.security as unknown[]).length > 0;
      if (required) expect(response.status, `${key}: ${response.text}`).toBe(401);
      else expect(response.status, `${key}: ${response.text}`).not.toBe(401);
    }
  });
});
