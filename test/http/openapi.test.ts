// The OpenAPI document lists every route with its schemas, and no response schema can carry a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};

/** Every property name reachable in a schema, with its path. */
function propertyPaths(schema: Schema | undefined, path = ''): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const out: string[] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    out.push(`${path}.${name}`, ...propertyPaths(child, `${path}.${name}`));
  }
  out.push(...propertyPaths(schema.items, `${path}[]`));
  for (const part of [...(schema.anyOf ?? []), ...(schema.allOf ?? [])])
    out.push(...propertyPaths(part, path));
  return out;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  // biome-ignore lint/suspicious/noExplicitAny: the document is plain JSON.
  let doc: any;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    doc = (await t.request('GET', '/docs/json')).body;
  });
  afterAll(async () => t?.close());

  it('is served as OpenAPI 3 and the UI answers at /docs', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const ui = await t.request('GET', '/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('<html');
  });

  it('documents every registered dashboard and relay route, each with a 200 response schema', () => {
    const surface = t.routes.filter((r) => /^\/(api|v1|mj|suno)\//.test(r.url));
    expect(surface.length).toBeGreaterThan(20);
    for (const { method, url } of surface) {
      // OpenAPI writes `:id` as `{id}`.
      const operation = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation, `${method} ${url} is not in the OpenAPI document`).toBeDefined();
      expect(operation.responses?.['200'], `${method} ${url} has no 200 schema`).toBeDefined();
    }
    for (const route of ['/api/token/', '/api/channel/', '/api/user/']) {
      expect(doc.paths[route]?.post?.requestBody, `${route} request body`).toBeDefined();
    }
  });

  it('has no response schema that can carry a channel key, a password, a hash or a session secret', () => {
    const forbidden = /(password|hash|secret|access_token|cookie)/i;
    for (const [path, methods] of Object.entries(
      doc.paths as Record<
        string,
        Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
      >,
    )) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const response of Object.values(operation.responses ?? {})) {
          const schema = response.content?.['application/json']?.schema;
          const paths = propertyPaths(schema);
          for (const property of paths) {
            expect(
              forbidden.test(property.split('.').pop()!),
              `${method} ${path} response has ${property}`,
            ).toBe(false);
          }
          if (path.startsWith('/api/channel')) {
            expect(
              paths.some((p) => p.endsWith('.key')),
              `${method} ${path} carries a key field`,
            ).toBe(false);
          }
          // API keys appear only under /api/token (masked, or once in full on create); an option's `key` is its name.
          const keyPaths = paths.filter((p) => p.endsWith('.key'));
          if (keyPaths.length && !path.startsWith('/api/option')) {
            expect(path.startsWith('/api/token'), `${method} ${path} exposes ${keyPaths}`).toBe(true);
          }
        }
      }
    }
  });
});
