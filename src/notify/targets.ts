import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// IPv4 and IPv6 ranges live in separate lists and an address is only checked
// against its own family's: Node's BlockList matches a plain IPv4 address
// against an IPv6 rule for ::ffff:0:0/96, which once refused every public
// IPv4 target. IPv6 forms that carry an IPv4 address are unpacked instead
// (embeddedV4) and the IPv4 address is checked against the IPv4 list.

function list(type: 'ipv4' | 'ipv6', ranges: [string, number][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of ranges) b.addSubnet(net, prefix, type);
  return b;
}

/** IPv4 a webhook may never reach (unless allowed): RFC 6890 special-purpose, private, loopback, link-local (metadata), multicast, … */
const BLOCKED_V4 = list('ipv4', [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved
  ['255.255.255.255', 32], // limited broadcast (inside 240/4 too; named so it survives a change there)
]);

/** IPv6 blocked outright. The ranges that embed an IPv4 address are not here: embeddedV4 handles them. */
const BLOCKED_V6 = list('ipv6', [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64: translates to anything the operator likes
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo: the client's IPv4 address is obfuscated, so it cannot be checked
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
]);

/** The 16 bytes of an IPv6 address already validated by isIP (zone id stripped). */
function v6Bytes(address: string): number[] {
  // A dotted tail (::ffff:1.2.3.4) becomes two hex groups, so only hex groups are left to parse.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const groups = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = groups(head);
  const right = groups(tail ?? '');
  const words = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(address: string): string | undefined {
  const b = v6Bytes(address);
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12); // ::ffff:a.b.c.d, IPv4-mapped
  if (zero(0, 12)) return v4(12); // ::a.b.c.d, IPv4-compatible (:: and ::1 are blocked before)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12); // 64:ff9b::/96, NAT64
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2); // 2002::/16, 6to4: bits 16..48
  return undefined;
}

const publicV4 = (address: string, allow: BlockList) => allow.check(address, 'ipv4') || !BLOCKED_V4.check(address, 'ipv4');

/**
 * Whether a webhook may reach this IP address: public, or in the allow list
 * (WEBHOOK_ALLOW_PRIVATE). Anything that is not an IP address is not public.
 */
export function isPublicAddress(address: string, allow: BlockList): boolean {
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) makes BlockList match nothing
  const family = isIP(bare);
  if (family === 4) return publicV4(bare, allow);
  if (family !== 6) return false;
  if (allow.check(bare, 'ipv6')) return true;
  if (BLOCKED_V6.check(bare, 'ipv6')) return false;
  const v4 = embeddedV4(bare);
  return v4 === undefined || publicV4(v4, allow);
}

/** WEBHOOK_ALLOW_PRIVATE: addresses or CIDR ranges, comma-separated. */
export { parseAddressList as parseAllowList } from '../http/address-list.js';

/** The checks that need no DNS: an absolute http(s) URL without credentials, and its bare host (no IPv6 brackets). */
export function parseTarget(url: string): { url: URL; host: string } | { refused: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { refused: 'url must be an absolute http(s) URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { refused: 'url must be http or https' };
  if (u.username || u.password) return { refused: 'url must not carry credentials' };
  return { url: u, host: u.hostname.replace(/^\[|\]$/g, '') };
}

/** Resolves a host once (an IP literal is its own address) and checks every address it resolves to. */
export async function resolvePublic(host: string, allow: BlockList): Promise<{ addresses: { address: string; family: number }[] } | { refused: string }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  } catch {
    return { refused: `cannot resolve ${host}` };
  }
  if (addresses.length === 0) return { refused: `cannot resolve ${host}` };
  const bad = addresses.find((a) => !isPublicAddress(a.address, allow));
  if (bad) return { refused: `${host} resolves to a non-public address (${bad.address})` };
  return { addresses };
}

/**
 * Refuses a webhook target that is not http(s) or that resolves to a
 * non-public address (checked at subscription time and again before each
 * send, since DNS can change). Returns the reason, or undefined when allowed.
 */
export async function refuseTarget(url: string, allow: BlockList): Promise<string | undefined> {
  const target = parseTarget(url);
  if ('refused' in target) return target.refused;
  const resolved = await resolvePublic(target.host, allow);
  return 'refused' in resolved ? resolved.refused : undefined;
}
