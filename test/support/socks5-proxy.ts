// A SOCKS5 proxy on loopback (RFC 1928 CONNECT, with RFC 1929 user/password when given credentials), like the
// ones operators run beside their gateways (Clash, Dante, ssh -D). It records each target, so a test can tell
// what went through. `hosts` are names only the proxy resolves: an upstream by such a name is reachable through
// the proxy alone.
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface Socks5Proxy {
  /** `socks5://[user:password@]127.0.0.1:port` */
  url: string;
  /** `host:port` of every target asked for, in order. */
  targets: string[];
  close(): Promise<void>;
}

const REPLY_SUCCEEDED = 0x00;
const REPLY_HOST_UNREACHABLE = 0x04;
const REPLY_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

/** Reads exactly `size` bytes from the socket's stream, in order, across chunks. */
function reader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: { size: number; resolve: (bytes: Buffer) => void } | null = null;
  const deliver = () => {
    if (waiting && buffered.length >= waiting.size) {
      const { size, resolve } = waiting;
      waiting = null;
      const bytes = buffered.subarray(0, size);
      buffered = buffered.subarray(size);
      resolve(bytes);
    }
  };
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    deliver();
  };
  socket.on('data', onData);
  return {
    read: (size: number) =>
      new Promise<Buffer>((resolve) => {
        waiting = { size, resolve };
        deliver();
      }),
    /** Stops reading and hands back what arrived beyond the handshake. */
    detach: () => {
      socket.off('data', onData);
      return buffered;
    },
  };
}

export async function startSocks5Proxy(
  options: { hosts?: Record<string, string>; user?: string; password?: string } = {},
): Promise<Socks5Proxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const auth = options.user !== undefined;

  async function handshake(client: Socket) {
    const { read, detach } = reader(client);
    const [, methodCount] = await read(2);
    const methods = await read(methodCount);
    const wanted = auth ? 0x02 : 0x00;
    if (!methods.includes(wanted)) {
      client.end(Buffer.from([0x05, 0xff]));
      return;
    }
    client.write(Buffer.from([0x05, wanted]));
    if (auth) {
      const [, userLength] = await read(2);
      const user = (await read(userLength)).toString();
      const [passwordLength] = await read(1);
      const password = (await read(passwordLength)).toString();
      const ok = user === options.user && password === options.password;
      client.write(Buffer.from([0x01, ok ? 0x00 : 0x01]));
      if (!ok) return client.end();
    }
    const [, command, , addressType] = await read(4);
    let host: string;
    if (addressType === 0x01) host = [...(await read(4))].join('.');
    else if (addressType === 0x03) host = (await read((await read(1))[0])).toString();
    else if (addressType === 0x04) {
      const bytes = await read(16);
      host = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
    } else {
      return client.end(reply(REPLY_ADDRESS_TYPE_NOT_SUPPORTED));
    }
    const port = (await read(2)).readUInt16BE(0);
    if (command !== 0x01) return client.end(reply(REPLY_ADDRESS_TYPE_NOT_SUPPORTED));
    targets.push(`${host.includes(':') ? `[${host}]` : host}:${port}`);
    const upstream = connect(port, options.hosts?.[host] ?? host);
    track(upstream);
    upstream.once('error', () => client.end(reply(REPLY_HOST_UNREACHABLE)));
    upstream.once('connect', () => {
      client.write(reply(REPLY_SUCCEEDED));
      const early = detach();
      if (early.length) upstream.write(early);
      upstream.pipe(client);
      client.pipe(upstream);
    });
  }

  const server = createServer((client) => {
    track(client);
    handshake(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const credentials = auth
    ? `${encodeURIComponent(options.user!)}:${encodeURIComponent(options.password ?? '')}@`
    : '';
  return {
    url: `socks5://${credentials}127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A CONNECT reply with an all-zero bound address. */
const reply = (code: number) => Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
