// One error handler for the whole app: every error becomes a clear 4xx or a 500 without internals, in the
// envelope of the surface the client speaks (dashboard, midjourney-proxy, Suno-API or OpenAI).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { type MessageCode, pickLanguage, renderMessage } from '../../core/messages.js';
import type { Surface } from '../context.js';

export function surfaceOf(request: FastifyRequest): Surface {
  const configured = request.routeOptions.config?.surface;
  return configured ?? surfaceOfPath(request.url);
}

function surfaceOfPath(path: string): Surface {
  if (path.startsWith('/api/')) return 'dashboard';
  if (path.startsWith('/suno/')) return 'suno';
  if (path.startsWith('/v1/')) return 'openai';
  // `/mj/…` and the mode-prefixed `/mj-fast/mj/…` forms.
  if (/^\/([\w-]+\/)?mj(\/|\?|$)/.test(path)) return 'midjourney';
  return 'plain';
}

/** Fastify's own errors (parsing, limits, validation) expressed as ours. */
function asAppError(error: FastifyError): AppError | null {
  if (error instanceof AppError) return error;
  if (error.validation) return new AppError('invalid_request', 400, { detail: error.message });
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 400);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('body_too_large', 413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 415);
  }
  // JSON.parse failures surface as a plain SyntaxError with status 400.
  if (error.statusCode === 400 && error instanceof SyntaxError) return new AppError('invalid_json', 400);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid_request', error.statusCode, { detail: error.message });
  }
  return null;
}

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: MessageCode,
  params: Record<string, unknown> = {},
  surface: Surface = surfaceOf(request),
) {
  const message = renderMessage(code, pickLanguage(request.headers['accept-language']), params);
  switch (surface) {
    case 'dashboard':
      return reply.code(status).send({ success: false, message });
    case 'midjourney':
      // midjourney-proxy's codes: 4 for a request the gateway refuses, 9 for a system error.
      return reply.code(status).send({ code: status >= 500 ? 9 : 4, description: message, result: null });
    case 'suno':
      return reply.code(status).send({ code, message, data: null });
    case 'openai':
      return reply.code(status).send({
        error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code },
      });
    default:
      return reply.code(status).send({ error: code, message });
  }
}

/** The longest path parameter the router takes (`routerOptions.maxParamLength`): longer than every id a route takes. */
export const MAX_PARAM_LENGTH = 256;

/** Whether a path holds a segment the router refuses as too long (FST_ERR_MAX_PARAM_LENGTH). */
export const hasOverlongSegment = (url: string): boolean =>
  url
    .split('?')[0]
    .split('/')
    .some((segment) => segment.length > MAX_PARAM_LENGTH);

/** The 414 of a path segment over `MAX_PARAM_LENGTH`, in the envelope of the surface the path belongs to. */
export const sendOverlongPath = (request: FastifyRequest, reply: FastifyReply) =>
  sendError(
    request,
    reply,
    414,
    'invalid_request',
    { detail: 'a path segment is too long' },
    surfaceOfPath(request.url),
  );

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route matches (a broken percent-escape, a path
 * parameter over `maxParamLength`), answered in the envelope of the surface the path belongs to.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // No route matched, so there is no route context (routeOptions would throw): the path alone names the surface.
  const surface = surfaceOfPath(request.url);
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return sendError(request, reply, 400, 'invalid_request', { detail: 'the path is not valid' }, surface);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendOverlongPath(request, reply);
  }
  request.log.error({ err: error }, 'router error');
  return sendError(request, reply, 500, 'internal_error', { requestId: request.id }, surface);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = asAppError(error);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(request, reply, known.status, known.code, known.params);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, 500, 'internal_error', { requestId: request.id });
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'route_not_found', {
      route: `${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
