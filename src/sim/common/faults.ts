// HTTP faults a simulated upstream can answer with instead of (or on top of) its normal answer.
// A fault either replaces the answer before the request is handled (html, status, nonarray, json, hang,
// reset; slow only delays it), or damages the answer after it was handled (truncated, empty): the second
// kind models "the upstream accepted it but the client never read a usable reply".
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const FAULT_KINDS = [
  'html', // 502 text/html error page from a reverse proxy
  'truncated', // the real JSON answer cut in half
  'empty', // 200 with an empty body
  'status', // an HTTP error status (default 500) with a JSON error body
  'slow', // the real answer after delayMs of real time
  'hang', // never answers until the connection or the simulator closes
  'reset', // the TCP connection is reset
  'nonarray', // 200 with a JSON object where an array was expected
  'json', // 200 (or `status`) with a given JSON `body`
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** HTTP status for `status` (default 500), `html` (default 502) and `json` (default 200). */
  status?: number;
  /** Real milliseconds for `slow`. */
  delayMs?: number;
  /** Body for `json`. */
  body?: unknown;
  /** Apply to the next N matching requests only (decremented as they happen). Absent: no limit. */
  count?: number;
  /** Apply to this share of matching requests, 0..1. Absent: every one. */
  rate?: number;
}

/** An answer a route computed: `body` undefined means an empty body. */
export interface Answer {
  status: number;
  body?: unknown;
}

export class FaultRuleError extends Error {}

const TOKEN_KINDS: ReadonlySet<string> = new Set(['html', 'truncated', 'empty', 'hang', 'reset', 'nonarray']);

/** Reads the short form used in prompt directives: html, truncated, empty, hang, reset, nonarray, 5xx, 503, slow-2000. */
export function parseFaultToken(token: string): FaultRule | null {
  const text = token.trim().toLowerCase();
  if (TOKEN_KINDS.has(text)) return { kind: text as FaultKind };
  if (text === '5xx') return { kind: 'status', status: 500 };
  if (/^[45]\d\d$/.test(text)) return { kind: 'status', status: Number(text) };
  const slow = /^slow-(\d+)$/.exec(text);
  if (slow) return { kind: 'slow', delayMs: Number(slow[1]) };
  return null;
}

function numberField(
  source: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new FaultRuleError(`fault ${key} must be a number between ${min} and ${max}`);
  }
  return value;
}

/** Validates a fault rule from JSON (an object, or the short string form). */
export function parseFaultRule(value: unknown): FaultRule {
  if (typeof value === 'string') {
    const rule = parseFaultToken(value);
    if (!rule) throw new FaultRuleError(`unknown fault "${value}"`);
    return rule;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultRuleError('a fault must be an object like {"kind":"html"} or a string like "html"');
  }
  const source = value as Record<string, unknown>;
  const kind = source.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultRuleError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const rule: FaultRule = { kind: kind as FaultKind };
  const status = numberField(source, 'status', 100, 599);
  const delayMs = numberField(source, 'delayMs', 0, 3_600_000);
  const count = numberField(source, 'count', 0, Number.MAX_SAFE_INTEGER);
  const rate = numberField(source, 'rate', 0, 1);
  if (status !== undefined) rule.status = Math.trunc(status);
  if (delayMs !== undefined) rule.delayMs = delayMs;
  if (count !== undefined) rule.count = Math.trunc(count);
  if (rate !== undefined) rule.rate = rate;
  if (source.body !== undefined) rule.body = source.body;
  return rule;
}

/** Decides whether a rule fires for this request, using up one of its `count` when it does. */
export function takeFault(
  rule: FaultRule | null | undefined,
  random: () => number = Math.random,
): FaultRule | null {
  if (!rule) return null;
  if (rule.count !== undefined && rule.count <= 0) return null;
  if (rule.rate !== undefined && random() >= rule.rate) return null;
  if (rule.count !== undefined) rule.count--;
  return rule;
}

export function sendAnswer(reply: FastifyReply, answer: Answer): FastifyReply {
  reply.code(answer.status);
  if (answer.body === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}

const HTML_ERROR_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export interface FaultPlayerOptions {
  /** JSON body of a `status` fault, in the simulated upstream's own error shape. */
  errorBody: (status: number, request: FastifyRequest) => unknown;
  /** JSON body of a `nonarray` fault. */
  shapeMismatchBody: unknown;
}

/** Plays faults on Fastify replies and remembers what must be cut short when the simulator closes. */
export class FaultPlayer {
  private readonly life = new AbortController();
  private readonly held = new Set<Socket>();

  constructor(private readonly options: FaultPlayerOptions) {}

  /** Aborted when the simulator closes; long waits listen to it. */
  get signal(): AbortSignal {
    return this.life.signal;
  }

  /** Answers the request with `compute()`, shaped by `fault` when there is one. */
  async answer(
    request: FastifyRequest,
    reply: FastifyReply,
    fault: FaultRule | null,
    compute: () => Answer | Promise<Answer>,
  ): Promise<FastifyReply> {
    if (!fault) return sendAnswer(reply, await compute());
    switch (fault.kind) {
      case 'slow':
        if (!(await this.wait(fault.delayMs ?? 0))) return this.drop(request, reply);
        return sendAnswer(reply, await compute());
      case 'hang':
        return this.hold(request, reply);
      case 'reset':
        return this.drop(request, reply);
      case 'html':
        return reply
          .code(fault.status ?? 502)
          .type('text/html')
          .send(HTML_ERROR_PAGE);
      case 'status': {
        const status = fault.status ?? 500;
        return sendAnswer(reply, { status, body: this.options.errorBody(status, request) });
      }
      case 'nonarray':
        return sendAnswer(reply, { status: 200, body: this.options.shapeMismatchBody });
      case 'json':
        return sendAnswer(reply, { status: fault.status ?? 200, body: fault.body ?? null });
      case 'truncated': {
        const answer = await compute();
        const text = JSON.stringify(answer.body ?? null);
        const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
        return reply.code(answer.status).type('application/json; charset=utf-8').send(cut);
      }
      case 'empty':
        await compute();
        return reply.code(200).send();
    }
  }

  /** Waits `ms` of real time; false when the simulator closed meanwhile. */
  async wait(ms: number): Promise<boolean> {
    if (ms <= 0) return !this.life.signal.aborted;
    try {
      await sleep(ms, undefined, { signal: this.life.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Ends everything still waiting: slow answers and hung connections. */
  close(): void {
    this.life.abort();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  private hold(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.hijack();
    const socket = request.raw.socket;
    if (this.life.signal.aborted) {
      socket.destroy();
      return reply;
    }
    this.held.add(socket);
    socket.once('close', () => this.held.delete(socket));
    return reply;
  }

  private drop(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.hijack();
    request.raw.socket.resetAndDestroy();
    return reply;
  }
}
