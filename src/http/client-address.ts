import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { requestHeader } from './request-header.js';

/** The socket peer's address; undefined for in-process requests (tests), which have no socket. */
export function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** The client's address: the first X-Forwarded-For entry only behind a trusted proxy (TRUST_PROXY), else the peer. */
export function requestClientAddress(c: Context, trustProxy: boolean): string | null {
  return clientAddress(trustProxy ? requestHeader(c, 'x-forwarded-for') : undefined, peerAddress(c), trustProxy);
}

/** The client address: first X-Forwarded-For entry when trusted, else the socket peer; `a.b.c.d:port` loses the port. */
export function clientAddress(forwardedFor: string | undefined, peer: string | undefined, trustProxy: boolean): string | null {
  let addr = trustProxy && forwardedFor ? forwardedFor.split(',')[0]!.trim() : (peer ?? '');
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(addr);
  if (v4WithPort) addr = v4WithPort[1]!;
  return addr === '' ? null : addr;
}
