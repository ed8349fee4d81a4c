import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/**
 * A request header. Served by node, it is read from node's already parsed
 * header object: `c.req.header()` would first build a full `Headers` object
 * for the request, which on the ping path cost more than the lookup itself.
 * In-process requests (tests) have no node request and take the standard way.
 */
export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
