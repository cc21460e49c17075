// OpenAI's error shape `{"error":{"message","type","param","code"}}` and the answers built on it.
import type { FastifyRequest } from 'fastify';
import { type Answer, type FaultRule, parseFaultToken } from '../common/faults.js';

export function openAiError(
  status: number,
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): Answer {
  return { status, body: { error: { message, type, param, code } } };
}

export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): Answer {
  return openAiError(400, message, 'invalid_request_error', param, code);
}

export function videoNotFound(id: string): Answer {
  return openAiError(
    404,
    `Video with id '${id}' not found.`,
    'invalid_request_error',
    null,
    'video_not_found',
  );
}

export const UNPARSABLE_JSON = invalidRequest(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
    'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
);

function masked(key: string): string {
  return key.length <= 8
    ? '*'.repeat(key.length)
    : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

/** 401 unless the request carries `Authorization: Bearer <apiKey>`; null when it may pass. */
export function authError(request: FastifyRequest, apiKey: string | null): Answer | null {
  if (!apiKey) return null;
  const header = request.headers.authorization ?? '';
  const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (presented === apiKey) return null;
  if (!presented) {
    return openAiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer " +
        'auth (i.e. Authorization: Bearer YOUR_KEY).',
      'invalid_request_error',
    );
  }
  return openAiError(
    401,
    `Incorrect API key provided: ${masked(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

/** The error body of an HTTP-status fault, by status. */
export function statusErrorBody(status: number): unknown {
  if (status === 400) {
    return invalidRequest('Your request was blocked by our moderation system.', null, 'moderation_blocked')
      .body;
  }
  if (status === 429) {
    return openAiError(
      429,
      'Rate limit reached for requests. Please try again later.',
      'requests',
      null,
      'rate_limit_exceeded',
    ).body;
  }
  if (status >= 500) {
    return openAiError(
      status,
      'The server had an error while processing your request. Sorry about that!',
      'server_error',
    ).body;
  }
  return openAiError(status, `Request failed with status ${status}.`, 'invalid_request_error').body;
}

/**
 * A fault from its short name: the shared ones (html, truncated, empty, hang, reset, nonarray, 5xx, 400
 * (a moderation refusal), 429…, slow-<ms>) plus `429code` (a 429 whose error code is the string "429", which
 * new-api treats differently) and `noid` (a 200 video object without an id).
 */
export function videoFaultToken(token: string): FaultRule | null {
  switch (token.trim().toLowerCase()) {
    case '429code':
      return {
        kind: 'json',
        status: 429,
        body: { error: { message: 'Too many requests', type: 'rate_limit_error', param: null, code: '429' } },
      };
    case 'noid':
      return { kind: 'json', status: 200, body: { object: 'video', status: 'queued', progress: 0 } };
    default:
      return parseFaultToken(token);
  }
}
