// Suno-API's own error codes (new-api's: invalid_action, task_not_exist) in the Suno envelope, with messages from
// the shared catalogue so they follow Accept-Language like every other error.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type MessageCode, pickLanguage, renderMessage } from '../../../core/messages.js';

export function sunoError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: MessageCode,
  params: Record<string, unknown> = {},
) {
  const text = renderMessage(message, pickLanguage(request.headers['accept-language']), params);
  return reply.code(status).send({ code, message: text, data: null });
}

export const taskNotExist = (request: FastifyRequest, reply: FastifyReply) =>
  sunoError(request, reply, 404, 'task_not_exist', 'task_not_found');

/** The POST routes' note in the OpenAPI document (the scope's preParsing hook in index.ts does it). */
export const ANY_CONTENT_TYPE =
  'The body is read as JSON whatever the Content-Type says (text/plain, a form type or none), as Suno-API does; ' +
  'malformed JSON is a 400 invalid_json.';
