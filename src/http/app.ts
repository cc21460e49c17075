// Builds the Fastify app: plugins first (errors, cookies, rate limits, metrics, docs), then one module per surface.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { AppError } from '../core/errors.js';
import { channelRoutes } from './api/channel.js';
import { logRoutes } from './api/log.js';
import { optionRoutes } from './api/option.js';
import { type ReadinessCheck, statusRoutes } from './api/status.js';
import { taskListingRoutes } from './api/tasks.js';
import { tokenRoutes } from './api/token.js';
import { userRoutes } from './api/user.js';
import type { AppContext } from './context.js';
import { registerDocs } from './plugins/docs.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { modelRoutes } from './relay/models.js';
import type { App } from './types.js';
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
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.decorate('ctx', ctx);
  app.addSchema(ErrorBody);
  registerErrorHandling(app);
  await app.register(cookie, { secret: ctx.secret });
  await app.register(rateLimit, {
    global: false,
    // The returned error is thrown by the plugin and reaches the error handler like any other.
    errorResponseBuilder: (_request, context) => new AppError('rate_limited', 429, { after: context.after }),
  });
  registerMetrics(app);
  await registerDocs(app);

  await app.register(async (api) => {
    const typed = api as unknown as App;
    await userRoutes(typed);
    await tokenRoutes(typed);
    await channelRoutes(typed);
    await optionRoutes(typed);
    await logRoutes(typed);
    await taskListingRoutes(typed);
    await statusRoutes(typed, options.readinessChecks);
    await modelRoutes(typed);
  });
  return app as unknown as App;
}
