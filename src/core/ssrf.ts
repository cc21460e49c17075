// Which IP addresses a server-side fetch of a client-influenced URL must never reach: loopback, private and
// link-local networks, CGNAT, multicast, reserved and documentation ranges, and IPv6 forms that embed them.
// Pure: parses the text itself, no DNS and no sockets.

/** An IPv4 block as [first octets as a 32-bit number, prefix length]. */
type Block = readonly [number, number];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

const RISKY_V4: readonly Block[] = [
  [v4(0, 0, 0, 0), 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  [v4(10, 0, 0, 0), 8],
  [v4(100, 64, 0, 0), 10], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8],
  [v4(169, 254, 0, 0), 16], // link-local, cloud metadata services live here
  [v4(172, 16, 0, 0), 12],
  [v4(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24], // TEST-NET-1
  [v4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16],
  [v4(198, 18, 0, 0), 15], // benchmarking
  [v4(198, 51, 100, 0), 24], // TEST-NET-2
  [v4(203, 0, 113, 0), 24], // TEST-NET-3
  [v4(224, 0, 0, 0), 4], // multicast
  [v4(240, 0, 0, 0), 4], // reserved, and the 255.255.255.255 broadcast
];

function inBlock(address: number, [base, prefix]: Block): boolean {
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0 === base;
}

/** Dotted-quad IPv4 as a 32-bit number; strictly four decimal parts (URL parsers normalise other forms first). */
function parseV4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out = out * 256 + n;
  }
  return out;
}

/** IPv6 as eight 16-bit groups; accepts `::` compression, a dotted IPv4 tail and a zone id. */
function parseV6(text: string): number[] | null {
  let rest = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = rest.indexOf('%');
  if (zone >= 0) rest = rest.slice(0, zone);
  if (!rest.includes(':')) return null;
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const tail = parseV4(piece);
        if (tail === null) return null;
        out.push(tail >>> 16, tail & 0xffff);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

const embeddedV4 = (g: number[], at: number) => ((g[at] << 16) | g[at + 1]) >>> 0;

function riskyV4(address: number): boolean {
  return RISKY_V4.some((block) => inBlock(address, block));
}

function riskyV6(g: number[]): boolean {
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible form: nothing public.
  if (zeros(0, 6)) return true;
  // ::ffff:a.b.c.d (IPv4-mapped) reaches the IPv4 address itself.
  if (zeros(0, 5) && g[5] === 0xffff) return riskyV4(embeddedV4(g, 6));
  // 64:ff9b::/96, NAT64: a gateway turns it into the embedded IPv4 address.
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return riskyV4(embeddedV4(g, 6));
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return true; // local-use NAT64
  if (g[0] === 0x100 && zeros(1, 4)) return true; // 100::/64 discard-only
  if (g[0] === 0x2001 && g[1] === 0) return true; // Teredo tunnels
  if (g[0] === 0x2001 && g[1] === 2 && g[2] === 0) return true; // benchmarking
  if (g[0] === 0x2001 && g[1] === 0xdb8) return true; // documentation
  if (g[0] === 0x2002) return riskyV4(embeddedV4(g, 1)); // 6to4 carries an IPv4 address
  if (g[0] === 0x3fff && g[1] < 0x1000) return true; // 3fff::/20 documentation
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g[0] & 0xffc0) === 0xfec0) return true; // deprecated site-local fec0::/10
  return (g[0] & 0xff00) === 0xff00; // multicast ff00::/8
}

/**
 * Whether `ip` is an address a guarded fetch must refuse. Anything that is not an IP address counts as
 * private: the guard fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.trim();
  const four = parseV4(text);
  if (four !== null) return riskyV4(four);
  const six = parseV6(text);
  if (six !== null) return riskyV6(six);
  return true;
}
