// Public status, liveness and readiness.
import { sql } from 'kysely';
import { Type } from 'typebox';
import { VERSION } from '../../version.js';
import type { App } from '../types.js';
import { dashboardResponses, Envelope, ok } from '../views/envelope.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export async function statusRoutes(app: App, extraChecks: ReadinessCheck[] = []): Promise<void> {
  const { store, config, options, coordination } = app.ctx;

  app.get(
    '/api/status',
    {
      schema: {
        tags: ['status'],
        summary: 'Version and features (public)',
        response: dashboardResponses(
          Envelope(
            Type.Object({
              version: Type.String(),
              server_address: Type.String(),
              enable_drawing: Type.Boolean(),
              enable_task: Type.Boolean(),
              mj_notify_enabled: Type.Boolean(),
              media_forwarding: Type.Boolean(),
              database: Type.String(),
              platforms: Type.Array(Type.String()),
            }),
          ),
        ),
      },
    },
    async () =>
      ok({
        version: VERSION,
        server_address: config.serverAddress,
        enable_drawing: true,
        enable_task: true,
        mj_notify_enabled: options.get('MjNotifyEnabled'),
        media_forwarding: options.get('MjForwardUrlEnabled'),
        database: store.dialect,
        platforms: ['midjourney', 'suno', 'openai-video'],
      }),
  );

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['status'],
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const Readiness = Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    checks: Type.Record(Type.String(), Type.String(), {
      description: "'ok' or the failure per check; redis: its connection state",
    }),
  });

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['status'],
        summary: 'Readiness: 503 when the database does not answer; Redis state reported, never failing it',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      let ready = true;
      for (const { name, check } of [
        { name: 'database', check: () => sql`select 1`.execute(store.db).then(() => {}) },
        ...extraChecks,
      ]) {
        try {
          await check();
          checks[name] = 'ok';
        } catch (error) {
          ready = false;
          checks[name] = (error as Error).message || 'unreachable';
        }
      }
      // Reported, not required: Redis only shares rate limits and speeds up wake-ups and cache changes. Failing
      // readiness on it would take every instance out of the load balancer at once, turning a degradation into
      // an outage.
      checks.redis = coordination.state;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );
}
