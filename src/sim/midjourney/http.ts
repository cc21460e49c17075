// What every simulator request goes through: recording (for the counters), the J/P route gate, the
// mj-api-secret check, and Spring-shaped errors so a malformed request is answered like the real proxy.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../common/call-log.js';
import type { RecordedRequest } from './counters.js';
import { springError } from './results.js';
import type { MidjourneySimState } from './state.js';

export const CONTROL_PREFIX = '/__sim/mj';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0];
}

/** Hooks for the simulator's routes; `plusOnly` lists the route patterns that exist in P mode only. */
export function installRequestHooks(
  app: FastifyInstance,
  state: MidjourneySimState,
  plusOnly: Set<string>,
): void {
  const records = new WeakMap<FastifyRequest, RecordedRequest>();

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request);
    if (path.startsWith(CONTROL_PREFIX)) return;
    const record: RecordedRequest = {
      at: state.now(),
      method: request.method,
      url: request.url,
      route: `${request.method} ${request.routeOptions.url ?? path}`,
      caller: callerOf(request),
      headers: { ...request.headers },
      body: undefined,
    };
    records.set(request, record);
    state.counters.recordRequest(record, state.knobs.requestLogLimit);

    // Unmapped routes answer 404 before any auth check, as Spring's interceptors only guard mapped handlers.
    if (state.knobs.mode === 'J' && plusOnly.has(request.routeOptions.url ?? '')) {
      return reply.code(404).send(springError(404, path, state.now()));
    }
    const secret = state.knobs.apiSecret;
    if (secret && path.startsWith('/mj/') && request.headers['mj-api-secret'] !== secret) {
      return reply.code(401).send();
    }
  });

  app.addHook('preHandler', async (request) => {
    const record = records.get(request);
    if (record) record.body = request.body;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const path = pathOf(request);
    if (path.startsWith(CONTROL_PREFIX)) return reply.code(status).send({ error: error.message });
    return reply.code(status).send(springError(status, path, state.now()));
  });
}
