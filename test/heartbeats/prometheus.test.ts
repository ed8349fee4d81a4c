import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueKey } from '../../src/heartbeats/manage-store.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { familiesByName } from '../support/prometheus.js';

describe(`Prometheus metrics of checks (GET /api/v3/metrics/) on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const keys = {} as { a: string; aRo: string; b: string };
  const ids = {} as { timed: string; running: string; late: string; fresh: string; other: string };
  const v3 = (path: string, init: { method?: string; key?: string; body?: unknown } = {}) =>
    o.app.request(`/api/v3${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.key && { 'X-Api-Key': init.key }), 'content-type': 'application/json' },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  const create = async (key: string, body: Record<string, unknown>) => (await json(await v3('/checks/', { method: 'POST', key, body }))).uuid as string;
  const scrape = async (key: string) => {
    const res = await v3('/metrics/', { key });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return familiesByName(await res.text());
  };

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { PUBLIC_URL: 'https://overdue.example' } });
    await o.start();
    keys.a = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantA }, o.clock.now());
    keys.aRo = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantA, readOnly: true }, o.clock.now());
    keys.b = await insertApiKey(t.db, { kind: 'tenant', tenantId: tenantB }, o.clock.now());
    ids.timed = await create(keys.a, { name: 'Backup "nightly" C:\\data', tags: 'prod db', timeout: 3600, grace: 60 });
    ids.running = await create(keys.a, { name: 'Report', tags: 'prod', timeout: 3600, grace: 600 });
    ids.late = await create(keys.a, { name: 'Sync', tags: 'db', timeout: 60, grace: 60 });
    ids.fresh = await create(keys.a, { name: 'Never pinged', tags: '', timeout: 60, grace: 60 });
    ids.other = await create(keys.b, { name: 'Tenant B only', tags: 'db', timeout: 60, grace: 60 }); // never pinged: up

    const rid = randomUUID();
    await o.app.request(`/ping/${ids.timed}/start?rid=${rid}`);
    await o.app.request(`/ping/${ids.late}`);
    await o.clock.advance(2_500);
    await o.app.request(`/ping/${ids.timed}?rid=${rid}`); // a 2.5 s run
    await o.app.request(`/ping/${ids.running}/start`); // still running
    await o.clock.advance(120_000); // Sync: 60 s period + 60 s grace over, down
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('answers any key of the tenant, read-only included; no key or a wrong one is 401', async () => {
    expect((await v3('/metrics/')).status).toBe(401);
    expect((await v3('/metrics/', { key: 'not-a-key' })).status).toBe(401);
    expect((await v3('/metrics', { key: keys.aRo })).status).toBe(200);
  });

  it("has healthchecks' series and labels, parsed by a Prometheus text parser", async () => {
    const f = await scrape(keys.aRo);
    for (const name of ['hc_check_up', 'hc_check_started', 'hc_tag_up', 'hc_checks_total', 'hc_checks_down_total', 'hc_check_last_duration_seconds']) {
      expect(f.get(name)?.type, name).toBe('GAUGE');
    }
    const series = (name: string) => new Map(f.get(name)!.metrics.map((m) => [m.labels?.unique_key ?? m.labels?.tag ?? '', m]));
    const up = series('hc_check_up');
    expect(up.size).toBe(4);
    // Label values come back exactly as stored: quotes and backslashes were escaped on the way out.
    expect(up.get(uniqueKey(ids.timed))).toEqual({ value: '1', labels: { name: 'Backup "nightly" C:\\data', tags: 'prod db', unique_key: uniqueKey(ids.timed) } });
    expect(up.get(uniqueKey(ids.late))!.value).toBe('0');
    expect(up.get(uniqueKey(ids.running))!.value).toBe('1');
    expect(up.get(uniqueKey(ids.fresh))).toEqual({ value: '1', labels: { name: 'Never pinged', tags: '', unique_key: uniqueKey(ids.fresh) } });

    const started = series('hc_check_started');
    expect(started.get(uniqueKey(ids.running))!.value).toBe('1');
    expect(started.get(uniqueKey(ids.timed))!.value).toBe('0');

    const durations = series('hc_check_last_duration_seconds');
    expect([...durations.keys()]).toEqual([uniqueKey(ids.timed)]);
    expect(Number(durations.get(uniqueKey(ids.timed))!.value)).toBe(2.5);

    expect(f.get('hc_tag_up')!.metrics).toEqual([
      { value: '0', labels: { tag: 'db' } },
      { value: '1', labels: { tag: 'prod' } },
    ]);
    expect(f.get('hc_checks_total')!.metrics).toEqual([{ value: '4' }]);
    expect(f.get('hc_checks_down_total')!.metrics).toEqual([{ value: '1' }]);
  });

  it("another tenant's key sees only its own checks", async () => {
    const f = await scrape(keys.b);
    expect(f.get('hc_check_up')!.metrics.map((m) => m.labels!.name)).toEqual(['Tenant B only']);
    expect(f.get('hc_checks_total')!.metrics).toEqual([{ value: '1' }]);
    // Its own `db` is up although tenant A's `db` is down.
    expect(f.get('hc_tag_up')!.metrics).toEqual([{ value: '1', labels: { tag: 'db' } }]);
    expect(f.get('hc_checks_down_total')!.metrics).toEqual([{ value: '0' }]);
  });
});
