import type { BlockList } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { listed, parseAddressList } from './address-list.js';
import { requestHeader } from './request-header.js';

/**
 * Which proxies are trusted (TRUST_PROXY): none (false), every one (true: the
 * first X-Forwarded-For entry is the client, which a client can forge), or
 * the listed addresses and ranges (the rightmost X-Forwarded-For entry that
 * is not one of them is the client, which no client can forge).
 */
export type TrustProxy = boolean | BlockList;

/** TRUST_PROXY as configured: true, false, or the list of proxy addresses and ranges. */
export function trustProxyOf(config: boolean | readonly string[]): TrustProxy {
  return typeof config === 'boolean' ? config : parseAddressList(config.join(','));
}

/** The socket peer's address; undefined for in-process requests (tests), which have no socket. */
export function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The client's address under the TRUST_PROXY rule. */
export function requestClientAddress(c: Context, trust: TrustProxy): string | null {
  return clientAddress(trust ? requestHeader(c, 'x-forwarded-for') : undefined, peerAddress(c), trust);
}

const withoutPort = (addr: string) => /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(addr)?.[1] ?? addr;

/**
 * The client address: the socket peer, unless the request came through a
 * trusted proxy; then from X-Forwarded-For (the first entry when every proxy
 * is trusted; the rightmost entry that is not a listed proxy when proxies are
 * listed). `a.b.c.d:port` loses the port. A peer that is not a listed proxy
 * is the client whatever the header says.
 */
export function clientAddress(forwardedFor: string | undefined, peer: string | undefined, trust: TrustProxy): string | null {
  const hops = trust && forwardedFor ? forwardedFor.split(',').map((h) => withoutPort(h.trim())).filter(Boolean) : [];
  let addr = peer === undefined ? '' : withoutPort(peer);
  if (trust === true && hops.length > 0) addr = hops[0]!;
  // In-process requests (tests) have no peer: they count as coming through the proxy.
  else if (trust && trust !== true && hops.length > 0 && (peer === undefined || listed(trust, addr))) {
    addr = hops.findLast((hop) => !listed(trust, hop)) ?? hops[0]!;
  }
  return addr === '' ? null : addr;
}
