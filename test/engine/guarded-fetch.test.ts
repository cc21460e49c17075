// The guarded fetcher over real loopback servers: private targets refused before any connection (literals, names,
// redirects), allowed through the allow-list or the flag, and bounded time, size and redirects.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FetchFailedError,
  FetchTimeoutError,
  GuardedFetcher,
  hostsOf,
  RefusedTargetError,
  ResponseTooLargeError,
} from '../../src/engine/guarded-fetch.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(
  host: string,
  handler: Handler,
): Promise<{ server: Server; base: string; hits: string[]; headers: IncomingHttpHeaders[] }> {
  const hits: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    headers.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://${host}:${port}`, hits, headers };
}

describe('GuardedFetcher', () => {
  let main: Awaited<ReturnType<typeof serve>>;
  let other: Awaited<ReturnType<typeof serve>>;
  const fetcher = new GuardedFetcher({ timeoutMs: 2_000 });

  beforeAll(async () => {
    main = await serve('127.0.0.1', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/to') {
        res.writeHead(302, { location: url.searchParams.get('target') ?? '/' });
        return res.end();
      }
      if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      if (url.pathname === '/hang') return; // never answers
      if (url.pathname === '/big') {
        res.writeHead(200, { 'content-length': '5000' });
        return res.end(Buffer.alloc(5000));
      }
      if (url.pathname === '/stream') {
        // No Content-Length: the cap can only be found while reading.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(3000));
        return res.end(Buffer.alloc(3000));
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.method}`);
    });
    // A second loopback address: it must never see a request unless allowed.
    other = await serve('127.0.0.2', (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/to') {
        res.writeHead(302, { location: url.searchParams.get('target') ?? '/' });
        return res.end();
      }
      res.end('private');
    });
  });
  afterAll(async () => {
    await fetcher.close();
    main?.server.closeAllConnections();
    await new Promise((r) => main?.server.close(r));
    await new Promise((r) => other?.server.close(r));
  });

  const port = (base: string) => new URL(base).port;

  it('refuses loopback literals, names that resolve to loopback and IPv6 forms, before connecting', async () => {
    const before = main.hits.length;
    for (const url of [
      `${main.base}/`,
      `http://localhost:${port(main.base)}/`,
      `http://[::1]:${port(main.base)}/`,
      `http://[::ffff:127.0.0.1]:${port(main.base)}/`,
      `http://2130706433:${port(main.base)}/`, // 127.0.0.1 as one number
      `${other.base}/`,
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      await expect(fetcher.fetch(url), url).rejects.toBeInstanceOf(RefusedTargetError);
    }
    expect(main.hits.length).toBe(before);
    expect(other.hits).toEqual([]);
  });

  it('refuses schemes other than http and https, and text that is no URL', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://127.0.0.1/', 'not a url']) {
      await expect(fetcher.fetch(url), url).rejects.toBeInstanceOf(RefusedTargetError);
    }
  });

  it('allows a private target listed by host and port, and only that port', async () => {
    const allowedHosts = hostsOf([`${main.base}/some/base`]);
    const res = await fetcher.fetch(`${main.base}/ok`, { allowedHosts });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello GET');
    // The same address on another port is another host.
    await expect(fetcher.fetch(`${other.base}/`, { allowedHosts })).rejects.toBeInstanceOf(
      RefusedTargetError,
    );
    expect(other.hits).toEqual([]);
  });

  it('allows every private target with the flag', async () => {
    const res = await fetcher.fetch(`http://localhost:${port(main.base)}/x`, {
      allowPrivate: true,
      method: 'POST',
    });
    expect(await res.text()).toBe('hello POST');
  });

  it('checks every redirect target again: an allowed host cannot bounce the fetch to a private one', async () => {
    const allowedHosts = hostsOf([main.base]);
    const ok = await fetcher.fetch(`${main.base}/to?target=/fine`, { allowedHosts });
    expect(ok.status).toBe(200);
    expect(ok.url).toBe(`${main.base}/fine`);
    await ok.text();
    await expect(
      fetcher.fetch(`${main.base}/to?target=${encodeURIComponent(`${other.base}/secret`)}`, { allowedHosts }),
    ).rejects.toBeInstanceOf(RefusedTargetError);
    await expect(
      fetcher.fetch(`${main.base}/to?target=${encodeURIComponent('file:///etc/passwd')}`, { allowedHosts }),
    ).rejects.toBeInstanceOf(RefusedTargetError);
    expect(other.hits).toEqual([]);
    await expect(fetcher.fetch(`${main.base}/loop`, { allowedHosts })).rejects.toBeInstanceOf(
      FetchFailedError,
    );
    // With redirects off, the 3xx itself is the answer.
    const raw = await fetcher.fetch(`${main.base}/loop`, { allowedHosts, maxRedirects: 0 });
    expect(raw.status).toBe(302);
    raw.discard();
  });

  it('bounds the wait for an answer', async () => {
    const error = await fetcher
      .fetch(`${main.base}/hang`, { allowPrivate: true, timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchTimeoutError);
  });

  it('bounds the size: a declared length over the cap fails at once, a streamed one is cut', async () => {
    await expect(
      fetcher.fetch(`${main.base}/big`, { allowPrivate: true, maxBytes: 4000 }),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
    const streamed = await fetcher.fetch(`${main.base}/stream`, { allowPrivate: true, maxBytes: 4000 });
    expect(streamed.status).toBe(200);
    await expect(streamed.text()).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('names an unreachable host as a failure, not a refusal', async () => {
    const error = await fetcher.fetch('http://name.invalid/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchFailedError);
  });

  // A channel key sent to the channel (OpenAI video content) must not follow a redirect to a CDN or anywhere else.
  describe('credentials on redirects', () => {
    const sent = {
      authorization: 'Bearer sk-channel-secret-key',
      'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
      cookie: 'session=secret',
      'mj-api-secret': 'channel-secret',
      'x-request': 'kept',
    };
    const credentials = ['authorization', 'proxy-authorization', 'cookie', 'mj-api-secret'];
    const to = (base: string, target: string) => `${base}/to?target=${encodeURIComponent(target)}`;
    const lastHeaders = (server: typeof main) => server.headers[server.headers.length - 1];

    it('drops them on a redirect to another origin, and on every hop after it', async () => {
      // 127.0.0.1 → 127.0.0.2 → back to 127.0.0.1: the way back is no reason to send them again.
      const url = to(main.base, to(other.base, `${main.base}/file`));
      const response = await fetcher.fetch(url, { headers: sent, allowPrivate: true });
      expect(await response.text()).toBe('hello GET');
      expect(main.hits.slice(-2)).toEqual([new URL(url).pathname + new URL(url).search, '/file']);
      for (const name of credentials) {
        expect(lastHeaders(other)).not.toHaveProperty(name);
        expect(lastHeaders(main)).not.toHaveProperty(name);
      }
      // Headers that are no credential still go.
      expect(lastHeaders(other)['x-request']).toBe('kept');
    });

    it('keeps them on a redirect within the same origin', async () => {
      const response = await fetcher.fetch(to(main.base, '/file'), { headers: sent, allowPrivate: true });
      expect(await response.text()).toBe('hello GET');
      expect(main.hits[main.hits.length - 1]).toBe('/file');
      expect(lastHeaders(main)).toMatchObject(sent);
    });
  });
});
