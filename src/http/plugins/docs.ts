// OpenAPI generated from the route schemas, served at /docs (UI) and /docs/json.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
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
