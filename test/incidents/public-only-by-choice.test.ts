import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { uuidsIn } from './fixture.js';
import { confirmedSubscriber, incidentMail, ping, pump, tenantCheck, type TestCheck } from './monitors.js';

const DOCS = ['summary.json', 'status.json', 'components.json', 'incidents.json', 'incidents/unresolved.json', 'scheduled-maintenances.json', 'scheduled-maintenances/upcoming.json', 'scheduled-maintenances/active.json'];

// A source reaches a public page only through a component that lists it, and then only in the
// component's words: never the check's name, id, slug or ping key, the tenant, or the monitor's summary.
describe(`the public page only by choice on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let tenant: { id: string; api_key: string };
  let listed: TestCheck;
  let unlisted: TestCheck;
  let checkout: { id: string };
  let pageId: string;
  const clock = new ManualClock('2026-04-07T10:00:00Z');

  /** Everything the public can read of a page: HTML, history, feeds, every Statuspage document, and incident pages. */
  const renderings = async (slug: string, incidentIds: string[] = []): Promise<Record<string, string>> => {
    const base = slug === 'default' ? '' : `/s/${slug}`;
    const paths = [base || '/', `${base}/history`, `${base}/history.atom`, `${base}/history.rss`, ...DOCS.map((d) => `${base}/api/v2/${d}`), ...incidentIds.map((id) => `${base}/incidents/${id}`)];
    const out: Record<string, string> = {};
    for (const path of paths) {
      const res = await o.app.request(path);
      expect(res.status, path).toBe(200);
      out[path] = await res.text();
    }
    return out;
  };
  const tick = async () => {
    await o.incidents.tick();
    await o.pageCache.refreshVersions();
  };

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'umbrella-corp');
    pageId = (await created(api, '/api/v1/pages', { slug: 'uc-status', name: 'Status', time_zone: 'UTC' }, tenant.api_key)).id;
    listed = await tenantCheck(o, t.db, tenant.api_key, 'nightly ledger export db42', 'ledger-export-db42');
    unlisted = await tenantCheck(o, t.db, tenant.api_key, 'orphan sync job', 'orphan-sync');
    checkout = await created(api, '/api/v1/components', { page: 'uc-status', name: 'Checkout', sources: [listed.source], incident_template: 'Trouble with {component}' }, tenant.api_key);
    await confirmedSubscriber(o, t.db, api, 'uc-status', 'watcher@example.com');
    await confirmedSubscriber(o, t.db, api, 'default', 'default-watcher@example.com');
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('a check no component lists goes down: no incident, no page change, no event, no mail (it stays private)', async () => {
    const before = { tenant: await renderings('uc-status'), platform: await renderings('default') };
    // The listed check pings halfway, so only the unlisted one misses its deadline.
    await clock.advance(100_000);
    await ping(o, listed);
    await clock.advance(21_000);
    await o.alerts.tick();
    const [signal] = await t.db.selectFrom('signals').selectAll().where('source', '=', unlisted.source).execute();
    expect(signal).toMatchObject({ kind: 'failing', tenant_id: tenant.id, processed_at: null });
    await tick();

    // Handled (and left to private alerting), with nothing public: no incident anywhere, no event, no delivery.
    expect(await t.db.selectFrom('signals').select(['processed_at', 'parked_at']).where('id', '=', signal!.id).executeTakeFirst()).toEqual({ processed_at: clock.now(), parked_at: null });
    expect(await t.db.selectFrom('incidents').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('notification_events').selectAll().execute()).toEqual([]);
    await pump(o);
    expect(await incidentMail(api, 'watcher@example.com')).toEqual([]);
    expect(await incidentMail(api, 'default-watcher@example.com')).toEqual([]);
    expect(await t.db.selectFrom('deliveries').select('event_key').where('event_key', 'like', 'event:%').execute()).toEqual([]);
    expect(await renderings('uc-status')).toEqual(before.tenant);
    expect(await renderings('default')).toEqual(before.platform);
    // Operators still see it through the authenticated API: it never became an incident.
    expect((await api('GET', '/api/v1/incidents', undefined, tenant.api_key)).body.data).toEqual([]);
  });

  it('a listed check goes down and recovers: every public rendering and mail names the component, never the monitor', async () => {
    await clock.advance(100_000);
    await ping(o, unlisted); // recovered: still nothing public
    await clock.advance(21_000);
    await o.alerts.tick();
    await tick();
    const [incident] = (await api('GET', '/api/v1/incidents', undefined, tenant.api_key)).body.data;
    expect(incident).toMatchObject({ name: 'Trouble with Checkout', status: 'investigating', impact: 'major', automatic: true, draft: false, published_at: clock.now().toISOString(), publish_at: null });
    expect(incident.incident_updates[0].body).toBe('We are investigating a partial outage of Checkout.');
    await pump(o);
    await clock.advance(5 * 60_000);
    await ping(o, listed);
    await tick();
    await pump(o);
    const after = (await api('GET', `/api/v1/incidents/${incident.id}`, undefined, tenant.api_key)).body;
    expect(after.status).toBe('resolved');
    expect(after.incident_updates[0].body).toBe('This incident has been resolved. Services were affected for about 5 min.');

    const mails = await incidentMail(api, 'watcher@example.com');
    expect(mails.map((m) => m.subject)).toEqual(['[Status] Trouble with Checkout: Resolved', '[Status] Trouble with Checkout: Investigating']);
    expect(await incidentMail(api, 'default-watcher@example.com')).toEqual([]);

    const published = { ...(await renderings('uc-status', [incident.id])), ...Object.fromEntries(mails.map((m, i) => [`mail ${i}`, `${m.subject}\n${m.text}`])) };
    expect(published['/s/uc-status/api/v2/incidents.json']).toContain('Trouble with Checkout');
    expect(published['/s/uc-status/history.atom']).toContain('Trouble with Checkout');
    // (A subscriber's mail also carries its own signed manage and unsubscribe links.)
    const subscribers = (await t.db.selectFrom('subscribers').select('id').execute()).map((s) => s.id);
    const publicIds = new Set([pageId, checkout.id, incident.id, ...after.incident_updates.map((u: { id: string }) => u.id), ...subscribers]);
    const secrets = [listed.id, listed.name, listed.slug, listed.pingKey, unlisted.id, unlisted.name, tenant.id, 'umbrella-corp', 'Heartbeat', 'check:'];
    for (const [where, text] of Object.entries(published)) {
      for (const secret of secrets) expect(text.includes(secret), `${where} shows ${secret}`).toBe(false);
      expect(uuidsIn(text).filter((id) => !publicIds.has(id)), `${where}: ids that are not of public objects`).toEqual([]);
    }

    // The team heard privately that it went public and was resolved (internal names are fine there).
    const alerts = await t.db.selectFrom('alert_events').select(['tenant_id', 'kind']).where('kind', 'like', 'incident.%').orderBy('id').execute();
    expect(alerts).toEqual([
      { tenant_id: tenant.id, kind: 'incident.published' },
      { tenant_id: tenant.id, kind: 'incident.resolved' },
    ]);
  });
});
