import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExpectation } from '../../src/expectations/define.js';
import { loadChecks } from '../../src/expectations/loader.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { billingSetup } from '../support/tenants.js';

/**
 * The console's expectations: the list failing first, an expectation's
 * results, failing rows per tenant with samples, remediation ledger and
 * "Evaluate now" (the admin for everyone, a tenant for itself), the hold of a
 * maintenance window; tenant scoping, read-only keys and CSRF.
 */
describe(`console expectations on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  let north: { id: string; api_key: string };
  let south: { id: string; api_key: string };
  let readOnly: string;
  let b: ReturnType<typeof billingSetup>;
  const results = async () => Number((await sql<{ n: number }>`select count(*)::int as n from expectation_results`.execute(t.db)).rows[0]!.n);

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock(new Date('2025-05-14T12:00:00Z'));
    const shipped = (await loadChecks('checks')).filter((c) => c.check.def.id === 'invoices-exist');
    // Every account without a top-up fails: rows per tenant, with the account's name in the sample.
    const unfunded = defineExpectation({
      id: 'accounts-funded',
      title: 'Every account is funded',
      scope: 'forEachTenant',
      kind: 'invariant',
      failing: () => sql`select a.tenant_id, a.id as account_id, a.name from accounts a where not exists (select 1 from ledger_accounts l where l.code = 'customer:' || a.id || ':prepaid')`,
    });
    const platform = defineExpectation({ id: 'platform-rows', title: 'Platform rows', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` });
    o = await drivenOverdue({ database: t, clock, checks: [...shipped, { file: 'accounts-funded.ts', check: unfunded }, { file: 'platform-rows.ts', check: platform }] });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    b = billingSetup(apiClient(o), admin);
    await clock.jump('2025-05-15T00:00:00Z');
    north = await b.tenant({ slug: 'northwind', name: 'Northwind Traders', timezone: 'UTC', currency: 'USD' });
    south = await b.tenant({ slug: 'southpole', name: 'Southpole Freight', timezone: 'UTC', currency: 'USD' });
    for (const [tenant, who] of [[north, 'Nora North'], [south, 'Sven Secret']] as const) {
      const account = await b.account(tenant.api_key, { name: who });
      await b.subscription(tenant.api_key, { account_id: account.id, amount: 100, interval: 'day', auto_renew: false });
    }
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: north.id, readOnly: true }, clock.now());
    await clock.jump('2025-05-15T02:05:00Z');
    for (const tenant of [north, south]) await b.run(tenant.api_key, '2025-05-15T02:00:00Z');
    // The runs of May 16 and 17 never happened, for either tenant.
    await clock.jump('2025-05-17T03:00:00Z');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('the admin evaluates now: failing rows per tenant with samples, failing first in the list, results timeline', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const before = await c.request('GET', '/console/expectations');
    expect(before.status).toBe(200);
    expect(before.text).toContain('<h1>Expectations</h1>');
    expect(before.text).toContain('not evaluated yet');
    const page = await c.request('GET', '/console/expectations/accounts-funded');
    expect(page.text).toContain('Not evaluated yet.');
    const csrf = c.csrf(page.text);
    const evaluated = await c.request('POST', '/console/expectations/accounts-funded/evaluate', { csrf });
    expect(evaluated.status).toBe(200);
    expect(evaluated.text).toContain('Evaluated at 2025-05-17 03:00 UTC: fail, 2 failing.');
    expect(evaluated.text).toContain('failing since 2025-05-17 03:00 UTC');
    expect(evaluated.text).toContain('northwind (Northwind Traders): 1');
    expect(evaluated.text).toContain('southpole (Southpole Freight): 1');
    expect(evaluated.text).toMatch(/name: Sven Secret/);
    expect(evaluated.text).toMatch(/<svg class="strip"[^>]*aria-label="1 recent results, 1 failing or broken/);
    expect(await results()).toBe(1);

    const list = await c.request('GET', '/console/expectations');
    const order = ['accounts-funded', 'invoices-exist', 'platform-rows'].map((id) => list.text.indexOf(`href="/console/expectations/${id}"`));
    expect(order[0]).toBeGreaterThan(0);
    expect(order[0]).toBeLessThan(order[1]!); // failing first
    expect(order[1]).toBeLessThan(order[2]!);
  });

  it('the admin repairs missing invoices: the remediation ledger names each tenant, the timeline shows fail then pass', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const page = await c.request('GET', '/console/expectations/invoices-exist');
    expect(page.text).toContain('No repairs were attempted.');
    const after = await c.request('POST', '/console/expectations/invoices-exist/evaluate', { csrf: c.csrf(page.text) });
    expect(after.text).toContain(': pass, 0 failing.');
    const ledger = after.text.slice(after.text.indexOf('<h2>Remediations</h2>'));
    expect(ledger.match(/northwind \(Northwind Traders\)/g)).toHaveLength(2);
    expect(ledger.match(/southpole \(Southpole Freight\)/g)).toHaveLength(2);
    expect(ledger).toContain('2025-05-16 02:00 UTC');
    expect(ledger).toContain('succeeded');
    const timeline = after.text.slice(after.text.indexOf('<h2>Results</h2>'), after.text.indexOf('<h2>Remediations</h2>'));
    expect([...timeline.matchAll(/<td>(api|reverify)<\/td>/g)].map((m) => m[1])).toEqual(['reverify', 'api']);
  });

  it('a tenant key sees its own rows only, never another tenant, and evaluates for itself without a shared result', async () => {
    const c = consoleClient(o);
    await c.signIn(north.api_key);
    const pages = [await c.request('GET', '/console/expectations'), await c.request('GET', '/console/expectations/accounts-funded'), await c.request('GET', '/console/expectations/invoices-exist')];
    for (const p of pages) {
      expect(p.status).toBe(200);
      for (const secret of ['southpole', 'Southpole', 'Sven Secret', south.id]) expect(p.text).not.toContain(secret);
    }
    expect(pages[0]!.text).not.toContain('platform-rows');
    expect(pages[1]!.text).toContain('northwind (Northwind Traders): 1');
    expect(pages[1]!.text).toContain('name: Nora North');
    expect(pages[2]!.text.match(/northwind \(Northwind Traders\)/g)).toHaveLength(2);
    expect((await c.request('GET', '/console/expectations/platform-rows')).status).toBe(404);

    const count = await results();
    const own = await c.request('POST', '/console/expectations/accounts-funded/evaluate', { csrf: c.csrf(pages[1]!.text) });
    expect(own.status).toBe(200);
    expect(own.text).toContain('Evaluated for your tenant at 2025-05-17 03:00 UTC: fail, 1 failing.');
    expect(await results()).toBe(count);
    expect((await c.request('POST', '/console/expectations/platform-rows/evaluate', { csrf: c.csrf(pages[1]!.text) })).status).toBe(404);
  });

  it('a read-only key sees no Evaluate button and gets 403 on POST; a POST without the CSRF token is 403', async () => {
    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    const page = await ro.request('GET', '/console/expectations/accounts-funded');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Evaluate now');
    const count = await results();
    expect((await ro.request('POST', '/console/expectations/accounts-funded/evaluate', { csrf: ro.csrf(page.text) })).status).toBe(403);

    const c = consoleClient(o);
    await c.signIn(admin);
    expect((await c.request('GET', '/console/expectations/accounts-funded')).text).toContain('Evaluate now');
    expect((await c.request('POST', '/console/expectations/accounts-funded/evaluate', {})).status).toBe(403);
    expect(await results()).toBe(count);
  });

  it('says when a maintenance window holds the expectation (admin), and hostile ids are a 404', async () => {
    // The window's end as evaluation records it (service.ts: state.silenced_until), set here directly.
    await t.db.updateTable('expectation_states').set({ silenced_until: new Date('2025-05-17T05:00:00Z') }).where('expectation_id', '=', 'accounts-funded').execute();
    const c = consoleClient(o);
    await c.signIn(admin);
    expect((await c.request('GET', '/console/expectations/accounts-funded')).text).toContain('Held by a maintenance window until 2025-05-17 05:00 UTC');
    expect((await c.request('GET', '/console/expectations/invoices-exist')).text).not.toContain('Held by a maintenance window');
    expect((await c.request('GET', `/console/expectations/${'x'.repeat(300)}`)).status).toBe(404);
    expect((await c.request('GET', '/console/expectations/%3Cscript%3E')).status).toBe(404);
  });

  it('the overview counts failing expectations with their tenants and slots (a tenant: its own slots), linking to the failing ones', async () => {
    const tile = (text: string) => text.match(/<a href="\/console\/expectations\?state=failing"><b>(\d+)<\/b> ([^<]*)<\/a>/)?.slice(1);
    const c = consoleClient(o);
    await c.signIn(admin);
    // accounts-funded fails for both tenants, one account each; invoices-exist was repaired.
    expect(tile((await c.request('GET', '/console')).text)).toEqual(['1', 'failing expectations · 2 tenants · 2 slots']);
    // Two more unfunded accounts for northwind: its part weighs three.
    for (const name of ['Nils North', 'Nina North']) await b.account(north.api_key, { name });
    const page = await c.request('GET', '/console/expectations/accounts-funded');
    await c.request('POST', '/console/expectations/accounts-funded/evaluate', { csrf: c.csrf(page.text) });
    expect(tile((await c.request('GET', '/console')).text)).toEqual(['1', 'failing expectations · 2 tenants · 4 slots']);

    const failing = await c.request('GET', '/console/expectations?state=failing');
    expect(failing.text).toContain('href="/console/expectations/accounts-funded"');
    expect(failing.text).not.toContain('href="/console/expectations/invoices-exist"');
    expect(failing.text).toMatch(/<a href="\/console\/expectations\?state=failing" aria-current="page">failing \(1\)<\/a>/);
    expect((await c.request('GET', '/console/expectations')).text).toContain('href="/console/expectations/invoices-exist"');

    for (const [tenant, expected] of [[north, '3 slots'], [south, '1 slot']] as const) {
      const mine = consoleClient(o);
      await mine.signIn(tenant.api_key);
      expect(tile((await mine.request('GET', '/console')).text)).toEqual(['1', `failing expectations · ${expected}`]);
    }
  });
});
