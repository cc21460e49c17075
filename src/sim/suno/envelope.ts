// Suno-API's `{code, message, data}` envelope, its error answers (reference §1.4), its secret check (§1.3),
// and the Suno-flavoured HTTP faults.
import { STATUS_CODES } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { type Answer, type FaultRule, parseFaultToken } from '../common/faults.js';
import { readJson } from '../common/raw-body.js';

export function success(data: unknown): Answer {
  return { status: 200, body: { code: 'success', message: '', data } };
}

export function failure(status: number, code: string, message: string): Answer {
  return { status, body: { code, message, data: null } };
}

export const badRequest = (message: string): Answer => failure(400, 'invalid_request', message);

export const UNAUTHORIZED = failure(401, 'invalid_request', 'unauthorized secret token');

/** What Suno-API answers when Suno itself refuses a submit: Suno's status and status line. */
export function statusLineError(status: number): unknown {
  return { code: 'invalid_request', message: `${status} ${STATUS_CODES[status] ?? 'Unknown'}`, data: null };
}

/**
 * A fault from its short name: the shared ones (html, truncated, empty, hang, reset, nonarray, 5xx, 429…,
 * slow-<ms>) plus `badcode` (200 whose code is not "success"), `taskfailed` (500 "task failed") and
 * `transport` (500 with a Go transport error).
 */
export function sunoFaultToken(token: string): FaultRule | null {
  switch (token.trim().toLowerCase()) {
    case 'badcode':
      return {
        kind: 'json',
        status: 200,
        body: { code: 'fail_to_fetch_task', message: 'upstream busy', data: null },
      };
    case 'taskfailed':
      return {
        kind: 'json',
        status: 500,
        body: { code: 'internal_error', message: 'task failed', data: null },
      };
    case 'transport':
      return {
        kind: 'json',
        status: 500,
        body: {
          code: 'internal_error',
          message: 'Post "https://studio-api.suno.ai/api/generate/v2/": dial tcp 104.18.0.1:443: i/o timeout',
          data: null,
        },
      };
    default:
      return parseFaultToken(token);
  }
}

/**
 * Suno-API trims the Authorization header with a character set, not a prefix: any leading run of
 * `B e a r` and spaces goes. `strictBearer` asks for the literal `Bearer <token>` instead.
 */
export function authorized(request: FastifyRequest, secret: string | null, strictBearer: boolean): boolean {
  if (!secret) return true;
  const header = request.headers.authorization ?? '';
  if (strictBearer) return header === `Bearer ${secret}`;
  return header.replace(/^[Bear ]+/, '') === secret;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Go's `encoding/json` text for a body that is not JSON (V8's message gives the position, when it has one). */
function goSyntaxError(read: { empty: boolean; message: string; text: string }): string {
  const text = read.text.trimEnd();
  const position = Number(/at position (\d+)/.exec(read.message)?.[1] ?? Number.NaN);
  if (read.empty || /end of (json )?input|unterminated/i.test(read.message) || position >= text.length) {
    return 'unexpected end of JSON input';
  }
  const token = Number.isNaN(position)
    ? (/Unexpected token '?(.)/.exec(read.message)?.[1] ?? text.charAt(0))
    : text.charAt(position);
  return `invalid character '${token}' looking for beginning of value`;
}

export type GoType = 'string' | 'bool' | 'float64' | '[]string';

function fits(value: unknown, type: GoType): boolean {
  if (value === null) return true; // Go leaves the zero value for null
  if (type === 'string') return typeof value === 'string';
  if (type === 'bool') return typeof value === 'boolean';
  if (type === 'float64') return typeof value === 'number';
  return Array.isArray(value);
}

/** Go's unmarshal type error for the first field of `value` that does not fit `struct`, or null. */
function goTypeError(value: unknown, struct: string, fields: Record<string, GoType>): string | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `json: cannot unmarshal ${jsonKind(value)} into Go value of type main.${struct}`;
  }
  for (const [name, type] of Object.entries(fields)) {
    const field = (value as Record<string, unknown>)[name];
    if (field === undefined) continue;
    if (!fits(field, type)) {
      return `json: cannot unmarshal ${jsonKind(field)} into Go struct field ${struct}.${name} of type ${type}`;
    }
    if (type === '[]string' && Array.isArray(field)) {
      const odd = field.find((item) => item !== null && typeof item !== 'string');
      if (odd !== undefined) {
        return `json: cannot unmarshal ${jsonKind(odd)} into Go struct field ${struct}.${name} of type string`;
      }
    }
  }
  return null;
}

type Decoded = { ok: true; fields: Record<string, unknown> } | { ok: false; answer: Answer };

/** The body decoded as Go would into `struct`: a 400 with Go's error text when it does not fit. */
export function decodeBody(body: unknown, struct: string, fields: Record<string, GoType>): Decoded {
  const read = readJson(body);
  if (!read.ok) return { ok: false, answer: badRequest(goSyntaxError(read)) };
  const typeError = goTypeError(read.value, struct, fields);
  if (typeError) return { ok: false, answer: badRequest(typeError) };
  return { ok: true, fields: (read.value ?? {}) as Record<string, unknown> };
}
