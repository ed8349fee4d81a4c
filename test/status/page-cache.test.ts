import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, NO_OUTAGE, testOverdue, testTelemetry, type TestOverdue, type TestTelemetry } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';

describe(`status page cache on ${backend}`, () => {
  const clock = new ManualClock('2025-05-20T10:00:00.000Z');
  let tel: TestTelemetry;
  let t: TestDatabase;
  let a: TestOverdue;
  let b: TestOverdue | undefined;
  let api: Api;
  let apiB: Api;
  let checkout: string;
  const fetchDoc = async (o: TestOverdue, path: string, etag?: string) => {
    const res = await o.app.request(path, etag ? { headers: { 'if-none-match': etag } } : {});
    return { status: res.status, etag: res.headers.get('etag')!, text: await res.text() };
  };
  const dbSpans = async () => {
    await tel.telemetry.flush();
    return tel.spans.getFinishedSpans().filter((s) => s.name.startsWith('db '));
  };

  beforeAll(async () => {
    tel = testTelemetry();
    t = await testDatabase({ tracer: tel.telemetry.tracer });
    // Instance A: as drivenOverdue, but with telemetry whose spans include A's database queries.
    a = testOverdue({ database: t, clock, telemetry: tel, env: NO_OUTAGE });
    await a.start();
    await a.background.stop();
    if (onPostgres) b = await drivenOverdue({ database: t.another(), clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(a, () => admin);
    if (b) apiB = apiClient(b, () => admin);
    checkout = (await created(api, '/api/v1/components', { name: 'Checkout' })).id;
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await t?.close();
  });

  it.skipIf(!onPostgres)('a write through A shows on A at once and on B after B re-reads page versions; until then B serves the previous render (same ETag)', async () => {
    const B = b!;
    const paths = ['/', '/api/v2/summary.json'];
    const before: Record<string, string> = {};
    for (const p of paths) {
      const [ra, rb] = [await fetchDoc(a, p), await fetchDoc(B, p)];
      expect([ra.status, rb.status]).toEqual([200, 200]);
      expect(rb.etag, `${p}: one state renders to the same bytes on both instances`).toBe(ra.etag);
      expect(rb.text).toBe(ra.text);
      before[p] = ra.etag;
    }

    await clock.advance(30_000); // less than the cache's once-a-minute re-render
    const incident = await created(api, '/api/v1/incidents', { name: 'Checkout errors', status: 'investigating', body: 'Payments fail.', components: { [checkout]: 'major_outage' } });
    const after: Record<string, string> = {};
    for (const p of paths) {
      const ra = await fetchDoc(a, p);
      expect(ra.etag, p).not.toBe(before[p]);
      expect(ra.text).toContain('Checkout errors');
      after[p] = ra.etag;
      const rb = await fetchDoc(B, p);
      expect(rb.etag, `${p}: B has not polled yet`).toBe(before[p]);
      expect(rb.text).not.toContain('Checkout errors');
      expect((await fetchDoc(B, p, before[p])).status).toBe(304);
    }
    expect(JSON.parse((await fetchDoc(B, '/api/v2/summary.json')).text).status.indicator).toBe('none');

    await B.pageCache.refreshVersions(); // what B's 1-second status-cache loop does
    for (const p of paths) {
      const rb = await fetchDoc(B, p);
      expect(rb.etag, p).toBe(after[p]);
      expect(rb.text).toContain('Checkout errors');
      expect((await fetchDoc(B, p, before[p])).status).toBe(200);
      expect((await fetchDoc(B, p, after[p])).status).toBe(304);
    }
    expect(JSON.parse((await fetchDoc(B, '/api/v2/summary.json')).text).status).toEqual({ indicator: 'critical', description: 'Major System Outage' });

    // The other way round: B writes, B sees it at once, A after its own poll.
    await clock.advance(30_000);
    expect((await apiB('POST', `/api/v1/incidents/${incident.id}/updates`, { status: 'resolved', body: 'Fixed.' })).status).toBe(201);
    expect(JSON.parse((await fetchDoc(B, '/api/v2/summary.json')).text).incidents).toEqual([]);
    expect((await fetchDoc(a, '/api/v2/summary.json')).etag).toBe(after['/api/v2/summary.json']);
    await a.pageCache.refreshVersions();
    expect(JSON.parse((await fetchDoc(a, '/api/v2/summary.json')).text).incidents).toEqual([]);
    expect((await fetchDoc(a, '/')).etag).toBe((await fetchDoc(B, '/')).etag);

    // A page created through A is served by B without waiting for the poll (an unknown slug re-reads versions).
    await created(api, '/api/v1/pages', { slug: 'fresh', name: 'Fresh' });
    expect((await fetchDoc(B, '/s/fresh/api/v2/status.json')).status).toBe(200);
  });

  it('every write through the API changes what the next request on that instance sees (no stale read after a local write)', async () => {
    const summary = async () => (await fetchDoc(a, '/api/v2/summary.json')).etag;
    const def = (await api('GET', '/api/v1/pages')).body.data.find((p: any) => p.slug === 'default');
    let incident: any;
    const writes: [string, () => Promise<unknown>][] = [
      ['create component', async () => created(api, '/api/v1/components', { name: 'Search' })],
      ['patch component', () => api('PATCH', `/api/v1/components/${checkout}`, { status: 'degraded_performance' })],
      ['create incident', async () => (incident = await created(api, '/api/v1/incidents', { name: 'Slow search', status: 'investigating', body: 'x' }))],
      ['post update', () => api('POST', `/api/v1/incidents/${incident.id}/updates`, { status: 'identified', body: 'y' })],
      ['edit update', () => api('PATCH', `/api/v1/incidents/${incident.id}/updates/${incident.incident_updates[0].id}`, { body: 'edited' })],
      ['postmortem', () => api('PUT', `/api/v1/incidents/${incident.id}/postmortem`, { body: 'pm' })],
      ['delete incident', () => api('DELETE', `/api/v1/incidents/${incident.id}`)],
      ['schedule maintenance', () => created(api, '/api/v1/maintenances', { name: 'Window', body: 'b', scheduled_for: '2025-06-01T00:00:00Z', scheduled_until: '2025-06-01T01:00:00Z' })],
      ['rename page', () => api('PATCH', `/api/v1/pages/${def.id}`, { name: 'Acme status' })],
    ];
    for (const [label, write] of writes) {
      const etag = await summary();
      await clock.advance(1000);
      await write();
      expect(await summary(), label).not.toBe(etag);
    }
  });

  it('unchanged pages are served from memory: stable ETag, no database query, 200 sequential GETs of / in under a second', async () => {
    const first = await fetchDoc(a, '/');
    expect(first.status).toBe(200);
    tel.spans.reset();
    const etags = new Set<string>();
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const res = await a.app.request('/');
      etags.add(`${res.status} ${res.headers.get('etag')}`);
      await res.arrayBuffer();
    }
    const elapsed = performance.now() - started;
    expect([...etags]).toEqual([`200 ${first.etag}`]);
    expect(elapsed).toBeLessThan(1000);
    expect(await dbSpans()).toEqual([]);
    // A change still moves it.
    await clock.advance(1000);
    await api('PATCH', `/api/v1/components/${checkout}`, { name: 'Checkout (EU)' });
    tel.spans.reset();
    expect((await fetchDoc(a, '/')).etag).not.toBe(first.etag);
    expect((await dbSpans()).length, 'the span check sees queries when there are some').toBeGreaterThan(0);
  });

  it('without any write, the page re-renders once a minute: a new day gets its uptime bar, an ongoing outage its downtime', async () => {
    const group = (await created(api, '/api/v1/components', { name: 'Platform', group: true })).id;
    const api2 = (await created(api, '/api/v1/components', { name: 'API', group_id: group })).id;
    await api('PATCH', `/api/v1/components/${api2}`, { status: 'major_outage' });
    const first = await fetchDoc(a, '/');
    // The group shows its worst component.
    const summary = JSON.parse((await fetchDoc(a, '/api/v2/summary.json')).text);
    expect(summary.components.find((x: { id: string }) => x.id === group).status).toBe('major_outage');
    const bars = (html: string) => html.match(/aria-label="20\d\d-\d\d-\d\d: [^"]*"/g)?.filter((l) => l.includes('major outage')) ?? [];
    const before = bars(first.text).length;
    await clock.jump(new Date(clock.now().getTime() + 36 * 3_600_000));
    const later = await fetchDoc(a, '/', first.etag);
    expect(later.status).toBe(200);
    expect(bars(later.text).length).toBeGreaterThan(before);
  });

  it('a component marked only_show_if_degraded appears on the page only while it is not operational, and an unknown page is a 404', async () => {
    const quiet = (await created(api, '/api/v1/components', { name: 'Quiet backup link', only_show_if_degraded: true })).id;
    expect((await fetchDoc(a, '/')).text).not.toContain('Quiet backup link');
    await api('PATCH', `/api/v1/components/${quiet}`, { status: 'partial_outage' });
    expect((await fetchDoc(a, '/')).text).toContain('Quiet backup link');
    await api('PATCH', `/api/v1/components/${quiet}`, { status: 'operational' });
    expect((await fetchDoc(a, '/')).text).not.toContain('Quiet backup link');
    // It is still listed in the JSON, where Statuspage lists every component.
    expect(JSON.parse((await fetchDoc(a, '/api/v2/components.json')).text).components.map((c: { name: string }) => c.name)).toContain('Quiet backup link');
    expect((await fetchDoc(a, '/s/no-such-page/api/v2/summary.json')).status).toBe(404);
    // Asked again at once, the same unknown page costs no query.
    await dbSpans();
    tel.spans.reset();
    expect((await fetchDoc(a, '/s/no-such-page/api/v2/summary.json')).status).toBe(404);
    expect(await dbSpans()).toEqual([]);
  });
});
