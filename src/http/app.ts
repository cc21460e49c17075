// Builds the Fastify app: plugins first (errors, rate limits, metrics, docs), then one module per surface (the
// dashboard's with cookies).
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { AppError, badRequest } from '../core/errors.js';
import { sharedRateLimitStore } from '../services/coordination/index.js';
import { channelRoutes } from './api/channel.js';
import { logRoutes } from './api/log.js';
import { optionRoutes } from './api/option.js';
import { type ReadinessCheck, statusRoutes } from './api/status.js';
import { taskListingRoutes } from './api/tasks.js';
import { tokenRoutes } from './api/token.js';
import { userRoutes } from './api/user.js';
import type { AppContext } from './context.js';
import { mediaRoutes } from './media/routes.js';
import { taskMediaRoutes } from './media/task-media.js';
import { AccessLog } from './plugins/access-log.js';
import { registerRelayCors } from './plugins/cors.js';
import { registerDocs } from './plugins/docs.js';
import { frameworkErrors, MAX_PARAM_LENGTH, registerErrorHandling } from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { mjRelayRoutes } from './relay/mj/index.js';
import { modelRoutes } from './relay/models.js';
import { sunoRelayRoutes } from './relay/suno/index.js';
import { videoRelayRoutes } from './relay/video/index.js';
import type { App } from './types.js';
import { registerUi } from './ui.js';
import { ErrorBody } from './views/envelope.js';

/** Headers and fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["mj-api-secret"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.key',
  '*.access_token',
];

/** How deep a request's JSON may nest: real bodies are a few levels deep; deeper ones cannot be forwarded. */
const MAX_DEPTH = 64;

/** What makes a parsed query, params or JSON body unusable: U+0000 anywhere (keys included), or deep nesting. */
function flaw(value: unknown, depth = 0): 'nul' | 'deep' | null {
  if (typeof value === 'string') return value.includes('\u0000') ? 'nul' : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (depth >= MAX_DEPTH) return 'deep';
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = flaw(item, depth + 1);
      if (found) return found;
    }
    return null;
  }
  // A for-in loop, not Object.entries: this runs on every request's params and query, and allocates nothing.
  for (const key in value) {
    if (key.includes('\u0000')) return 'nul';
    const found = flaw((value as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return null;
}

export interface BuildOptions {
  /** The process logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
  readinessChecks?: ReadinessCheck[];
  /** Called for every route as it is registered (tests compare this with the OpenAPI document). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

export async function buildApp(ctx: AppContext, options: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    logController: new AccessLog(),
    // Long enough for every id a route takes (Suno ids up to 128 characters): the routes' schemas decide.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    bodyLimit: 1024 * 1024,
    // X-Forwarded-For is believed only from configured proxies: anyone else could forge it past IP allow-lists.
    trustProxy: ctx.config.trustedProxies.length ? ctx.config.trustedProxies : false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.decorate('ctx', ctx);
  // The app is the last user of the Redis connections (rate limits): they close with it.
  app.addHook('onClose', async () => ctx.coordination.close());
  // Closing closes the connections idle at that moment; one still answering a request stayed open after it
  // (keep-alive: nginx's, any client's) for the 72 s keep-alive, so the drain outlasted the shutdown grace and the
  // process was killed. From now on a connection closes as soon as its response is done.
  app.addHook('preClose', (done) => {
    app.server.keepAliveTimeout = 1;
    done();
  });
  app.addSchema(ErrorBody);
  registerErrorHandling(app);
  // PostgreSQL can neither store nor compare text holding U+0000: refuse it up front as bad input, on every
  // engine alike, instead of failing with a 500 on one of them. JSON nested deeper than any real body is refused
  // too: it could not be serialised again to be forwarded.
  // A callback hook, not an async one: it runs on every request and needs no promise.
  app.addHook('preValidation', (request, _reply, done) => {
    for (const part of ['query', 'params', 'body'] as const) {
      const found = flaw(request[part]);
      if (found === 'nul') return done(badRequest(`${part} must not contain NUL (U+0000) characters`));
      if (found === 'deep') return done(badRequest(`${part} is nested more than ${MAX_DEPTH} levels deep`));
    }
    done();
  });
  await app.register(rateLimit, {
    global: false,
    // Counted in Redis across instances while it is up, per instance while it is down; never switched off.
    store: sharedRateLimitStore(ctx.coordination),
    // The returned error is thrown by the plugin and reaches the error handler like any other.
    errorResponseBuilder: (_request, context) => new AppError('rate_limited', 429, { after: context.after }),
  });
  registerMetrics(app);
  await registerDocs(app);

  await app.register(async (api) => {
    const typed = api as unknown as App;
    // Sessions live in the dashboard API alone: the relay, media and status routes (the hottest) skip the cookie
    // plugin's two hooks on every request.
    await api.register(async (dashboard) => {
      await dashboard.register(cookie, { secret: ctx.secret });
      const withSessions = dashboard as unknown as App;
      await userRoutes(withSessions);
      await tokenRoutes(withSessions);
      await channelRoutes(withSessions);
      await optionRoutes(withSessions);
      await logRoutes(withSessions);
      await taskListingRoutes(withSessions);
    });
    await statusRoutes(typed, options.readinessChecks);
    // The relay and media routes, the ones browsers may call from other origins, in a scope of their own for CORS.
    await api.register(async (scope) => {
      await registerRelayCors(scope);
      const relay = scope as unknown as App;
      await modelRoutes(relay);
      await mediaRoutes(relay);
      await mjRelayRoutes(relay);
      await taskMediaRoutes(relay);
      await sunoRelayRoutes(relay);
      await videoRelayRoutes(relay);
    });
  });
  await registerUi(app);
  return app as unknown as App;
}
