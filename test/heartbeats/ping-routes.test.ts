import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { listen } from '../../src/http/server.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';

const UNKNOWN = '11111111-2222-4333-8444-555555555555';

describe(`ping endpoints on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let pingKey: string;
  let id: string;
  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t, env: { PING_BODY_LIMIT: '16' } });
    pingKey = (await o.start()).platformPingKey!;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });
  beforeEach(async () => {
    id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'backup', slug: `backup-${Math.random().toString(36).slice(2, 8)}`, timeoutS: 60, graceS: 30 }, o.clock.now());
  });

  const check = () => t.db.selectFrom('checks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const pings = () => t.db.selectFrom('pings').selectAll().where('check_id', '=', id).orderBy('n').execute();
  const flips = () => t.db.selectFrom('flips').selectAll().where('check_id', '=', id).orderBy('id').execute();

  it('answers 200 OK in plain text with the healthchecks headers, for any method', async () => {
    for (const method of ['GET', 'POST', 'HEAD', 'PUT']) {
      const res = await o.app.request(`/ping/${id}`, { method });
      expect(res.status).toBe(200);
      if (method !== 'HEAD') expect(await res.text()).toBe('OK');
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cache-control')).toContain('no-cache');
      expect(res.headers.get('ping-body-limit')).toBe('16');
    }
    expect((await pings()).map((p) => p.method)).toEqual(['GET', 'POST', 'HEAD', 'PUT']);
    expect((await check()).n_pings).toBe(4n);
  });

  it('a success ping makes a new check up (silent flip) and stores what the request said', async () => {
    const res = await o.app.request(`/ping/${id}/`, {
      method: 'POST',
      body: 'backup done, 1234567890 bytes',
      headers: { 'user-agent': 'x'.repeat(250), 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
    });
    expect(res.status).toBe(200);
    const c = await check();
    expect(c.status).toBe('up');
    expect(c.last_ping).toEqual(o.clock.now());
    expect(c.alert_after).toEqual(new Date(o.clock.now().getTime() + 90_000));
    const [p] = await pings();
    expect(p).toMatchObject({ n: 1n, kind: null, method: 'POST', scheme: 'http', exitstatus: null, rid: null });
    expect(p!.ua).toHaveLength(200);
    expect(Buffer.from(p!.body!).toString()).toBe('backup done, 123'); // first 16 bytes
    expect(p!.remote_addr).toBeNull(); // X-Forwarded-For is ignored unless TRUST_PROXY
    const [f] = await flips();
    expect(f).toMatchObject({ old_status: 'new', new_status: 'up', reason: '' });
    // new→up notifies nobody: no signal.
    expect(await t.db.selectFrom('signals').select('id').where('source', '=', `check:${id}`).execute()).toEqual([]);
  });

  it('a body over the API limit is not refused on /ping: its first bytes are kept', async () => {
    const res = await o.app.request(`/ping/${id}`, { method: 'POST', body: 'y'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(200);
    expect(Buffer.from((await pings())[0]!.body!).toString()).toBe('y'.repeat(16));
  });

  it('start, fail, log and exit codes', async () => {
    expect((await o.app.request(`/ping/${id}/start`)).status).toBe(200);
    expect((await check()).last_start).toEqual(o.clock.now());
    expect((await o.app.request(`/ping/${id}/log`, { method: 'POST', body: 'progress' })).status).toBe(200);
    expect((await o.app.request(`/ping/${id}/0`)).status).toBe(200);
    expect((await check()).status).toBe('up');
    expect((await o.app.request(`/ping/${id}/3`)).status).toBe(200);
    expect((await check()).status).toBe('down');
    expect((await o.app.request(`/ping/${id}/fail`)).status).toBe(200);
    expect((await pings()).map((p) => [p.kind, p.exitstatus])).toEqual([
      ['start', null],
      ['log', null],
      [null, 0],
      ['fail', 3],
      ['fail', null],
    ]);
    const fl = await flips();
    expect(fl.map((f) => [f.old_status, f.new_status, f.reason])).toEqual([
      ['new', 'up', ''],
      ['up', 'down', 'fail'],
    ]);
    // A real alert: its signal is written with the flip, for the incident manager.
    const signals = await t.db.selectFrom('signals').select(['kind', 'summary']).where('source', '=', `check:${id}`).execute();
    expect(signals).toEqual([{ kind: 'failing', summary: expect.stringMatching(/ is down/) }]);
  });

  it('rejects bad input with healthchecks bodies and stores nothing', async () => {
    const cases: [string, number, string][] = [
      [`/ping/${id}/256`, 400, 'invalid url format'],
      [`/ping/${id}?rid=not-a-uuid`, 400, 'invalid uuid format'],
      [`/ping/${id}/start?rid=12345678-1234-1234-1234-1234567890123`, 400, 'invalid uuid format'],
      [`/ping/${UNKNOWN}`, 404, 'not found'],
      [`/ping/${UNKNOWN}/256`, 404, 'not found'],
      [`/ping/${id.toUpperCase()}`, 404, 'not found'],
      [`/ping/${id.replace(/-/g, '')}`, 404, 'not found'],
      [`/ping/${id}/bogus`, 404, 'not found'],
      [`/ping/${id}?scheduled_for=yesterday`, 400, 'invalid scheduled_for'],
    ];
    for (const [path, status, body] of cases) {
      const res = await o.app.request(path);
      expect([path, res.status, await res.text()]).toEqual([path, status, body]);
    }
    expect(await pings()).toEqual([]);
  });

  it('a run id pairs a start with its finish and gives a duration', async () => {
    const rid = 'A1B2C3D4-0000-4000-8000-000000000001';
    await o.app.request(`/ping/${id}/start?rid=${rid}`);
    await o.clock.advance(12_345);
    await o.app.request(`/ping/${id}?rid=${rid.toLowerCase()}`);
    const c = await check();
    expect(c.last_start).toBeNull();
    expect(c.last_duration_ms).toBe(12_345n);
    expect((await pings()).map((p) => p.rid)).toEqual([rid.toLowerCase(), rid.toLowerCase()]);
  });

  it('methods=POST ignores other methods; the body filter re-types pings', async () => {
    await t.db.updateTable('checks').set({ methods: 'POST', filter_http_body: true, success_kw: 'SUCCESS', failure_kw: 'ERROR, FATAL' }).where('id', '=', id).execute();
    await o.app.request(`/ping/${id}`, { method: 'GET' });
    await o.app.request(`/ping/${id}`, { method: 'POST', body: 'ok: SUCCESS' });
    await o.app.request(`/ping/${id}/start`, { method: 'POST', body: 'FATAL: disk full' });
    await o.app.request(`/ping/${id}`, { method: 'POST', body: 'nothing to see' });
    expect((await pings()).map((p) => p.kind)).toEqual(['ign', null, 'fail', 'ign']);
    expect((await check()).status).toBe('down');
  });

  it('slug URLs: found, 409 ambiguous, 400 uppercase, 404 unknown, 201 on create=1', async () => {
    const slug = (await check()).slug;
    expect((await o.app.request(`/ping/${pingKey}/${slug}`)).status).toBe(200);
    expect((await o.app.request(`/ping/${pingKey}/${slug}/fail`)).status).toBe(200);
    expect((await check()).n_pings).toBe(2n);
    const upper = await o.app.request(`/ping/${pingKey}/${slug.toUpperCase()}`);
    expect([upper.status, await upper.text()]).toEqual([400, 'invalid url format']);
    const unknown = await o.app.request(`/ping/${pingKey}/no-such-slug`);
    expect([unknown.status, await unknown.text()]).toEqual([404, 'not found']);
    const badKey = await o.app.request(`/ping/${'z'.repeat(22)}/whatever?create=1`);
    expect([badKey.status, await badKey.text()]).toEqual([404, 'not found']);

    const created = await o.app.request(`/ping/${pingKey}/nightly-etl?create=1`, { method: 'POST' });
    expect([created.status, await created.text()]).toEqual([201, 'Created']);
    const again = await o.app.request(`/ping/${pingKey}/nightly-etl?create=1`);
    expect([again.status, await again.text()]).toEqual([200, 'OK']);
    const etl = await t.db.selectFrom('checks').selectAll().where('slug', '=', 'nightly-etl').execute();
    expect(etl).toHaveLength(1);
    expect(etl[0]).toMatchObject({ name: 'nightly-etl', status: 'up', n_pings: 2n, tenant_id: null });

    await insertCheck(t.db, { tenantId: null, pingKey, name: 'twin', slug }, o.clock.now());
    const amb = await o.app.request(`/ping/${pingKey}/${slug}`);
    expect([amb.status, await amb.text()]).toEqual([409, 'ambiguous slug']);
  });

  it('scheduled_for must be a fire time of a cron check, not beyond now + grace', async () => {
    await t.db.updateTable('checks').set({ kind: 'cron', schedule: '0 2 * * *', tz: 'America/Chicago' }).where('id', '=', id).execute();
    await o.clock.jump('2026-01-03T09:00:00Z');
    const slot = '2026-01-02T02:00:00-06:00';
    expect((await o.app.request(`/ping/${id}?scheduled_for=${encodeURIComponent(slot)}`)).status).toBe(200);
    expect((await check()).reference_at).toEqual(new Date(slot));
    const notSlot = await o.app.request(`/ping/${id}?scheduled_for=${encodeURIComponent('2026-01-02T02:30:00-06:00')}`);
    expect([notSlot.status, await notSlot.text()]).toEqual([400, 'invalid scheduled_for']);
    const future = await o.app.request(`/ping/${id}?scheduled_for=${encodeURIComponent('2026-01-10T02:00:00-06:00')}`);
    expect(future.status).toBe(400);
    expect((await pings())).toHaveLength(1);
  });

  it('a paused check ignores pings with manual_resume, and goes up on a success without it', async () => {
    await o.app.request(`/ping/${id}`);
    await t.db.updateTable('checks').set({ status: 'paused', manual_resume: true, alert_after: null }).where('id', '=', id).execute();
    expect((await o.app.request(`/ping/${id}`)).status).toBe(200);
    expect((await check()).status).toBe('paused');
    expect((await pings()).map((p) => p.kind)).toEqual([null, 'ign']);
    await t.db.updateTable('checks').set({ manual_resume: false }).where('id', '=', id).execute();
    await o.app.request(`/ping/${id}`);
    expect((await check()).status).toBe('up');
    expect((await flips()).at(-1)).toMatchObject({ old_status: 'paused', new_status: 'up' });
  });

  it('with TRUST_PROXY the client address and scheme come from X-Forwarded-For / -Proto', async () => {
    const proxied = testOverdue({ database: t, clock: o.clock, env: { TRUST_PROXY: 'true' } });
    await proxied.start();
    try {
      await proxied.app.request(`/ping/${id}`, { headers: { 'x-forwarded-for': ' 203.0.113.9 , 10.0.0.1', 'x-forwarded-proto': 'https' } });
      await proxied.app.request(`/ping/${id}`, { headers: { 'x-forwarded-for': '198.51.100.7:5123' } });
    } finally {
      await proxied.stop();
    }
    expect((await pings()).map((p) => [p.remote_addr, p.scheme])).toEqual([
      ['203.0.113.9', 'https'],
      ['198.51.100.7', 'http'],
    ]);
  });

  it('with the database down, pings get 503 with Retry-After and nothing is acknowledged', async () => {
    const d = await testDatabase();
    const down = testOverdue({ database: d });
    const key = (await down.start()).platformPingKey!;
    const cid = await insertCheck(d.db, { tenantId: null, pingKey: key, name: 'x' }, down.clock.now());
    await down.stop();
    await d.close();
    const res = await down.app.request(`/ping/${cid}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // A slug ping fails at its lookup, before the intake: also 503, and logged, not swallowed.
    const slug = await down.app.request(`/ping/${key}/x`);
    expect(slug.status).toBe(503);
    expect(slug.headers.get('retry-after')).toBe('5');
    const logged = down.logs.filter((l) => l.level >= 50).map((l) => [l.msg, l.path]);
    expect(logged).toContainEqual(['ping could not be stored', undefined]);
    // The ping key (and any check UUID) is a credential: logged paths redact it (issue 17; it was logged whole).
    expect(logged).toContainEqual(['ping lookup failed; answered 503', '/ping/***/x']);
    expect(JSON.stringify(down.logs)).not.toContain(key);
  });

  it('over a real socket: healthchecks headers, headers read from node, and each answer timed by status', async () => {
    // In-process requests take the standard Request path; served by node, the route reads node's own header object.
    const direct = await listen(o.app, { port: 0, host: '127.0.0.1' });
    const proxied = testOverdue({ database: t, clock: o.clock, env: { TRUST_PROXY: 'true' } });
    await proxied.start();
    const behindProxy = await listen(proxied.app, { port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${direct.port}/ping/${id}`, {
        method: 'POST',
        body: 'backup done, 1234567890 bytes',
        headers: { 'user-agent': 'y'.repeat(250), 'x-forwarded-for': '203.0.113.9' },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('OK');
      expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
      expect(res.headers.get('content-length')).toBe('2');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('ping-body-limit')).toBe('16');
      // Pings answer like healthchecks, ahead of the app's request-id middleware.
      expect(res.headers.get('x-request-id')).toBeNull();
      const missing = await fetch(`http://127.0.0.1:${direct.port}/ping/${UNKNOWN}`);
      expect([missing.status, await missing.text()]).toEqual([404, 'not found']);

      const viaProxy = await fetch(`http://127.0.0.1:${behindProxy.port}/ping/${id}/start`, {
        headers: { 'x-forwarded-for': '198.51.100.7, 10.0.0.1', 'x-forwarded-proto': 'https' },
      });
      expect(viaProxy.status).toBe(200);
    } finally {
      await behindProxy.close(1000);
      await proxied.stop();
      await direct.close(1000);
    }
    const stored = await pings();
    expect(stored.map((p) => [p.method, p.remote_addr, p.scheme, p.kind])).toEqual([
      ['POST', '127.0.0.1', 'http', null],
      ['GET', '198.51.100.7', 'https', 'start'],
    ]);
    expect(stored[0]!.ua).toBe('y'.repeat(200));
    expect(Buffer.from(stored[0]!.body!).toString()).toBe('backup done, 123');

    const timed = await histogramCounts(o.metricReader, 'overdue_ping_request_duration');
    expect(timed.get(200)).toBeGreaterThanOrEqual(1);
    expect(timed.get(404)).toBeGreaterThanOrEqual(1);
  });
});

/** Recorded values of a histogram, by HTTP status. */
async function histogramCounts(reader: TestOverdue['metricReader'], name: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const p of metric.dataPoints) {
        const status = Number(p.attributes['http.response.status_code']);
        counts.set(status, (counts.get(status) ?? 0) + (p.value as { count: number }).count);
      }
    }
  }
  return counts;
}
