// The connection pools for channels' outbound proxies (new-api's channel `proxy` setting): an `http://` or
// `https://` proxy tunnels each connection with CONNECT, a `socks5://` one (user and password in the URL when it
// asks for them) with the SOCKS5 handshake. Both are undici's.
import { buildConnector, type Dispatcher, ProxyAgent, Socks5ProxyAgent } from 'undici';

/** The proxy URL schemes a channel may use. */
export const PROXY_URL_PATTERN = '^(https?|socks5)://[^\\s]+$';

/** A pool through `uri`; connecting to the proxy itself gives up after `connectTimeoutMs`. */
function proxyDispatcher(uri: string, connectTimeoutMs: number): Dispatcher {
  if (new URL(uri).protocol === 'socks5:') {
    return new Socks5ProxyAgent(uri, { connect: buildConnector({ timeout: connectTimeoutMs }) });
  }
  return new ProxyAgent({ uri, connect: { timeout: connectTimeoutMs } });
}

/** One pool per proxy URL, made when first used: channels share a handful of proxies. */
export class ProxyPools {
  private readonly pools = new Map<string, Dispatcher>();

  constructor(private readonly connectTimeoutMs: number) {}

  get(uri: string): Dispatcher {
    let pool = this.pools.get(uri);
    if (!pool) {
      pool = proxyDispatcher(uri, this.connectTimeoutMs);
      this.pools.set(uri, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

/**
 * Whether an error from a proxied call proves the request never left: the SOCKS5 handshake failed (the proxy
 * refused us or could not reach the target), which happens before a byte of the request is sent.
 */
export const isSocksHandshakeError = (code: unknown) =>
  // Not every error's code is a string: an aborted request's DOMException has the number 23.
  typeof code === 'string' && code.startsWith('UND_ERR_SOCKS5_');
