import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSignal } from '../../src/signals/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { expectationSource, snapshot } from './fixture.js';

// PATCH /api/v1/incidents/:id corrects a manual incident (or a draft): its name, impact and the
// components it affects, without posting an update. Bad fields are a 400, an unknown id a 404.
describe(`correcting an incident on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let tenant: { id: string; api_key: string };
  const clock = new ManualClock('2026-02-10T15:00:00Z');
  const comps: Record<string, string> = {};
  const statuses = async () => Object.fromEntries((await api('GET', '/api/v1/components?page=fix')).body.data.map((c: any) => [c.name, c.status]));

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'hooli');
    await created(api, '/api/v1/pages', { slug: 'fix', name: 'Fix' });
    for (const name of ['API', 'Web', 'Mail']) comps[name] = (await created(api, '/api/v1/components', { page: 'fix', name })).id;
    comps.Group = (await created(api, '/api/v1/components', { page: 'fix', name: 'Group', group: true })).id;
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('name, impact and components: the dropped component goes back to operational, the added one takes its status', async () => {
    const i = await created(api, '/api/v1/incidents', { page: 'fix', name: 'API erors', status: 'investigating', body: 'Looking.', components: { [comps.API!]: 'major_outage' } });
    expect(await statuses()).toMatchObject({ API: 'major_outage', Web: 'operational' });
    await clock.advance(60_000);
    const r = await api('PATCH', `/api/v1/incidents/${i.id}`, { name: 'Web errors', impact: 'minor', components: { [comps.Web!]: 'degraded_performance' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: i.id, name: 'Web errors', impact: 'minor', status: 'investigating', updated_at: clock.now().toISOString(), draft: false });
    expect(r.body.components.map((c: any) => [c.name, c.status])).toEqual([['Web', 'degraded_performance']]);
    expect(r.body.incident_updates).toHaveLength(1); // a correction, not an update
    expect(await statuses()).toMatchObject({ API: 'operational', Web: 'degraded_performance', Mail: 'operational' });
    const summary = (await api('GET', '/s/fix/api/v2/summary.json', undefined, null)).body;
    expect(summary.incidents.map((x: any) => [x.name, x.impact])).toEqual([['Web errors', 'minor']]);
    // Only the name: the rest stays.
    expect((await api('PATCH', `/api/v1/incidents/${i.id}`, { name: 'Web errors (EU)' })).body).toMatchObject({ name: 'Web errors (EU)', impact: 'minor' });
    expect(await statuses()).toMatchObject({ Web: 'degraded_performance' });
  });

  it('bad fields → 400, unknown → 404, a maintenance or a published automatic incident → 409; nothing written', async () => {
    const i = (await api('GET', '/api/v1/incidents')).body.data[0];
    const m = await created(api, '/api/v1/maintenances', { page: 'fix', name: 'M', body: 'b', scheduled_for: '2026-03-01T10:00:00Z', scheduled_until: '2026-03-01T12:00:00Z' });
    await expectationSource(t.db, 'api-up', 'platform', clock.now());
    await api('PATCH', `/api/v1/components/${comps.Mail}`, { sources: ['expectation:api-up'] });
    await recordSignal(t.db, { source: 'expectation:api-up', kind: 'failing', tenantId: null, component: null, severity: 'major', summary: 'x', evidence: {}, likelyCause: null }, clock.now());
    await o.incidents.tick();
    const auto = (await api('GET', '/api/v1/incidents')).body.data.find((x: any) => x.automatic);
    expect(auto).toMatchObject({ name: 'Partial outage: Mail', draft: false });
    const cases: [string, string, unknown, number][] = [
      ['empty name', i.id, { name: '' }, 400],
      ['name with a line break', i.id, { name: 'a\nb' }, 400],
      ['bad impact', i.id, { impact: 'huge' }, 400],
      ['maintenance impact', i.id, { impact: 'maintenance' }, 400],
      ['unknown component', i.id, { components: { [randomUUID()]: 'major_outage' } }, 400],
      ['a group', i.id, { components: { [comps.Group!]: 'major_outage' } }, 400],
      ['bad component status', i.id, { components: { [comps.API!]: 'on_fire' } }, 400],
      ['components as a list', i.id, { components: [comps.API] }, 400],
      ['a field it does not change', i.id, { status: 'resolved' }, 400],
      ['not JSON', i.id, '{"name":', 400],
      ['unknown incident', randomUUID(), { name: 'x' }, 404],
      ['not an id', 'nope', { name: 'x' }, 404],
      ['a maintenance', m.id, { name: 'x' }, 409],
      ['a published automatic incident', auto.id, { name: 'x' }, 409],
    ];
    await clock.advance(1000);
    for (const [label, id, body, status] of cases) {
      const before = await snapshot(t.db);
      const res = await api('PATCH', `/api/v1/incidents/${id}`, body);
      expect(res.status, `${label}: ${res.text}`).toBe(status);
      expect(await snapshot(t.db), label).toEqual(before);
    }
    // A tenant key does not see another's incident.
    expect((await api('PATCH', `/api/v1/incidents/${i.id}`, { name: 'mine' }, tenant.api_key)).status).toBe(404);
  });

  it('a draft is corrected before it is published; publishing it applies the corrected components', async () => {
    await expectationSource(t.db, 'api-down', 'platform', clock.now());
    expect((await api('PATCH', `/api/v1/components/${comps.Mail}`, { auto_incident: 'draft', sources: ['expectation:api-down'] })).status).toBe(200);
    // (Mail has a published automatic incident open: a draft-mode source does not join it, it opens its own draft.)
    await recordSignal(t.db, { source: 'expectation:api-down', kind: 'failing', tenantId: null, component: null, severity: 'critical', summary: 'x', evidence: {}, likelyCause: null }, clock.now());
    await o.incidents.tick();
    const draft = (await api('GET', '/api/v1/incidents')).body.data.find((x: any) => x.draft);
    expect(draft).toMatchObject({ name: 'Major outage: Mail', impact: 'critical' });
    const before = await statuses();
    const r = await api('PATCH', `/api/v1/incidents/${draft.id}`, { name: 'Mail is slow', components: { [comps.Mail!]: 'degraded_performance' } });
    expect(r.body).toMatchObject({ name: 'Mail is slow', impact: 'minor', draft: true });
    expect(await statuses()).toEqual(before);
    expect((await api('POST', `/api/v1/incidents/${draft.id}/publish`, {})).body).toMatchObject({ name: 'Mail is slow', draft: false });
    expect((await statuses()).Mail).toBe('partial_outage'); // the worst of its open incidents: the published automatic one says partial
    const onMail = (await api('GET', '/s/fix/api/v2/incidents/unresolved.json', undefined, null)).body.incidents.find((x: any) => x.name === 'Mail is slow');
    expect(onMail.components.map((c: any) => c.name)).toEqual(['Mail']);
  });
});
