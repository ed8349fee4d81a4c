import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Addresses a webhook may never reach (unless explicitly allowed): private, loopback, link-local, metadata, … */
function blocked(): BlockList {
  const b = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    b.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['::ffff:0:0', 96],
  ] as const)
    b.addSubnet(net, prefix, 'ipv6');
  return b;
}

const BLOCKED = blocked();

/** WEBHOOK_ALLOW_PRIVATE: addresses or CIDR ranges, comma-separated. */
export function parseAllowList(value: string | undefined): BlockList {
  const allow = new BlockList();
  for (const item of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, prefix] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) allow.addAddress(addr, type);
    else allow.addSubnet(addr, Number(prefix), type);
  }
  return allow;
}

/**
 * Refuses a webhook target that is not http(s) or that resolves to a
 * non-public address (checked at subscription time and again before each
 * send, since DNS can change). Returns the reason, or undefined when allowed.
 */
export async function refuseTarget(url: string, allow: BlockList): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'url must be http or https';
  if (u.username || u.password) return 'url must not carry credentials';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  } catch {
    return `cannot resolve ${host}`;
  }
  for (const a of addresses) {
    const type = a.family === 6 ? 'ipv6' : 'ipv4';
    if (BLOCKED.check(a.address, type) && !allow.check(a.address, type)) return `${host} resolves to a non-public address (${a.address})`;
  }
  return undefined;
}
