import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordSignal } from '../../src/signals/index.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { apiClient, created, type Api } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { checkSource, expectationSource, snapshot } from './fixture.js';

// Which sources a component may list: a tenant its own checks and the expectations evaluated for
// every tenant; the platform's sources only with the admin key; a group none. Anything else is a
// 400 and nothing is written (and another tenant's check is "unknown": its existence is not told).
describe(`component sources are checked on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let api: Api;
  let admin: string;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  const src: Record<string, string> = {};
  const clock = new ManualClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    t = await testDatabase();
    o = await drivenOverdue({ database: t, clock });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o, () => admin);
    acme = await newTenant(api, 'acme');
    globex = await newTenant(api, 'globex');
    await created(api, '/api/v1/pages', { slug: 'acme-status', name: 'Acme' }, acme.api_key);
    await created(api, '/api/v1/pages', { slug: 'globex-status', name: 'Globex' }, globex.api_key);
    src.acme = await checkSource(t.db, acme.id, 'acme api', clock.now());
    src.globex = await checkSource(t.db, globex.id, 'globex api', clock.now());
    src.platform = await checkSource(t.db, null, 'platform scheduler', clock.now());
    src.everyTenant = await expectationSource(t.db, 'invoices-exist', 'forEachTenant', clock.now());
    src.platformWide = await expectationSource(t.db, 'ledger-balanced', 'platform', clock.now());
  });
  afterAll(async () => void (await o?.stop(), await t?.close()));

  it('refused with 400, nothing written: foreign, platform (tenant key), on a group, unknown, archived', async () => {
    const group = await created(api, '/api/v1/components', { page: 'acme-status', name: 'Platform', group: true }, acme.api_key);
    const own = await created(api, '/api/v1/components', { page: 'acme-status', name: 'API', sources: [src.acme] }, acme.api_key);
    await t.db.updateTable('expectations').set({ archived_at: clock.now() }).where('id', '=', 'ledger-balanced').execute();
    const archived = 'expectation:ledger-balanced';
    const cases: [string, string, string, Record<string, unknown>, string][] = [
      ['another tenant’s check', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [src.globex] }, acme.api_key],
      ['one foreign among own', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [src.acme, src.globex] }, acme.api_key],
      ['a platform check with a tenant key', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [src.platform] }, acme.api_key],
      ['an archived expectation', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [archived] }, acme.api_key],
      ['sources on a new group', 'POST', '/api/v1/components', { page: 'acme-status', name: 'G', group: true, sources: [src.acme] }, acme.api_key],
      ['sources on a new group (admin)', 'POST', '/api/v1/components', { page: 'acme-status', name: 'G', group: true, sources: [src.platform] }, admin],
      ['another tenant’s check on this tenant’s page (admin)', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [src.globex] }, admin],
      ['patch: another tenant’s check', 'PATCH', `/api/v1/components/${own.id}`, { name: 'Renamed', sources: [src.globex] }, acme.api_key],
      ['patch: a platform check', 'PATCH', `/api/v1/components/${own.id}`, { sources: [src.acme, src.platform] }, acme.api_key],
      ['101 sources (a size limit before any lookup: the same own check 101 times)', 'POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: Array(101).fill(src.acme) }, acme.api_key],
      ['patch: sources on a group', 'PATCH', `/api/v1/components/${group.id}`, { sources: [src.acme] }, acme.api_key],
    ];
    for (const [label, method, path, body, key] of cases) {
      const before = await snapshot(t.db);
      const res = await api(method, path, body, key);
      expect(res.status, `${label}: ${res.text}`).toBe(400);
      expect(res.body.error.code, label).toBe('validation_failed');
      expect(await snapshot(t.db), label).toEqual(before);
    }
    // Another tenant's check reads as unknown: a probe learns nothing about it.
    const probe = await api('POST', '/api/v1/components', { page: 'acme-status', name: 'X', sources: [src.globex] }, acme.api_key);
    expect(probe.body.error.message).toBe(`unknown source ${src.globex}`);
    await t.db.updateTable('expectations').set({ archived_at: null }).where('id', '=', 'ledger-balanced').execute();
  });

  it('accepted: a tenant its own checks and every-tenant expectations; the admin the platform’s sources', async () => {
    const mine = await created(api, '/api/v1/components', { page: 'acme-status', name: 'Billing', sources: [src.acme, src.everyTenant] }, acme.api_key);
    expect([...mine.sources].sort()).toEqual([src.acme, src.everyTenant].sort());
    const platform = await created(api, '/api/v1/components', { name: 'Scheduler', sources: [src.platform, src.platformWide] }, admin);
    expect([...platform.sources].sort()).toEqual([src.platform, src.platformWide].sort());
    // The admin key may also put a tenant's own check on that tenant's page.
    expect((await created(api, '/api/v1/components', { page: 'globex-status', name: 'API', sources: [src.globex] }, admin)).sources).toEqual([src.globex]);
  });

  it('an every-tenant expectation reaches a tenant’s page only when that tenant is among the failing', async () => {
    const unresolved = async (slug: string) => (await api('GET', `/s/${slug}/api/v2/incidents/unresolved.json`, undefined, null)).body.incidents as { name: string }[];
    const signal = async (kind: 'failing' | 'recovered', tenantId: string | null, tenants: string[]) => {
      await recordSignal(t.db, { source: src.everyTenant!, kind, tenantId, component: 'billing', severity: 'major', summary: 'x', evidence: { tenants: tenants.map((id) => ({ id, slug: null, count: 1 })) }, likelyCause: null }, clock.now());
      await o.incidents.tick();
      await o.pageCache.refreshVersions();
    };
    await signal('failing', globex.id, [globex.id]);
    expect(await unresolved('acme-status')).toEqual([]);
    await signal('recovered', null, []);
    await clock.advance(2 * 3_600_000);
    await signal('failing', null, [globex.id, acme.id]);
    expect((await unresolved('acme-status')).map((i) => i.name)).toEqual(['Partial outage: Billing']);
    expect(await unresolved('globex-status')).toEqual([]); // globex's page does not list it (yet)
    await signal('recovered', null, []);
    expect(await unresolved('acme-status')).toEqual([]);

    // Listed on both tenants' pages: each page gets its own incident (a source holds one open incident per page).
    await created(api, '/api/v1/components', { page: 'globex-status', name: 'Invoicing', sources: [src.everyTenant] }, globex.api_key);
    await clock.advance(2 * 3_600_000);
    await signal('failing', null, [globex.id, acme.id]);
    expect((await unresolved('acme-status')).map((i) => i.name)).toEqual(['Partial outage: Billing']);
    expect((await unresolved('globex-status')).map((i) => i.name)).toEqual(['Partial outage: Invoicing']);
    await signal('recovered', null, []);
    expect(await unresolved('acme-status')).toEqual([]);
    expect(await unresolved('globex-status')).toEqual([]);
    // Failing again soon after: each page reopens its own incident.
    await clock.advance(10 * 60_000);
    await signal('failing', null, [globex.id]);
    expect(await unresolved('acme-status')).toEqual([]);
    expect((await unresolved('globex-status')).map((i) => i.name)).toEqual(['Partial outage: Invoicing']);
    expect(await t.db.selectFrom('incidents').select('id').where('automatic', '=', true).execute()).toHaveLength(3);
  });
});
