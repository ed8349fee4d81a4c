import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { clientAddress } from '../heartbeats/ping-rules.js';
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
