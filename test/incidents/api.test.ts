import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceMaintenances } from '../../src/incidents/maintenance.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { checkSource, expectationSource, snapshot } from './fixture.js';

describe(`incidents manual API on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  let api: Api;
  let globex: { id: string; api_key: string };
  let initech: { id: string; api_key: string };
  const clock = new ManualClock('2025-06-02T09:00:00.000Z');
  const now = () => clock.now().toISOString();
  const page = (b: Record<string, unknown>, key?: string) => created(api, '/api/v1/pages', { time_zone: 'UTC', ...b }, key);
  const component = (b: Record<string, unknown>, key?: string) => created(api, '/api/v1/components', b, key);
  const incident = (b: Record<string, unknown>, key?: string) => created(api, '/api/v1/incidents', { status: 'investigating', body: 'Looking into it.', ...b }, key);
  const components = async (slug: string) => Object.fromEntries((await api('GET', `/api/v1/components?page=${slug}`)).body.data.map((c: any) => [c.name, c]));
  const events = async (where: { incident?: string; component?: string }) =>
    (await t.db.selectFrom('notification_events').select('type').where(where.incident ? 'incident_id' : 'component_id', '=', (where.incident ?? where.component)!).orderBy('id').execute()).map((e) => e.type);

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    globex = await newTenant(api, 'globex');
    initech = await newTenant(api, 'initech');
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('components: a group with children and sources; list; patch; delete (children lose group_id)', async () => {
    const CHECK = await checkSource(t.db, null, 'Platform API probe', clock.now());
    await expectationSource(t.db, 'invoices-exist', 'forEachTenant', clock.now());
    await expectationSource(t.db, 'api-answers', 'platform', clock.now());
    const pg = await page({ slug: 'comp', name: 'Components' });
    const group = await component({ page: 'comp', name: 'Platform', group: true });
    expect(group).toMatchObject({ group: true, group_id: null, components: [], status: 'operational', page_id: pg.id, sources: [], auto_incident: 'publish', publish_after: null, incident_template: null });
    const apiC = await component({ page: 'comp', name: 'API', group_id: group.id, description: 'REST', sources: [CHECK, 'expectation:invoices-exist'] });
    expect(apiC).toMatchObject({ group: false, group_id: group.id, description: 'REST', showcase: true, only_show_if_degraded: false, sources: [CHECK, 'expectation:invoices-exist'] });
    expect(apiC).not.toHaveProperty('components');
    const web = await component({ page: 'comp', name: 'Web', group_id: group.id, showcase: false, only_show_if_degraded: true });
    let list = (await api('GET', '/api/v1/components?page=comp')).body.data;
    expect(list.map((c: any) => c.name)).toEqual(['Platform', 'API', 'Web']);
    expect(list[0].components).toEqual([apiC.id, web.id]);
    expect([...list[1].sources].sort()).toEqual([CHECK, 'expectation:invoices-exist'].sort());
    expect(list[2]).toMatchObject({ sources: [], showcase: false, only_show_if_degraded: true });
    const bads = [
      { group_id: randomUUID() }, { group_id: apiC.id }, { group: true, group_id: group.id }, { sources: ['http://x'] }, { status: 'fine' }, { group: 'yes' }, { name: '' },
      { sources: [`check:${randomUUID()}`] }, { sources: ['expectation:not-loaded'] }, { sources: ['check:------------------------------------'] },
      { auto_incident: 'later' }, { auto_incident: 'delay' }, { auto_incident: 'delay', publish_after: 0 }, { publish_after: 86_401 }, { publish_after: 1.5 }, { publish_after: '60' },
      { incident_template: '' }, { incident_template: 'x'.repeat(141) }, { incident_template: 'Down: {check}' }, { incident_template: 'two\nlines' }, { incident_template: 7 },
    ];
    for (const bad of bads) {
      const before = await snapshot(t.db);
      expect((await api('POST', '/api/v1/components', { page: 'comp', name: 'X', ...bad })).status, JSON.stringify(bad)).toBe(400);
      expect(await snapshot(t.db), JSON.stringify(bad)).toEqual(before);
    }

    await clock.advance(60_000);
    const patched = await api('PATCH', `/api/v1/components/${apiC.id}`, { name: 'Public API', status: 'partial_outage', sources: ['expectation:api-answers'] });
    expect(patched.body).toMatchObject({ id: apiC.id, name: 'Public API', status: 'partial_outage', group_id: group.id, updated_at: now() });
    expect((await components('comp'))['Public API'].sources).toEqual(['expectation:api-answers']);
    expect((await t.db.selectFrom('component_status_log').select('status').where('component_id', '=', apiC.id).orderBy('id').execute()).map((l) => l.status)).toEqual(['operational', 'partial_outage']);
    expect((await api('PATCH', `/api/v1/components/${apiC.id}`, { status: 'broken' })).status).toBe(400);
    expect((await api('PATCH', `/api/v1/components/${randomUUID()}`, { name: 'x' })).status).toBe(404);

    expect((await api('DELETE', `/api/v1/components/${group.id}`)).status).toBe(204);
    list = (await api('GET', '/api/v1/components?page=comp')).body.data;
    expect(list.map((c: any) => [c.name, c.group_id])).toEqual([['Public API', null], ['Web', null]]);
    expect((await api('DELETE', `/api/v1/components/${group.id}`)).status).toBe(404);
  });

  it('a manual component status change is a component.updated event for subscribers; a rename is not', async () => {
    await page({ slug: 'evt', name: 'Events' });
    const c = await component({ page: 'evt', name: 'Queue' });
    expect((await api('PATCH', `/api/v1/components/${c.id}`, { name: 'Job queue' })).status).toBe(200);
    expect(await events({ component: c.id })).toEqual([]);
    expect((await api('PATCH', `/api/v1/components/${c.id}`, { status: 'major_outage' })).status).toBe(200);
    expect(await events({ component: c.id })).toEqual(['component.updated']);
  });

  it('pages: admin creates any, a tenant key its own; lists show only visible pages; patch; duplicate slug → 409', async () => {
    expect(await page({ slug: 'acme', name: 'Acme', time_zone: 'Europe/Berlin' })).toMatchObject({ slug: 'acme', name: 'Acme', time_zone: 'Europe/Berlin', tenant_id: null });
    const own = await page({ slug: 'globex', name: 'Globex', time_zone: 'America/Chicago' }, globex.api_key);
    expect(own).toMatchObject({ slug: 'globex', tenant_id: globex.id });
    // A tenant key cannot place a page in another tenant.
    expect(await page({ slug: 'globex-eu', name: 'Globex EU', tenant_id: initech.id }, globex.api_key)).toMatchObject({ tenant_id: globex.id });
    const before = await snapshot(t.db);
    const dup = await api('POST', '/api/v1/pages', { slug: 'acme', name: 'Again' }, globex.api_key);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'conflict', message: expect.any(String) });
    for (const bad of [{ slug: 'Not OK', name: 'x' }, { slug: 'tz', name: 'x', time_zone: 'Mars/Olympus' }, { slug: 'noname' }]) {
      expect((await api('POST', '/api/v1/pages', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect(await snapshot(t.db)).toEqual(before);

    const slugs = async (key: string) => (await api('GET', '/api/v1/pages', undefined, key)).body.data.map((p: any) => p.slug);
    expect(await slugs(admin)).toEqual(expect.arrayContaining(['acme', 'default', 'globex', 'globex-eu']));
    expect(await slugs(globex.api_key)).toEqual(['globex', 'globex-eu']);
    expect(await slugs(initech.api_key)).toEqual([]);

    const acme = (await api('GET', '/api/v1/pages')).body.data.find((p: any) => p.slug === 'acme');
    expect((await api('PATCH', `/api/v1/pages/${acme.id}`, { name: 'Mine' }, globex.api_key)).status).toBe(404);
    await clock.advance(1000);
    expect((await api('PATCH', `/api/v1/pages/${own.id}`, { name: 'Globex Corp' }, globex.api_key)).body).toMatchObject({ name: 'Globex Corp', updated_at: now() });
    expect((await api('PATCH', `/api/v1/pages/${own.id}`, { time_zone: 'Asia/Tokyo' })).body).toMatchObject({ time_zone: 'Asia/Tokyo' });
    expect((await api('PATCH', `/api/v1/pages/${own.id}`, { time_zone: 'Nowhere' })).status).toBe(400);
    expect((await api('PATCH', `/api/v1/pages/${randomUUID()}`, { name: 'x' })).status).toBe(404);
  });

  it('incidents: create, identified, monitoring, resolved (components restored), edit an update, postmortem, filter', async () => {
    const ops = await page({ slug: 'ops', name: 'Ops' });
    const [db, cache] = [await component({ page: 'ops', name: 'Database' }), await component({ page: 'ops', name: 'Cache' })];
    const start = now();
    const i = await incident({ page: 'ops', name: 'Database unreachable', components: { [db.id]: 'major_outage' } });
    expect(i).toMatchObject({ name: 'Database unreachable', status: 'investigating', impact: 'critical', page_id: ops.id, monitoring_at: null, resolved_at: null, created_at: start, started_at: start });
    expect(i.incident_updates).toEqual([expect.objectContaining({ status: 'investigating', body: 'Looking into it.', display_at: start, deliver_notifications: true, affected_components: [{ code: db.id, name: 'Database', old_status: 'operational', new_status: 'major_outage' }] })]);
    expect(i.components).toEqual([expect.objectContaining({ id: db.id, status: 'major_outage' })]);
    expect((await components('ops')).Database.status).toBe('major_outage');
    expect(await events({ incident: i.id })).toEqual(['incident.created']);
    expect(await events({ component: db.id })).toEqual(['component.updated']);
    const post = (b: Record<string, unknown>) => api('POST', `/api/v1/incidents/${i.id}/updates`, b);

    await clock.advance(120_000);
    let r = await post({ status: 'identified', body: 'A full disk.', components: { [cache.id]: 'degraded_performance' } });
    expect(r.status).toBe(201);
    expect(r.body.incident_updates[0]).toMatchObject({ status: 'identified', affected_components: [{ code: cache.id, name: 'Cache', old_status: 'operational', new_status: 'degraded_performance' }] });
    expect((await components('ops')).Cache.status).toBe('degraded_performance');
    await clock.advance(120_000);
    const monitoringAt = now();
    r = await post({ status: 'monitoring', body: 'Space freed.' });
    expect(r.body).toMatchObject({ status: 'monitoring', monitoring_at: monitoringAt, resolved_at: null });
    await clock.advance(120_000);
    r = await post({ status: 'resolved', body: 'All good.' });
    expect(r.body).toMatchObject({ status: 'resolved', monitoring_at: monitoringAt, resolved_at: now() });
    expect(r.body.incident_updates.map((u: any) => u.status)).toEqual(['resolved', 'monitoring', 'identified', 'investigating']);
    const restored = [{ code: db.id, name: 'Database', old_status: 'major_outage', new_status: 'operational' }, { code: cache.id, name: 'Cache', old_status: 'degraded_performance', new_status: 'operational' }];
    expect(r.body.incident_updates[0].affected_components).toHaveLength(2);
    expect(r.body.incident_updates[0].affected_components).toEqual(expect.arrayContaining(restored));
    expect(Object.values(await components('ops')).map((c: any) => c.status)).toEqual(['operational', 'operational']);
    expect((await api('GET', '/s/ops/api/v2/summary.json', undefined, null)).body).toMatchObject({ status: { indicator: 'none' }, incidents: [] });
    expect(await events({ incident: i.id })).toEqual(['incident.created', 'incident.updated', 'incident.updated', 'incident.resolved']);

    const first = i.incident_updates[0];
    await clock.advance(1000);
    r = await api('PATCH', `/api/v1/incidents/${i.id}/updates/${first.id}`, { body: 'Edited: looking into it.', display_at: '2025-06-02T08:59:00+00:00' });
    expect(r.status).toBe(200);
    expect(r.body.incident_updates.at(-1)).toMatchObject({ id: first.id, body: 'Edited: looking into it.', display_at: '2025-06-02T08:59:00.000Z', created_at: start, updated_at: now() });
    expect((await api('PATCH', `/api/v1/incidents/${i.id}/updates/${first.id}`, { display_at: 'yesterday' })).status).toBe(400);

    const resolvedAt = r.body.resolved_at;
    r = await api('PUT', `/api/v1/incidents/${i.id}/postmortem`, { body: 'Root cause: **no disk alerts**.' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'postmortem', resolved_at: resolvedAt, postmortem_body: 'Root cause: **no disk alerts**.' });
    expect(r.body.incident_updates[0].status).toBe('postmortem');
    expect(await (await o.app.request(`/s/ops/incidents/${i.id}`)).text()).toContain('Root cause: <strong>no disk alerts</strong>.');

    const ids = async (q: string) => (await api('GET', `/api/v1/incidents${q}`)).body.data.map((x: any) => x.id);
    expect(await ids('?status=postmortem')).toContain(i.id);
    expect(await ids('?status=investigating')).not.toContain(i.id);
    expect(await ids('')).toContain(i.id);
    expect((await api('GET', '/api/v1/incidents?status=nope')).status).toBe(400);
    // Impact: the author's, or none when nothing is affected.
    expect(await incident({ page: 'ops', name: 'Slow emails', impact: 'minor', components: { [db.id]: 'major_outage' } })).toMatchObject({ impact: 'minor' });
    expect(await incident({ page: 'ops', name: 'Heads-up', status: 'identified' })).toMatchObject({ impact: 'none', components: [] });
  });

  it('an update on a lesser component does not lower the impact set by a worse one still affected', async () => {
    await page({ slug: 'imp', name: 'Impact' });
    const [a, b] = [await component({ page: 'imp', name: 'A' }), await component({ page: 'imp', name: 'B' })];
    const i = await incident({ page: 'imp', name: 'Outage', components: { [a.id]: 'major_outage' } });
    expect(i.impact).toBe('critical');
    const r = await api('POST', `/api/v1/incidents/${i.id}/updates`, { status: 'identified', body: 'B slow too.', components: { [b.id]: 'degraded_performance' } });
    expect(r.body.components.map((c: any) => c.status).sort()).toEqual(['degraded_performance', 'major_outage']);
    expect(r.body.impact).toBe('critical');
  });

  it('DELETE removes an incident and gives components back what the remaining incidents say', async () => {
    await page({ slug: 'del', name: 'Delete' });
    const c = await component({ page: 'del', name: 'Storage' });
    const x = await incident({ page: 'del', name: 'X', components: { [c.id]: 'major_outage' } });
    const y = await incident({ page: 'del', name: 'Y', components: { [c.id]: 'partial_outage' } });
    expect((await components('del')).Storage.status).toBe('major_outage');
    expect((await api('DELETE', `/api/v1/incidents/${x.id}`)).status).toBe(204);
    expect((await components('del')).Storage.status).toBe('partial_outage');
    expect((await api('GET', `/api/v1/incidents/${x.id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/incidents/${x.id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/incidents/${y.id}`)).status).toBe(204);
    expect((await components('del')).Storage.status).toBe('operational');
    expect((await api('GET', '/s/del/api/v2/incidents.json', undefined, null)).body.incidents).toEqual([]);
    // Every component status change is an event for webhook subscribers (reference §5), deletions included.
    expect(await events({ component: c.id })).toEqual(['component.updated', 'component.updated', 'component.updated']);
  });

  it('bad input → 400 {error:{code,message}} and nothing written', async () => {
    await page({ slug: 'val', name: 'Validation' });
    await page({ slug: 'val-other', name: 'Other' });
    const v1 = await component({ page: 'val', name: 'V1' });
    const vg = await component({ page: 'val', name: 'VG', group: true });
    const o1 = await component({ page: 'val-other', name: 'O1' });
    const open = await incident({ page: 'val', name: 'Open', components: { [v1.id]: 'partial_outage' } });
    const m = await created(api, '/api/v1/maintenances', { page: 'val', name: 'M', body: 'b', scheduled_for: '2025-07-01T10:00:00Z', scheduled_until: '2025-07-01T12:00:00Z', components: [v1.id] });
    const base = { page: 'val', name: 'Broken', status: 'investigating', body: 'Looking.', components: { [v1.id]: 'major_outage' } };
    const { body: _omitted, ...noBody } = base;
    const mb = { page: 'val', name: 'Window', body: 'b', scheduled_for: '2025-07-02T10:00:00Z', scheduled_until: '2025-07-02T12:00:00Z', components: [v1.id] };
    const onIncidents: Record<string, unknown> = {
      'bad status': { ...base, status: 'exploded' }, 'maintenance status on an incident': { ...base, status: 'in_progress' },
      'bad impact': { ...base, impact: 'catastrophic' }, 'maintenance impact on an incident': { ...base, impact: 'maintenance' },
      'unknown component': { ...base, components: { [v1.id]: 'major_outage', [randomUUID()]: 'major_outage' } },
      'component of another page': { ...base, components: { [v1.id]: 'major_outage', [o1.id]: 'major_outage' } },
      'group container': { ...base, components: { [vg.id]: 'major_outage' } }, 'empty name': { ...base, name: '' }, 'blank name': { ...base, name: '   ' },
      'missing body': noBody, 'bad component status': { ...base, components: { [v1.id]: 'on_fire' } }, 'components as a list': { ...base, components: [v1.id] }, 'not JSON': '{"name":',
    };
    const onUpdates: Record<string, unknown> = {
      'bad status': { status: 'fixed', body: 'x' }, 'maintenance status': { status: 'completed', body: 'x' }, 'missing body': { status: 'identified' },
      'unknown component': { status: 'identified', body: 'x', components: { [randomUUID()]: 'major_outage' } },
      'group container': { status: 'resolved', body: 'x', components: { [vg.id]: 'operational' } },
    };
    const onMaintenances: Record<string, unknown> = {
      'until before for': { ...mb, scheduled_until: '2025-07-02T09:00:00Z' }, 'until equals for': { ...mb, scheduled_until: mb.scheduled_for },
      'no offset': { ...mb, scheduled_for: '2025-07-02T10:00:00' }, 'unknown component': { ...mb, components: [randomUUID()] }, 'group container': { ...mb, components: [vg.id] },
    };
    const cases: [string, string, string, unknown][] = [
      ...Object.entries(onIncidents).map(([l, b]) => [`incident: ${l}`, 'POST', '/api/v1/incidents', b] as [string, string, string, unknown]),
      ...Object.entries(onUpdates).map(([l, b]) => [`update: ${l}`, 'POST', `/api/v1/incidents/${open.id}/updates`, b] as [string, string, string, unknown]),
      ...Object.entries(onMaintenances).map(([l, b]) => [`maintenance: ${l}`, 'POST', '/api/v1/maintenances', b] as [string, string, string, unknown]),
      ['maintenance update: incident status', 'POST', `/api/v1/incidents/${m.id}/updates`, { status: 'resolved', body: 'x' }],
      ['patch update: bad display_at', 'PATCH', `/api/v1/incidents/${open.id}/updates/${open.incident_updates[0].id}`, { display_at: '2025-13-01' }],
      ['patch component: bad status', 'PATCH', `/api/v1/components/${v1.id}`, { status: 'broken', name: 'renamed' }],
    ];
    await clock.advance(1000);
    for (const [label, method, path, body] of cases) {
      const before = await snapshot(t.db);
      const res = await api(method, path, body);
      expect(res.status, `${label}: ${res.text}`).toBe(400);
      expect(res.body.error, label).toEqual({ code: expect.stringMatching(/^(validation_failed|bad_request)$/), message: expect.any(String) });
      expect(await snapshot(t.db), label).toEqual(before);
    }
  });

  it('a PATCH of an update that does not exist is 404 and changes nothing (not even the page version or updated_at)', async () => {
    const i = (await api('GET', '/api/v1/incidents')).body.data.find((x: any) => x.name === 'Open');
    await clock.advance(1000);
    const before = await snapshot(t.db);
    expect((await api('PATCH', `/api/v1/incidents/${i.id}/updates/${randomUUID()}`, { body: 'x' })).status).toBe(404);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('keys: none → 401; a tenant key on the default page or on another tenant’s incident → 404, nothing written', async () => {
    for (const [method, path] of [['POST', '/api/v1/incidents'], ['GET', '/api/v1/incidents'], ['POST', '/api/v1/components'], ['GET', '/api/v1/pages']]) {
      expect((await api(method!, path!, method === 'POST' ? { name: 'x', status: 'investigating', body: 'x' } : undefined, null)).status).toBe(401);
      expect((await api(method!, path!, method === 'POST' ? { name: 'x' } : undefined, 'ovd_not_a_key')).body.error.code).toBe('unauthorized');
    }
    const gx = globex.api_key;
    await page({ slug: 'gx', name: 'GX' }, gx);
    const gxc = await component({ page: 'gx', name: 'GX API' }, gx);
    const adminComp = await component({ name: 'Default thing' });
    const adminIncident = await incident({ name: 'Default page incident' });
    const own = await incident({ page: 'gx', name: 'GX down', components: { [gxc.id]: 'major_outage' } }, gx);
    const before = await snapshot(t.db);
    const [adm, ownI, ini] = [`/api/v1/incidents/${adminIncident.id}`, `/api/v1/incidents/${own.id}`, initech.api_key];
    const window = { scheduled_for: '2025-07-01T10:00:00Z', scheduled_until: '2025-07-01T11:00:00Z' };
    const denied: [string, string, unknown, string][] = [
      ['POST', '/api/v1/incidents', { name: 'x', status: 'investigating', body: 'x' }, gx], ['POST', '/api/v1/incidents', { page: 'ops', name: 'x', status: 'investigating', body: 'x' }, gx],
      ['POST', '/api/v1/components', { name: 'x' }, gx], ['GET', '/api/v1/components', undefined, gx], ['POST', '/api/v1/maintenances', { name: 'x', body: 'x', ...window }, gx],
      ['PATCH', `/api/v1/components/${adminComp.id}`, { status: 'major_outage' }, gx], ['DELETE', `/api/v1/components/${adminComp.id}`, undefined, gx],
      ['GET', adm, undefined, gx], ['POST', `${adm}/updates`, { status: 'resolved', body: 'x' }, gx], ['PATCH', `${adm}/updates/${adminIncident.incident_updates[0].id}`, { body: 'x' }, gx],
      ['PUT', `${adm}/postmortem`, { body: 'x' }, gx], ['DELETE', adm, undefined, gx],
      ['GET', ownI, undefined, ini], ['POST', `${ownI}/updates`, { status: 'resolved', body: 'x' }, ini], ['DELETE', ownI, undefined, ini], ['PATCH', `/api/v1/components/${gxc.id}`, { name: 'mine' }, ini],
    ];
    for (const [method, path, body, key] of denied) {
      const res = await api(method, path, body, key);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(await snapshot(t.db)).toEqual(before);
    // The tenant's own page works, and its lists show only its own incidents.
    expect((await api('GET', `/api/v1/incidents/${own.id}`, undefined, gx)).status).toBe(200);
    expect((await api('GET', '/api/v1/incidents', undefined, gx)).body.data.map((x: any) => x.id)).toEqual([own.id]);
    expect((await api('GET', '/api/v1/incidents', undefined, initech.api_key)).body.data).toEqual([]);
    expect((await api('POST', '/api/v1/incidents', { page: 'gx', name: 'x', status: 'investigating', body: 'x', components: { [adminComp.id]: 'major_outage' } }, gx)).status).toBe(400);
  });

  it('maintenances: scheduled leaves components alone; in progress puts them under maintenance; completed restores them', async () => {
    await page({ slug: 'maint', name: 'Maintenance' });
    const [m1, m2, m3] = [await component({ page: 'maint', name: 'M1' }), await component({ page: 'maint', name: 'M2' }), await component({ page: 'maint', name: 'M3' })];
    const from = new Date(clock.now().getTime() + 3_600_000);
    const until = new Date(from.getTime() + 2 * 3_600_000);
    const m = await created(api, '/api/v1/maintenances', { page: 'maint', name: 'Database upgrade', body: 'Planned.', scheduled_for: from.toISOString(), scheduled_until: until.toISOString(), components: [m1.id, m2.id] });
    expect(m).toMatchObject({ status: 'scheduled', impact: 'maintenance', scheduled_for: from.toISOString(), scheduled_until: until.toISOString(), resolved_at: null });
    expect(m.incident_updates).toEqual([expect.objectContaining({ status: 'scheduled', affected_components: null })]);
    expect(m.components.map((c: any) => [c.id, c.status])).toEqual(expect.arrayContaining([[m1.id, 'operational'], [m2.id, 'operational']]));
    const statuses = async () => Object.values(await components('maint')).map((c: any) => c.status);
    const pub = async (path: string) => (await api('GET', `/s/maint/api/v2/${path}`, undefined, null)).body;
    expect(await statuses()).toEqual(['operational', 'operational', 'operational']);
    expect((await pub('summary.json')).status.indicator).toBe('none');
    expect((await pub('scheduled-maintenances/upcoming.json')).scheduled_maintenances.map((x: any) => x.id)).toEqual([m.id]);
    expect(await advanceMaintenances(t.db, clock.now())).toEqual({ started: 0, completed: 0 });

    await clock.set(new Date(from.getTime() + 60_000));
    expect(await advanceMaintenances(t.db, clock.now())).toEqual({ started: 1, completed: 0 });
    await o.pageCache.refreshVersions();
    expect(await statuses()).toEqual(['under_maintenance', 'under_maintenance', 'operational']);
    const summary = await pub('summary.json');
    expect(summary.status).toEqual({ indicator: 'maintenance', description: 'Service Under Maintenance' });
    expect(summary.scheduled_maintenances).toEqual([expect.objectContaining({ id: m.id, status: 'in_progress' })]);
    expect((await pub('scheduled-maintenances/active.json')).scheduled_maintenances[0].incident_updates[0]).toMatchObject({ status: 'in_progress', affected_components: expect.arrayContaining([expect.objectContaining({ code: m1.id, old_status: 'operational', new_status: 'under_maintenance' })]) });

    // The scheduler's incidents.maintenance job completes it once the window has passed.
    await clock.set(new Date(until.getTime() + 60_000));
    await o.scheduler.tick().then(() => o.scheduler.idle());
    expect(await statuses()).toEqual(['operational', 'operational', 'operational']);
    expect((await pub('summary.json')).status.indicator).toBe('none');
    expect((await pub('scheduled-maintenances.json')).scheduled_maintenances).toEqual([expect.objectContaining({ id: m.id, status: 'completed', resolved_at: expect.any(String) })]);
    expect(await events({ incident: m.id })).toEqual(['maintenance.scheduled', 'maintenance.started', 'maintenance.completed']);
    expect(await events({ component: m1.id })).toEqual(['component.updated', 'component.updated']);
    expect(await events({ component: m3.id })).toEqual([]);
  });

  it('markdown-lite on the public incident page: tags escaped, only http(s) links, bold and lists', async () => {
    await page({ slug: 'md', name: 'Markdown' });
    const body = ['<img src=x onerror=alert(1)>', '[x](javascript:alert(1)) and [docs](https://example.com/docs?a=1&b=2)', '**bold** text', '- first\n- second **b**'].join('\n\n');
    const i = await incident({ page: 'md', name: '<b onmouseover=alert(2)>Name</b>', body });
    const res = await o.app.request(`/s/md/incidents/${i.id}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toMatch(/<img|<b |onerror=alert\(1\)>|href\s*=\s*["']?\s*javascript:/i);
    for (const part of ['<p>&lt;img src=x onerror=alert(1)&gt;</p>', '[x](javascript:alert(1))', '<a href="https://example.com/docs?a=1&amp;b=2" rel="nofollow noopener">docs</a>', '<p><strong>bold</strong> text</p>', '<ul><li>first</li><li>second <strong>b</strong></li></ul>', '&lt;b onmouseover=alert(2)&gt;Name&lt;/b&gt;']) {
      expect(html).toContain(part);
    }
  });
});
