// Calls to upstreams: pooled keep-alive connections (one pool per outbound proxy), bounded time and size, and
// errors that say whether the request may have reached the upstream (a submit must never be sent twice then).
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher, request } from 'undici';
import type { Metrics } from '../http/plugins/metrics.js';
import type { UpstreamRequest, UpstreamResponse } from '../platforms/types.js';
import { isSocksHandshakeError, ProxyPools } from './proxy-dispatcher.js';

/** Largest upstream answer read into memory (status lists of 500 tasks stay far below it). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class UpstreamError extends Error {
  constructor(
    message: string,
    /** True when the upstream cannot have received the request (connection refused, DNS, connect timeout). */
    readonly neverSent: boolean,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** How long connecting to a channel's outbound proxy may take (undici's own default for any connection). */
const PROXY_CONNECT_TIMEOUT_MS = 10_000;

const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  // Refused before anything was dispatched: a URL or option undici cannot use.
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
]);

export interface CallOptions {
  timeoutMs: number;
  /** For metrics: submit, poll, test… */
  operation: string;
  channelId: number;
}

export class UpstreamClient {
  private readonly direct = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  private readonly proxies = new ProxyPools(PROXY_CONNECT_TIMEOUT_MS);

  constructor(private readonly metrics?: Metrics) {}

  private dispatcher(proxy: string): Dispatcher {
    return proxy ? this.proxies.get(proxy) : this.direct;
  }

  async call(
    baseUrl: string,
    proxy: string,
    req: UpstreamRequest,
    options: CallOptions,
  ): Promise<UpstreamResponse> {
    const started = performance.now();
    const labels = { channel: String(options.channelId), operation: options.operation };
    const signal = AbortSignal.timeout(options.timeoutMs);
    let body: string | Buffer | undefined;
    try {
      if (req.body !== undefined)
        body =
          typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
    } catch (error) {
      // A body that cannot be serialised (nested too deep) never left: it is not an upstream failure.
      throw new UpstreamError(`the request could not be serialised: ${(error as Error).message}`, true);
    }
    try {
      const response = await request(`${baseUrl}${req.path}`, {
        method: req.method,
        headers: req.headers,
        body,
        signal,
        dispatcher: this.dispatcher(proxy),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const text = await readCapped(response.body);
      this.metrics?.upstreamLatency.observe(labels, (performance.now() - started) / 1000);
      // A 5xx is the upstream failing even though it answered (a 4xx is a refusal of this request, not an error).
      if (response.statusCode >= 500) this.metrics?.upstreamErrors.inc({ ...labels, kind: 'status' });
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
      const neverSent = (code !== undefined && NEVER_SENT_CODES.has(code)) || isSocksHandshakeError(code);
      const reason = signal.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
      this.metrics?.upstreamErrors.inc({ ...labels, kind: signal.aborted ? 'timeout' : 'transport' });
      throw new UpstreamError(reason, neverSent);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.direct.close(), this.proxies.close()]);
  }
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    // An answer larger than any real status list is cut: the parser then reports truncated JSON.
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
