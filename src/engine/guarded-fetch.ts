// Server-side fetches of URLs that clients can influence (forwarded media, client callbacks). Every connection
// is checked where it is made: the address DNS returns is the address refused or used, so DNS rebinding cannot
// slip a private target past a check made earlier. Only http and https; bounded time, size and redirects.
// Through a channel's outbound proxy the proxy connects, so the target's addresses are checked just before.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { pipeline, type Readable, Transform } from 'node:stream';
import { Agent, buildConnector, type Dispatcher, request } from 'undici';
import { isPrivateAddress } from '../core/ssrf.js';
import { ProxyPools } from './proxy-dispatcher.js';

export type GuardedFetchFailure = 'refused' | 'failed' | 'timeout' | 'too_large';

export class GuardedFetchError extends Error {
  constructor(
    readonly kind: GuardedFetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'GuardedFetchError';
  }
}

/** The target is not one Taskgate may reach: a private address, a bad URL or a scheme other than http(s). */
export class RefusedTargetError extends GuardedFetchError {
  readonly code = 'ERR_TASKGATE_REFUSED_TARGET';
  constructor(message: string) {
    super('refused', message);
    this.name = 'RefusedTargetError';
  }
}

/** The target could not be reached or broke off (connection errors, bad redirects). */
export class FetchFailedError extends GuardedFetchError {
  constructor(message: string) {
    super('failed', message);
    this.name = 'FetchFailedError';
  }
}

export class FetchTimeoutError extends GuardedFetchError {
  constructor(ms: number) {
    super('timeout', `no answer within ${ms} ms`);
    this.name = 'FetchTimeoutError';
  }
}

export class ResponseTooLargeError extends GuardedFetchError {
  constructor(maxBytes: number) {
    super('too_large', `the response is larger than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

export interface GuardedFetchSettings {
  /** Until the response headers arrive, connection and redirects included. */
  timeoutMs: number;
  /** The longest silence while the body streams. */
  bodyIdleTimeoutMs: number;
  maxBytes: number;
  /** Redirects followed, each target checked like the first; 0 hands 3xx answers back as they are. */
  maxRedirects: number;
}

export const DEFAULT_GUARDED_FETCH: GuardedFetchSettings = {
  timeoutMs: 15_000,
  bodyIdleTimeoutMs: 30_000,
  maxBytes: 50 * 1024 * 1024,
  maxRedirects: 3,
};

export interface GuardedRequest extends Partial<GuardedFetchSettings> {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** `host:port` keys (see `hostKey`) whose private addresses may be reached: the configured channels. */
  allowedHosts?: ReadonlySet<string>;
  /** Private targets are allowed everywhere (an admin's choice). */
  allowPrivate?: boolean;
  /** The channel's outbound proxy (`http://`, `https://` or `socks5://`) its upstream calls use; empty: direct. */
  proxy?: string;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  /** Lower-case names; the first value when a header repeats. */
  header(name: string): string | undefined;
  /** The URL that answered, after redirects. */
  url: string;
  /** The body, cut with a `ResponseTooLargeError` past the size bound. */
  body: Readable;
  /** The whole (bounded) body as text. */
  text(): Promise<string>;
  /** Drops the body unread. */
  discard(): void;
}

/** How allow-lists name a target: `hostname:port`, the port spelt out. */
export function hostKey(url: URL): string {
  return `${url.hostname.toLowerCase()}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** The allow-list of private targets made of configured base URLs (unparsable ones are skipped). */
export function hostsOf(baseUrls: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const base of baseUrls) {
    try {
      out.add(hostKey(new URL(base)));
    } catch {}
  }
  return out;
}

/** Checks every address a name resolves to; one private address refuses the name. */
function guardedLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string; hints?: number },
  callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true } as never, (error, found) => {
    const addresses = found as unknown as LookupAddress[];
    if (error) return callback(error);
    if (!addresses?.length) return callback(new FetchFailedError(`${hostname} has no address`));
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad)
      return callback(new RefusedTargetError(`${hostname} resolves to a private address (${bad.address})`));
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

/** Node connects to an IP literal without any lookup, so literals are checked before connecting. */
function guardedConnector(connectTimeoutMs: number): buildConnector.connector {
  const base = buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup as never });
  return (options, callback) => {
    if (isIP(options.hostname) && isPrivateAddress(options.hostname)) {
      callback(new RefusedTargetError(`${options.hostname} is a private address`), null);
      return;
    }
    base(options, callback);
  };
}

/**
 * The check a proxied request gets before it is sent: the proxy makes the connection, so the target's name is
 * resolved here and refused if any address is private. (The proxy resolves it again; a name that changes its
 * answer in between reaches the proxy's network, not Taskgate's.)
 */
function checkProxiedTarget(url: URL): Promise<void> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname)) {
    return isPrivateAddress(hostname)
      ? Promise.reject(new RefusedTargetError(`${hostname} is a private address`))
      : Promise.resolve();
  }
  return new Promise((resolve, reject) =>
    guardedLookup(hostname, { all: true }, (error) => (error ? reject(error) : resolve())),
  );
}

function parseTarget(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new RefusedTargetError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedTargetError(`${url.protocol} URLs are not fetched`);
  }
  return url;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry a credential of the first target (a channel key); not sent to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'mj-api-secret']);

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
  );
}
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function refusalIn(error: unknown): RefusedTargetError | null {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof RefusedTargetError) return e;
  }
  return null;
}

function classify(error: unknown, timedOut: boolean, timeoutMs: number): GuardedFetchError {
  if (error instanceof GuardedFetchError) return error;
  const refused = refusalIn(error);
  if (refused) return refused;
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (timedOut || (code && TIMEOUT_CODES.has(code))) return new FetchTimeoutError(timeoutMs);
  const message = (error as Error)?.message || String(error);
  return new FetchFailedError(code ? `${message} (${code})` : message);
}

/** Passes bytes through until `maxBytes`, then fails; destroying it destroys the source (pipeline). */
function capped(source: Readable, maxBytes: number, done: () => void): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      seen += chunk.length;
      if (seen > maxBytes) return next(new ResponseTooLargeError(maxBytes));
      next(null, chunk);
    },
  });
  pipeline(source, counter, () => done());
  return counter;
}

export class GuardedFetcher {
  private readonly settings: GuardedFetchSettings;
  /** Connections whose addresses are checked as they are made. */
  private readonly guarded: Agent;
  /** Connections to targets an allow-list or the admin trusts. */
  private readonly trusted: Agent;
  /** Connections through channels' outbound proxies (the proxy itself is the admin's: reached wherever it is). */
  private readonly proxies: ProxyPools;

  constructor(settings: Partial<GuardedFetchSettings> = {}) {
    this.settings = { ...DEFAULT_GUARDED_FETCH, ...settings };
    const connectTimeout = Math.min(this.settings.timeoutMs, 10_000);
    this.proxies = new ProxyPools(connectTimeout);
    const pool = { keepAliveTimeout: 10_000, connections: 32 };
    this.guarded = new Agent({ ...pool, connect: guardedConnector(connectTimeout) });
    this.trusted = new Agent({ ...pool, connect: { timeout: connectTimeout } });
  }

  async fetch(url: string, options: GuardedRequest = {}): Promise<GuardedResponse> {
    const limits = { ...this.settings, ...definedOnly(options) };
    let target = parseTarget(url);
    let method: string = options.method ?? 'GET';
    let body = options.body;
    let headers = options.headers;
    const controller = new AbortController();
    const external = options.signal;
    const onAbort = () => controller.abort();
    if (external?.aborted) controller.abort();
    external?.addEventListener('abort', onAbort, { once: true });
    const release = () => external?.removeEventListener('abort', onAbort);
    let timedOut = false;
    // Bounds the wait for headers only; the body is bounded by the idle timeout and the size cap.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limits.timeoutMs);
    try {
      for (let hop = 0; ; hop++) {
        const trusted = options.allowPrivate === true || options.allowedHosts?.has(hostKey(target)) === true;
        const proxy = options.proxy ? this.proxies.get(options.proxy) : null;
        if (proxy && !trusted) await checkProxiedTarget(target);
        const response = await request(target, {
          method: method as Dispatcher.HttpMethod,
          headers,
          body,
          signal: controller.signal,
          dispatcher: proxy ?? (trusted ? this.trusted : this.guarded),
          headersTimeout: limits.timeoutMs,
          bodyTimeout: limits.bodyIdleTimeoutMs,
        });
        const first = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const location = first('location');
        if (REDIRECTS.has(response.statusCode) && location && limits.maxRedirects > 0) {
          drop(response.body);
          if (hop >= limits.maxRedirects)
            throw new FetchFailedError(`more than ${limits.maxRedirects} redirects`);
          const next = parseTarget(location, target);
          // As browsers do: credentials stay with the origin they were meant for (the origin includes the scheme,
          // so https to http drops them too), for this hop and every later one.
          if (next.origin !== target.origin) headers = withoutCredentials(headers);
          target = next;
          // A 303, and a 301/302 after a POST, continue as GET without a body (what browsers do).
          if (response.statusCode === 303 || (method === 'POST' && response.statusCode < 303)) {
            method = 'GET';
            body = undefined;
          }
          continue;
        }
        clearTimeout(timer);
        const length = Number(first('content-length'));
        if (Number.isFinite(length) && length > limits.maxBytes) {
          drop(response.body);
          release();
          throw new ResponseTooLargeError(limits.maxBytes);
        }
        const stream = capped(response.body, limits.maxBytes, release);
        return {
          status: response.statusCode,
          header: first,
          url: target.toString(),
          body: stream,
          text: async () => {
            const chunks: Buffer[] = [];
            for await (const chunk of stream) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          discard: () => stream.destroy(),
        };
      }
    } catch (error) {
      clearTimeout(timer);
      release();
      throw classify(error, timedOut, limits.timeoutMs);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded.close(), this.trusted.close(), this.proxies.close()]);
  }
}

/** Destroying an undici body emits an abort error; nobody is left to hear it. */
function drop(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function definedOnly(options: GuardedRequest): Partial<GuardedFetchSettings> {
  const out: Partial<GuardedFetchSettings> = {};
  for (const key of ['timeoutMs', 'bodyIdleTimeoutMs', 'maxBytes', 'maxRedirects'] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
