import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/telemetry.js';

describe('OTLP export', () => {
  it('sends traces and metrics over OTLP/HTTP to the configured endpoint, with its headers', async () => {
    const received: { path: string; auth: string | undefined; bytes: number }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (d: Buffer) => (bytes += d.length));
      req.on('end', () => {
        received.push({ path: req.url ?? '', auth: req.headers['x-collector-key'] as string | undefined, bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const telemetry = createTelemetry({
        serviceName: 'overdue-otlp-test',
        endpoint: `http://127.0.0.1:${port}`,
        headers: { 'x-collector-key': 'k1' },
        metricExportIntervalMs: 60_000,
      });
      telemetry.tracer.startSpan('GET /readyz').end();
      telemetry.meter.createCounter('overdue_test_total').add(1);
      await telemetry.flush();
      await telemetry.shutdown();
      const paths = received.map((r) => r.path).sort();
      expect(paths).toEqual(expect.arrayContaining(['/v1/metrics', '/v1/traces']));
      for (const r of received) {
        expect(r.auth).toBe('k1');
        expect(r.bytes).toBeGreaterThan(0);
      }
    } finally {
      server.close();
    }
  });

});
