/**
 * The two halves of a ping, measured apart, so the pings benchmark can say
 * where its time goes:
 *  - the HTTP half: the ping route mounted as the service mounts it, over a
 *    heartbeat service that answers at once (no intake, no database);
 *  - the storage half: the real intake committing to Postgres, driven by
 *    in-process clients (no HTTP, no load generator).
 */
import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { pingRoutes, type PingService } from '../../../src/heartbeats/ping-routes.js';
import type { IncomingPing, PingIntake } from '../../../src/heartbeats/intake.js';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { listen } from '../../../src/http/server.js';
import type { Load, LoadSummary } from './load.js';
import { withLoopBusy } from './load.js';

/** `/ping/<uuid>` answered 200 without storing anything; the rest of the app as the service builds it. */
export async function httpHalf(
  deps: Omit<AppDeps, 'routes' | 'volumeRoutes'>,
  load: Load,
  run: { connections: number; durationS: number; checks: number },
): Promise<{ summary: LoadSummary; loopBusy: number }> {
  const instant: PingService = {
    ping: async () => 'ok',
    checkExists: async () => true,
    resolveSlug: async () => 'not_found',
  };
  const app: Hono<any> = createApp({ ...deps, volumeRoutes: [pingRoutes(instant, { bodyLimit: 100_000, bodyTimeoutMs: 10_000, trustProxy: false }, deps)] });
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  try {
    const paths = Array.from({ length: run.checks }, () => `/ping/${randomUUID()}`);
    const url = `http://127.0.0.1:${server.port}`;
    await load.run({ url, connections: run.connections, durationS: 1, paths }); // warm the route up
    const [summary, loopBusy] = await withLoopBusy(() => load.run({ url, connections: run.connections, durationS: run.durationS, paths }));
    return { summary, loopBusy };
  } finally {
    await server.close(2000);
  }
}

export interface StorageHalf {
  pings: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU this process spent per ping, in µs. */
  nodeUs: number;
}

/** `clients` in-process callers, each submitting its next ping as soon as the last is committed. */
export async function storageHalf(intake: PingIntake, checkIds: string[], run: { clients: number; durationS: number }): Promise<StorageHalf> {
  const ping = (checkId: string): IncomingPing => ({
    checkId,
    action: 'success',
    exitStatus: null,
    method: 'GET',
    scheme: 'http',
    remoteAddr: '127.0.0.1',
    ua: 'bench',
    body: null,
    rid: null,
    scheduledFor: null,
  });
  const latencies: number[] = [];
  let next = 0;
  let stop = false;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const timer = setTimeout(() => (stop = true), run.durationS * 1000);
  await Promise.all(
    Array.from({ length: run.clients }, async () => {
      while (!stop) {
        const t = performance.now();
        const outcome = await intake.submit(ping(checkIds[next++ % checkIds.length]!));
        if (outcome !== 'ok') throw new Error(`intake answered ${outcome}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { pings: latencies.length, seconds, p50: at(0.5), p99: at(0.99), nodeUs: (used.user + used.system) / latencies.length };
}
