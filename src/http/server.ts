import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface Listening {
  server: Server;
  port: number;
  /**
   * Stops accepting connections and waits for in-flight requests to finish,
   * up to `timeoutMs`; then cuts whatever is left.
   */
  close(timeoutMs: number): Promise<void>;
}

export function listen(app: Hono<any>, opts: { port: number; host: string }): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, (info: AddressInfo) => {
      resolve({ server, port: info.port, close: (ms) => closeGracefully(server, ms) });
    }) as Server;
    server.once('error', reject);
  });
}

function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Real time on purpose: a drain deadline is about sockets, not domain time.
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // Keep-alive connections with no request in flight would hold close() open,
    // including those that become idle when their last response is sent.
    const reap = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(force);
      clearInterval(reap);
      resolve();
    });
    server.closeIdleConnections();
  });
}
