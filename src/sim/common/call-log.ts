// What a simulated upstream was asked: calls per route, polls per task and per caller, and the raw requests
// themselves, so tests can assert what the gateway sent (keys, bodies) and how often it polled.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart.js';
import { bodyText, readJson } from './raw-body.js';

export interface RecordedRequest {
  seq: number;
  /** Real epoch ms when the request was handled. */
  at: number;
  method: string;
  url: string;
  /** `METHOD /route/:pattern`, the key of `routes`. */
  route: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, a multipart summary, the text, or null without a body. */
  body: unknown;
  caller: string;
  /** Null while unanswered, or when the connection was dropped without an answer. */
  status: number | null;
  latencyMs: number | null;
}

/** The same shape as the midjourney-proxy simulator's poll counts. */
export interface PollCount {
  /** How many fetch requests asked for this id. */
  count: number;
  /** How many of them found it (not unknown, not vanished). */
  returned: number;
  byCaller: Record<string, number>;
}

const MAX_RECORDED = 2000;

/** Who is polling: the gateway instance header when present, else the remote address. */
export function callerOf(request: FastifyRequest): string {
  const instance = request.headers['x-taskgate-instance'];
  return (Array.isArray(instance) ? instance[0] : instance) || request.ip;
}

function describeBody(request: FastifyRequest): unknown {
  if (request.body === undefined || request.body === null) return null;
  const boundary = multipartBoundary(request.headers['content-type']);
  if (boundary && Buffer.isBuffer(request.body)) {
    try {
      return parseMultipart(request.body, boundary).map((part) =>
        part.filename === null
          ? { name: part.name, value: part.data.toString('utf8') }
          : {
              name: part.name,
              filename: part.filename,
              contentType: part.contentType,
              size: part.data.length,
            },
      );
    } catch (error) {
      if (!(error instanceof MultipartError)) throw error;
    }
  }
  const json = readJson(request.body);
  return json.ok ? json.value : bodyText(request.body);
}

export class CallLog {
  routeCalls: Record<string, number> = {};
  polls: Record<string, PollCount> = {};
  requests: RecordedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private seq = 0;

  record(request: FastifyRequest): RecordedRequest {
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    this.routeCalls[route] = (this.routeCalls[route] ?? 0) + 1;
    const entry: RecordedRequest = {
      seq: ++this.seq,
      at: Date.now(),
      method: request.method,
      url: request.url,
      route,
      headers: { ...request.headers },
      body: describeBody(request),
      caller: callerOf(request),
      status: null,
      latencyMs: null,
    };
    this.requests.push(entry);
    if (this.requests.length > MAX_RECORDED) this.requests.shift();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return entry;
  }

  finish(entry: RecordedRequest, status: number | null): void {
    entry.status = status;
    entry.latencyMs = Date.now() - entry.at;
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  countPoll(taskId: string, caller: string, returned: boolean): void {
    const poll = this.polls[taskId] ?? { count: 0, returned: 0, byCaller: {} };
    poll.count++;
    if (returned) poll.returned++;
    poll.byCaller[caller] = (poll.byCaller[caller] ?? 0) + 1;
    this.polls[taskId] = poll;
  }

  /** How many times `taskId` was polled (by `caller` only, when given). */
  pollsOf(taskId: string, caller?: string): number {
    const poll = this.polls[taskId];
    if (!poll) return 0;
    return caller === undefined ? poll.count : (poll.byCaller[caller] ?? 0);
  }

  /** Calls of one route, e.g. `callsOf('POST /suno/fetch')`. */
  callsOf(route: string): number {
    return this.routeCalls[route] ?? 0;
  }

  clear(): void {
    this.routeCalls = {};
    this.polls = {};
    this.requests = [];
    this.maxInFlight = this.inFlight;
  }
}

/** Records every request of this plugin context (register it beside the routes it should watch). */
export function recordCalls(app: FastifyInstance, log: CallLog): void {
  app.addHook('preHandler', async (request, reply) => {
    const entry = log.record(request);
    reply.raw.once('close', () => log.finish(entry, reply.raw.headersSent ? reply.raw.statusCode : null));
  });
}
