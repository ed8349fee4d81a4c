import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { confirmedSubscriber, incidentMail, ping, pump, tenantCheck, type TestCheck } from './monitors.js';

// Each component chooses how its automatic incidents go public: at once (publish), after
// publish_after seconds if still failing (delay: a blip never reaches anyone), or as a draft an
// operator publishes or discards. A draft is seen through the authenticated API only.
describe(`automatic incidents: publish, delay, draft on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let key: string;
  let search: TestCheck;
  let reports: TestCheck;
  let exportsCheck: TestCheck;
  const clock = new ManualClock('2026-05-04T08:00:00Z');
  const all = () => [search, reports, exportsCheck];
  const SUBSCRIBER = 'ops-watch@example.com';

  const tick = async () => {
    await o.incidents.tick();
    await o.pageCache.refreshVersions();
  };
  /** Moves `ms` ahead in steps of a minute, pinging every check but `down` so they stay up. */
  const pass = async (ms: number, down: TestCheck[] = []) => {
    for (let left = ms; left > 0; left -= 60_000) {
      await clock.advance(Math.min(60_000, left));
      for (const c of all()) if (!down.includes(c)) await ping(o, c);
      await o.alerts.tick();
      await tick();
    }
  };
  /** Takes `check` down (the others keep pinging) and lets the incident loop see it. */
  const goDown = async (check: TestCheck) => pass(121_000, [check]);
  const incidents = async () => (await api('GET', '/api/v1/incidents', undefined, key)).body.data as any[];
  const publicIncidents = async () => {
    const docs = await Promise.all(['incidents.json', 'summary.json'].map(async (d) => JSON.parse(await (await o.app.request(`/s/ini-status/api/v2/${d}`)).text())));
    const html = [await (await o.app.request('/s/ini-status')).text(), await (await o.app.request('/s/ini-status/history.atom')).text(), await (await o.app.request('/s/ini-status/history.rss')).text()];
    return { listed: docs[0].incidents as any[], summary: docs[1], html: html.join('\n') };
  };
  const component = async (name: string) => (await api('GET', '/api/v1/components?page=ini-status', undefined, key)).body.data.find((c: any) => c.name === name);
  const mails = () => incidentMail(api, SUBSCRIBER);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    key = (await newTenant(api, 'initrode')).api_key;
    await created(api, '/api/v1/pages', { slug: 'ini-status', name: 'Initrode', time_zone: 'UTC' }, key);
    search = await tenantCheck(o, t.db, key, 'search indexer', 'search-indexer');
    reports = await tenantCheck(o, t.db, key, 'report builder', 'report-builder');
    exportsCheck = await tenantCheck(o, t.db, key, 'export worker', 'export-worker');
    const s = await created(api, '/api/v1/components', { page: 'ini-status', name: 'Search', sources: [search.source], auto_incident: 'delay', publish_after: 300 }, key);
    expect(s).toMatchObject({ auto_incident: 'delay', publish_after: 300, incident_template: null });
    await created(api, '/api/v1/components', { page: 'ini-status', name: 'Reports', sources: [reports.source], auto_incident: 'draft' }, key);
    await created(api, '/api/v1/components', { page: 'ini-status', name: 'Exports', sources: [exportsCheck.source], auto_incident: 'draft' }, key);
    await confirmedSubscriber(o, t.db, api, 'ini-status', SUBSCRIBER);
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('component settings: returned, changed, validated (400, nothing written)', async () => {
    const c = await component('Search');
    expect(c).toMatchObject({ auto_incident: 'delay', publish_after: 300, incident_template: null, sources: [search.source] });
    for (const bad of [{ auto_incident: 'soon' }, { publish_after: null }, { publish_after: 0 }, { incident_template: 'Down: {name}' }]) {
      const res = await api('PATCH', `/api/v1/components/${c.id}`, bad, key);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await component('Search')).toEqual(c);
    const changed = await api('PATCH', `/api/v1/components/${c.id}`, { publish_after: 240, incident_template: '{component}: {status}' }, key);
    expect(changed.body).toMatchObject({ auto_incident: 'delay', publish_after: 240, incident_template: '{component}: {status}', sources: [search.source] });
    expect((await api('PATCH', `/api/v1/components/${c.id}`, { publish_after: 300, incident_template: null }, key)).body).toMatchObject({ publish_after: 300, incident_template: null });
  });

  it('delay: a blip that recovers before publish_after is discarded and never reaches anyone', async () => {
    await goDown(search);
    const [draft] = await incidents();
    // publish_after counts from the failure (the flip), not from when the incident loop saw it.
    const [failing] = await t.db.selectFrom('signals').select('created_at').where('source', '=', search.source).where('kind', '=', 'failing').execute();
    expect(draft).toMatchObject({ name: 'Partial outage: Search', automatic: true, draft: true, published_at: null, publish_at: new Date(failing!.created_at.getTime() + 300_000).toISOString() });
    let seen = await publicIncidents();
    expect(seen.listed).toEqual([]);
    expect(seen.summary.status.indicator).toBe('none');
    expect(seen.html).not.toContain('Partial outage');
    expect((await component('Search')).status).toBe('operational');

    await pass(60_000, [search]);
    await ping(o, search); // back before the 5 minutes are up
    await tick();
    expect(await incidents()).toEqual([]);
    await pass(6 * 60_000);
    await pump(o);
    expect(await incidents()).toEqual([]);
    expect(await t.db.selectFrom('notification_events').select('type').execute()).toEqual([]);
    expect(await mails()).toEqual([]);
    seen = await publicIncidents();
    expect(seen.listed).toEqual([]);
    expect(seen.html).not.toContain('Search is');
  });

  it('delay: still failing after publish_after, it is published and subscribers are told once', async () => {
    await goDown(search);
    const [draft] = await incidents();
    expect(draft.draft).toBe(true);
    await pass(4 * 60_000, [search]);
    await pump(o);
    expect((await incidents())[0].draft).toBe(true);
    expect((await publicIncidents()).listed).toEqual([]);
    expect(await mails()).toEqual([]);

    await pass(60_000, [search]); // past publish_at
    const [published] = await incidents();
    expect(published).toMatchObject({ id: draft.id, draft: false, publish_at: null, status: 'investigating' });
    expect(Date.parse(published.published_at)).toBeGreaterThanOrEqual(Date.parse(draft.publish_at));
    const seen = await publicIncidents();
    expect(seen.listed.map((i) => i.id)).toEqual([draft.id]);
    expect(seen.summary.status.indicator).toBe('major');
    expect(seen.html).toContain('Partial outage: Search');
    expect((await component('Search')).status).toBe('partial_outage');
    expect(published.incident_updates[0].affected_components).toEqual([expect.objectContaining({ name: 'Search', old_status: 'operational', new_status: 'partial_outage' })]);
    await pump(o);
    await pass(2 * 60_000, [search]);
    await pump(o);
    expect((await mails()).map((m) => m.subject)).toEqual(['[Initrode] Partial outage: Search: Investigating']);
    expect(await t.db.selectFrom('notification_events').select('type').where('incident_id', '=', draft.id).execute()).toEqual([{ type: 'incident.created' }]);
    expect(await t.db.selectFrom('alert_events').select(['kind']).where('kind', '=', 'incident.published').execute()).toHaveLength(1);

    await ping(o, search);
    await tick();
    await pump(o);
    expect((await incidents())[0].status).toBe('resolved');
    expect((await mails()).map((m) => m.subject)).toEqual(['[Initrode] Partial outage: Search: Resolved', '[Initrode] Partial outage: Search: Investigating']);
  });

  it('draft: invisible until an operator publishes it; then public, subscribers told once; publishing twice is 409', async () => {
    const mailed = (await mails()).length;
    await goDown(reports);
    const draft = (await incidents()).find((i) => i.name === 'Partial outage: Reports');
    expect(draft).toMatchObject({ draft: true, published_at: null, publish_at: null, status: 'investigating' });
    await pass(15 * 60_000, [reports]);
    await pump(o);
    const seen = await publicIncidents();
    expect(seen.listed.map((i) => i.id)).not.toContain(draft.id);
    expect(seen.html).not.toContain('Partial outage: Reports');
    expect(seen.html).not.toContain('of Reports');
    expect((await component('Reports')).status).toBe('operational');
    expect((await o.app.request(`/s/ini-status/incidents/${draft.id}`)).status).toBe(404);
    expect(await mails()).toHaveLength(mailed);
    expect((await api('GET', `/api/v1/incidents/${draft.id}`, undefined, key)).body).toMatchObject({ draft: true, published_at: null });

    const published = await api('POST', `/api/v1/incidents/${draft.id}/publish`, {}, key);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ id: draft.id, draft: false, published_at: clock.now().toISOString() });
    await o.pageCache.refreshVersions();
    expect((await publicIncidents()).listed.map((i) => i.id)).toContain(draft.id);
    expect((await o.app.request(`/s/ini-status/incidents/${draft.id}`)).status).toBe(200);
    expect((await component('Reports')).status).toBe('partial_outage');
    await pump(o);
    await pump(o);
    expect((await mails()).slice(0, (await mails()).length - mailed).map((m) => m.subject)).toEqual(['[Initrode] Partial outage: Reports: Investigating']);
    expect((await api('POST', `/api/v1/incidents/${draft.id}/publish`, {}, key)).status).toBe(409);
    // Once public, it follows its monitor like any other.
    await ping(o, reports);
    await tick();
    await pump(o);
    expect((await mails())[0]!.subject).toBe('[Initrode] Partial outage: Reports: Resolved');
  });

  it('draft: an operator discards it with DELETE; it never had a public trace', async () => {
    const mailed = (await mails()).length;
    const events = (await t.db.selectFrom('notification_events').select('id').execute()).length;
    await goDown(exportsCheck);
    const draft = (await incidents()).find((i) => i.name === 'Partial outage: Exports');
    expect(draft.draft).toBe(true);
    expect((await api('DELETE', `/api/v1/incidents/${draft.id}`, undefined, key)).status).toBe(204);
    expect((await api('GET', `/api/v1/incidents/${draft.id}`, undefined, key)).status).toBe(404);
    await pump(o);
    expect(await mails()).toHaveLength(mailed);
    expect(await t.db.selectFrom('notification_events').select('id').execute()).toHaveLength(events);
    expect((await publicIncidents()).html).not.toContain('Partial outage: Exports');
    expect((await component('Exports')).status).toBe('operational');
  });
});
