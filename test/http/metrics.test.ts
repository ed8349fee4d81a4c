import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { familiesByName } from '../support/prometheus.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';

/**
 * A histogram series' `_count`. Read from the text: the parser keeps a histogram's
 * labels and count only when its buckets come first, and OpenTelemetry's
 * serializer writes `_count` and `_sum` first (valid: the format sets no order).
 */
function healthzCount(text: string): number {
  const m = /^overdue_http_request_duration_count\{[^}]*http_route="\/healthz"[^}]*\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe(`GET /metrics: the service's own metrics in Prometheus text on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let tenantKey: string;
  const scrape = (headers: Record<string, string> = {}) => o.app.request('/metrics', { headers });

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { METRICS_TOKEN: TOKEN } });
    admin = (await o.start()).generatedAdminKey!;
    tenantKey = await insertApiKey(t.db, { kind: 'tenant', tenantId: randomUUID() }, o.clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('401 without credentials or with unknown ones, 403 for a tenant key', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await json(none)).error.code).toBe('unauthorized');
    expect((await scrape({ Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await scrape({ Authorization: 'Bearer nope' })).status).toBe(401);
    const tenant = await scrape({ Authorization: `Bearer ${tenantKey}` });
    expect(tenant.status).toBe(403);
    expect((await json(tenant)).error.code).toBe('forbidden');
    expect((await scrape({ 'X-Api-Key': tenantKey })).status).toBe(403);
  });

  it('answers METRICS_TOKEN and the admin key with exposition text a parser reads', async () => {
    // Some traffic for the request histogram.
    expect((await o.app.request('/healthz')).status).toBe(200);
    const ways: Record<string, string>[] = [{ Authorization: `Bearer ${TOKEN}` }, { Authorization: `Bearer ${admin}` }, { 'X-Api-Key': admin }];
    for (const headers of ways) {
      const res = await scrape(headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      const families = familiesByName(text);
      expect(families.get('overdue_schema_ok')).toMatchObject({ type: 'GAUGE', metrics: [{ value: '1', labels: { otel_scope_name: 'overdue' } }] });
      expect(families.get('overdue_http_request_duration')?.type).toBe('HISTOGRAM');
      // Seconds get second-sized buckets (the SDK's default bounds are for milliseconds).
      const bounds = [...text.matchAll(/^overdue_http_request_duration_bucket\{[^}]*http_route="\/healthz"[^}]*le="([^"]+)"/gm)].map((m) => m[1]);
      expect(bounds.slice(0, 3)).toEqual(['0.005', '0.01', '0.025']);
      expect(bounds.at(-1)).toBe('+Inf');
      expect(healthzCount(text)).toBeGreaterThanOrEqual(1);
    }
  });

  it('the other readers keep working beside it, and scraping resets nothing (cumulative)', async () => {
    expect(await metricValue(o.metricReader, 'overdue_schema_ok')).toBe(1);
    const count = async () => healthzCount(await (await scrape({ Authorization: `Bearer ${TOKEN}` })).text());
    const before = await count();
    await o.app.request('/healthz');
    await o.app.request('/healthz');
    expect(await count()).toBe(before + 2);
  });

  it('without METRICS_TOKEN only the admin key reads', async () => {
    const other = testOverdue({ database: t.another(), telemetry: undefined });
    try {
      expect((await other.app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
      expect((await other.app.request('/metrics', { headers: { Authorization: `Bearer ${admin}` } })).status).toBe(200);
    } finally {
      await other.telemetry.shutdown();
    }
  });
});
