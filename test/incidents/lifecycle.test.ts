import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSignal, type SignalDraft } from '../../src/signals/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { expectationSource } from './fixture.js';

describe(`automatic incidents from signals on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  let component: { id: string };
  let other: { id: string };
  const api = async (method: string, path: string, body?: unknown, key = admin) => {
    const res = await o.app.request(path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    return { status: res.status, body: res.status === 204 || res.status === 304 ? null : await json(res), headers: res.headers };
  };
  const signal = async (s: Partial<SignalDraft> & { kind: SignalDraft['kind']; summary: string }) => {
    await recordSignal(t.db, { source: 'expectation:invoices-exist', tenantId: null, component: 'billing', severity: 'major', evidence: {}, likelyCause: null, ...s }, clock.now());
    await o.incidents.tick();
  };
  const summary = async () => (await api('GET', '/api/v2/summary.json')).body;

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock('2025-05-17T07:00:00Z');
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    for (const id of ['invoices-exist', 'balance-settles-open-invoices', 'renewal-extends-expiry']) await expectationSource(t.db, id, 'platform', clock.now());
    const group = (await api('POST', '/api/v1/components', { name: 'Billing', group: true })).body;
    component = (await api('POST', '/api/v1/components', { name: 'Invoice generation', group_id: group.id, sources: ['expectation:invoices-exist'] })).body;
    other = (await api('POST', '/api/v1/components', { name: 'Payments', group_id: group.id, sources: ['expectation:balance-settles-open-invoices'] })).body;
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('a failing signal opens an incident on its component, worded from the component (the evidence stays private)', async () => {
    expect((await summary()).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    await signal({ kind: 'failing', summary: '3 invoices missing for 1 tenant: globex — slot 2025-05-17 02:00 Europe/Berlin' });
    const s = await summary();
    expect(s.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(s.incidents).toHaveLength(1);
    const incident = s.incidents[0];
    expect(incident).toMatchObject({ name: 'Partial outage: Invoice generation', status: 'investigating', impact: 'major', resolved_at: null });
    expect(incident.incident_updates[0].body).toBe('We are investigating a partial outage of Invoice generation.');
    expect(JSON.stringify(s)).not.toMatch(/globex|invoices-exist|missing/);
    expect(incident.incident_updates[0].affected_components).toEqual([{ code: component.id, name: 'Invoice generation', old_status: 'operational', new_status: 'partial_outage' }]);
    expect(s.components.find((c: { id: string }) => c.id === component.id).status).toBe('partial_outage');
    const events = await t.db.selectFrom('notification_events').select(['type']).orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['component.updated', 'incident.created']);
  });

  it('remediation moves it to identified then monitoring; recovery resolves it and restores the component', async () => {
    await clock.advance(60_000);
    await signal({ kind: 'update', summary: 'Remediation started: invoice-run for 1 tenant(s)', evidence: { phase: 'started' } });
    expect((await summary()).incidents[0].status).toBe('identified');
    await clock.advance(60_000);
    await signal({ kind: 'update', summary: 'Remediation finished: 3 invoices repaired', evidence: { phase: 'finished' } });
    expect((await summary()).incidents[0]).toMatchObject({ status: 'monitoring', monitoring_at: '2025-05-17T07:02:00.000Z' });
    await clock.advance(3 * 60_000);
    await signal({ kind: 'recovered', summary: 'Every due invoice exists: passing again after 5 min' });
    const s = await summary();
    expect(s.incidents).toEqual([]);
    expect(s.status.indicator).toBe('none');
    const all = (await api('GET', '/api/v2/incidents.json')).body.incidents;
    expect(all[0]).toMatchObject({ status: 'resolved', resolved_at: '2025-05-17T07:05:00.000Z' });
    expect(all[0].incident_updates.map((u: { status: string }) => u.status)).toEqual(['resolved', 'monitoring', 'identified', 'investigating']);
    expect(all[0].incident_updates.map((u: { body: string }) => u.body)).toEqual([
      'This incident has been resolved. Services were affected for about 5 min.',
      'A fix has been applied and we are monitoring the results.',
      'The cause has been identified and a fix is being applied.',
      'We are investigating a partial outage of Invoice generation.',
    ]);
    expect(s.components.find((c: { id: string }) => c.id === component.id).status).toBe('operational');
  });

  it('a second source on the same group joins no incident of another component, but a related source on the same component joins', async () => {
    await clock.advance(2 * 3_600_000); // past the window in which a resolved incident would reopen
    await t.db.insertInto('component_sources').values({ component_id: component.id, source: 'check:00000000-0000-4000-8000-000000000001' }).execute(); // (a check of no one: written past the API's checks)
    await signal({ kind: 'failing', summary: 'Invoices missing again' });
    await clock.advance(60_000);
    await signal({ kind: 'failing', summary: 'Heartbeat job billing.invoice-run:acme is down', source: 'check:00000000-0000-4000-8000-000000000001' });
    await signal({ kind: 'failing', summary: 'Open invoices left unpaid', source: 'expectation:balance-settles-open-invoices', severity: 'critical' });
    const open = (await api('GET', '/api/v2/incidents/unresolved.json')).body.incidents;
    expect(open).toHaveLength(2);
    const joined = open.find((i: { name: string }) => i.name === 'Partial outage: Invoice generation');
    expect(joined.incident_updates[0].body).toBe('We are also seeing problems with Invoice generation and are investigating.');
    expect(open.find((i: { name: string }) => i.name === 'Major outage: Payments')).toBeDefined();
    expect(JSON.stringify(open)).not.toMatch(/billing\.invoice-run|acme|00000000-0000-4000-8000-000000000001/);
    expect((await summary()).status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    // One source recovering leaves the incident open while the other still fails.
    await signal({ kind: 'recovered', summary: 'passing again' });
    expect((await api('GET', '/api/v2/incidents/unresolved.json')).body.incidents).toHaveLength(2);
    await signal({ kind: 'recovered', summary: 'up again', source: 'check:00000000-0000-4000-8000-000000000001' });
    await signal({ kind: 'recovered', summary: 'settled', source: 'expectation:balance-settles-open-invoices' });
    expect((await api('GET', '/api/v2/incidents/unresolved.json')).body.incidents).toEqual([]);
  });

  it('a flapping source does not open and close incidents repeatedly', async () => {
    await clock.advance(2 * 3_600_000);
    const before = (await api('GET', '/api/v2/incidents.json')).body.incidents.length;
    for (let i = 0; i < 6; i++) {
      await clock.advance(5 * 60_000);
      await signal({ kind: 'failing', summary: `flap ${i}`, source: 'expectation:balance-settles-open-invoices' });
      await clock.advance(60_000);
      await signal({ kind: 'recovered', summary: `ok ${i}`, source: 'expectation:balance-settles-open-invoices' });
    }
    const after = (await api('GET', '/api/v2/incidents.json')).body.incidents;
    expect(after.length - before).toBe(1);
    expect(after[0].incident_updates.filter((u: { body: string }) => u.body === 'The problem has returned. We are investigating.').length).toBe(5);
    expect(after[0].status).toBe('monitoring');
    // Stable for 30 minutes: resolved.
    await clock.advance(31 * 60_000);
    await o.incidents.tick();
    expect((await api('GET', '/api/v2/incidents.json')).body.incidents[0].status).toBe('resolved');
  });

  it('the public page shows the banner, incidents and components, escaped, with ETag revalidation', async () => {
    await clock.advance(2 * 3_600_000);
    expect((await api('POST', '/api/v1/components', { name: '<script>alert(1)</script> & "quotes"', sources: ['expectation:renewal-extends-expiry'] })).status).toBe(201);
    await signal({ kind: 'failing', summary: 'Renewal of <b>acme</b> sub 42 failed', source: 'expectation:renewal-extends-expiry' });
    const res = await o.app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Partial System Outage');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('Partial outage: &lt;script&gt;');
    expect(html).not.toMatch(/Renewal of|acme|sub 42/);
    expect(html).toContain('Invoice generation');
    expect(Buffer.byteLength(html)).toBeLessThan(50_000);
    const etag = res.headers.get('etag')!;
    expect(res.headers.get('cache-control')).toBe('public, max-age=10, stale-while-revalidate=60');
    expect((await o.app.request('/', { headers: { 'if-none-match': etag } })).status).toBe(304);
    await signal({ kind: 'recovered', summary: 'ok', source: 'expectation:renewal-extends-expiry' });
    const changed = await o.app.request('/', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('All Systems Operational');
  });
});
