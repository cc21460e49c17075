// OpenAPI generated from the route schemas, served at /docs (UI) and /docs/json.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import { type Credential, credentialOf, SESSION_COOKIE } from './auth.js';

/** Each operation's security, OpenAPI style: any one of the listed sets of schemes will do. */
const SECURITY: Record<Credential | 'none', Array<Record<string, string[]>>> = {
  dashboard: [
    { sessionCookie: [], newApiUser: [] },
    { accessToken: [], newApiUser: [] },
  ],
  apiKey: [{ apiKey: [] }, { mjApiSecret: [] }],
  // Public, or guarded by something of its own (a media link's signature, a channel's notify secret).
  none: [],
};

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // Every operation states its security, read from the authentication hooks that guard the route.
    transform: ({ schema, url, route }) => ({
      schema: {
        ...schema,
        security: SECURITY[credentialOf(route.onRequest, route.preHandler) ?? 'none'],
      } as typeof schema,
      url,
    }),
    openapi: {
      info: {
        title: 'Taskgate',
        version: VERSION,
        description:
          'Asynchronous AI-generation task gateway. Dashboard routes (/api) take a session cookie or an access token ' +
          'plus the New-Api-User header; relay routes (/mj, /suno, /v1) take an API key.',
      },
      components: {
        securitySchemes: {
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          accessToken: { type: 'apiKey', in: 'header', name: 'Authorization' },
          newApiUser: { type: 'apiKey', in: 'header', name: 'New-Api-User' },
          apiKey: { type: 'http', scheme: 'bearer' },
          mjApiSecret: { type: 'apiKey', in: 'header', name: 'mj-api-secret' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
