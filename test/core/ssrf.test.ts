// The SSRF guard's address rules: every range a server-side fetch must not reach, and public addresses that pass.
import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/core/ssrf.js';

const REFUSED: Array<[string, string]> = [
  ['127.0.0.1', 'IPv4 loopback'],
  ['127.255.255.254', 'the whole of 127/8'],
  ['10.0.0.1', '10/8'],
  ['10.255.255.255', '10/8, last'],
  ['172.16.0.1', '172.16/12, first'],
  ['172.31.255.255', '172.16/12, last'],
  ['192.168.1.1', '192.168/16'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['100.64.0.1', 'CGNAT, first'],
  ['100.127.255.255', 'CGNAT, last'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '0/8'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.10', 'TEST-NET-1'],
  ['198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.9', 'TEST-NET-3'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking, last'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['::1', 'IPv6 loopback'],
  ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
  ['::', 'IPv6 unspecified'],
  ['[::1]', 'IPv6 loopback in URL brackets'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form (as URL parsers write it)'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata address'],
  ['::10.0.0.1', 'deprecated IPv4-compatible'],
  ['::8.8.8.8', 'deprecated IPv4-compatible, even of a public address'],
  ['64:ff9b::a00:1', 'NAT64 of 10.0.0.1'],
  ['64:ff9b:1::1', 'local-use NAT64'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone id'],
  ['febf:ffff::1', 'link-local, last /10'],
  ['fec0::1', 'deprecated site-local'],
  ['fc00::1', 'unique-local fc00::/7'],
  ['fd12:3456:789a::1', 'unique-local fd'],
  ['ff02::1', 'multicast'],
  ['100::1', 'discard-only'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation (RFC 9637)'],
  ['2001::1', 'Teredo'],
  ['2001:2::1', 'benchmarking'],
  ['2002:7f00:1::1', '6to4 of 127.0.0.1'],
  ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
  ['', 'empty: not an address, fails closed'],
  ['localhost', 'a name: not an address, fails closed'],
  ['256.1.1.1', 'a malformed IPv4: fails closed'],
  ['1.2.3', 'three parts: fails closed'],
  ['1:2:3:4:5:6:7:8:9', 'nine IPv6 groups: fails closed'],
  ['1::2::3', 'two compressions: fails closed'],
  ['12345::1', 'a group too long: fails closed'],
];

const ALLOWED: Array<[string, string]> = [
  ['8.8.8.8', 'public DNS'],
  ['1.1.1.1', 'public DNS'],
  ['93.184.216.34', 'a public host'],
  ['172.15.255.255', 'just below 172.16/12'],
  ['172.32.0.0', 'just above 172.16/12'],
  ['100.63.255.255', 'just below CGNAT'],
  ['100.128.0.0', 'just above CGNAT'],
  ['192.169.0.1', 'just above 192.168/16'],
  ['169.253.255.255', 'just below link-local'],
  ['198.17.255.255', 'just below benchmarking'],
  ['198.20.0.0', 'just above benchmarking'],
  ['223.255.255.255', 'just below multicast'],
  ['11.0.0.1', 'just above 10/8'],
  ['126.255.255.255', 'just below 127/8'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 (inside 2001::/16 but not Teredo)'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public'],
  ['64:ff9b::808:808', 'NAT64 of a public address'],
  ['2002:808:808::1', '6to4 of a public address'],
  ['fbff::1', 'just below fc00::/7'],
  ['fe00::1', 'between ULA and link-local'],
  ['3fff:1000::1', 'just past 3fff::/20'],
];

describe('isPrivateAddress', () => {
  it.each(REFUSED)('refuses %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(ALLOWED)('allows %s (%s)', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});
