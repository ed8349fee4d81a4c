import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChecks } from '../../src/expectations/loader.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { consoleClient } from '../support/console.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, ok, type Api } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { billingSetup } from '../support/tenants.js';

const NBSP = '\u00a0';

/**
 * The console's billing: a tenant key sees its accounts with balances and
 * open invoices, invoices by status (paginated), the missing-invoice
 * expectation beside them and its notices, in its currency, locale and zone;
 * the admin key sees the tenants and opens each; no tenant sees another.
 */
describe(`console billing on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let api: Api;
  let admin: string;
  let acme: { id: string; api_key: string };
  let kanto: { id: string; api_key: string };
  let readOnly: string;

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
    o = await drivenOverdue({ database: t, clock, checks: (await loadChecks('checks')).filter((c) => c.check.def.id === 'invoices-exist') });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    api = apiClient(o);
    const b = billingSetup(api, admin);
    acme = await b.tenant({ slug: 'acme-eu', name: 'Acme Europe GmbH', timezone: 'Europe/Berlin', currency: 'EUR' });
    kanto = await b.tenant({ slug: 'kanto-jp', name: 'Kanto Trading KK', timezone: 'Asia/Tokyo', currency: 'JPY' });
    readOnly = await insertApiKey(t.db, { kind: 'tenant', tenantId: acme.id, readOnly: true }, clock.now());
    const alice = await b.account(acme.api_key, { name: 'Alice Prepaid' });
    await b.topUp(acme.api_key, alice.id, 5000, 'psp-1');
    await b.subscription(acme.api_key, { account_id: alice.id, amount: 1999, interval: 'day', auto_renew: true });
    // 51 unfunded customers (auto-pay on): their invoices stay open with a notice each, more than a page of both.
    for (let i = 0; i < 51; i++) {
      const a = await b.account(acme.api_key, { name: `Bulk ${String(i).padStart(2, '0')}` });
      await b.subscription(acme.api_key, { account_id: a.id, amount: 1000, interval: 'day', auto_renew: true });
    }
    const kenji = await b.account(kanto.api_key, { name: 'Kenji Hidden' });
    await b.topUp(kanto.api_key, kenji.id, 3000, 'psp-2');
    await b.subscription(kanto.api_key, { account_id: kenji.id, amount: 1500, interval: 'day', auto_renew: true });
    await clock.jump('2026-12-01T17:05:00Z');
    await b.run(acme.api_key, '2026-12-01T01:00:00Z');
    await b.run(kanto.api_key, '2026-12-01T17:00:00Z');
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it("a tenant key sees its accounts, balances, open invoices and notices in its currency and zone; never another tenant's", async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const page = await c.request('GET', '/console/billing');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Billing: Acme Europe GmbH</h1>');
    expect(page.text).toContain('times in Europe/Berlin');
    // Alice paid her first day from her balance: 50,00 € − 19,99 €.
    expect(page.text).toMatch(new RegExp(`<td>Alice Prepaid</td><td>[^<]*</td><td>30,01${NBSP}€</td><td>0</td><td>0,00${NBSP}€</td>`));
    expect(page.text).toMatch(new RegExp(`<td>Bulk 00</td><td>[^<]*</td><td>0,00${NBSP}€</td><td>1</td><td>10,00${NBSP}€</td>`));
    expect(page.text).toContain('>open (51)<');
    expect(page.text).toContain('>paid (1)<');
    expect(page.text).toContain('>all (52)<');
    const notices = (html: string) => [...html.slice(html.indexOf('<h2 id="notices">')).matchAll(/<tr><td>[^<]+<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([a-z]+)<\/td><\/tr>/g)].map((m) => `${m[1]}: ${m[2]}`);
    const firstNotices = notices(page.text);
    expect(firstNotices).toHaveLength(50);
    const more = /<a href="([^"]+)">More notices<\/a>/.exec(page.text)![1]!.replaceAll('&amp;', '&');
    const all = [...firstNotices, ...notices((await c.request('GET', more)).text)];
    expect(all).toHaveLength(52);
    expect(all).toContain('receipt: Alice Prepaid');
    expect(all.filter((n) => n.startsWith('insufficient balance: Bulk '))).toHaveLength(51);
    expect(page.text).toContain('Every due invoice exists</a>:  not evaluated yet.');
    for (const secret of ['kanto', 'Kanto', 'Kenji', '¥', kanto.id]) expect(page.text).not.toContain(secret);
    expect((await c.request('GET', `/console/billing/tenants/${kanto.id}`)).status).toBe(404);
    expect((await c.request('GET', `/console/billing/tenants/${acme.id}`)).status).toBe(200);
  });

  it('invoices filter by status and page through, 50 at a time', async () => {
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const paid = await c.request('GET', '/console/billing?status=paid');
    const invoices = (html: string) => [...html.slice(html.indexOf('<h2 id="invoices">'), html.indexOf('<h2 id="notices">')).matchAll(/<tr><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([^<]+)<\/td><td>([a-z]+)<\/td>/g)].map((m) => ({ account: m[2], amount: m[3], status: m[4] }));
    expect(invoices(paid.text)).toEqual([{ account: 'Alice Prepaid', amount: `19,99${NBSP}€`, status: 'paid' }]);
    const open = await c.request('GET', '/console/billing?status=open');
    const first = invoices(open.text);
    expect(first).toHaveLength(50);
    expect(first.every((i) => i.status === 'open')).toBe(true);
    const next = /<a href="([^"]+)" rel="next">More invoices<\/a>/.exec(open.text)![1]!.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/console\/billing\?status=open&after=/);
    const second = invoices((await c.request('GET', next)).text);
    expect(second).toHaveLength(1);
    expect(new Set([...first, ...second].map((i) => i.account)).size).toBe(51);
    // A mangled cursor or status is client input: the first page of everything.
    expect(invoices((await c.request('GET', '/console/billing?status=%3Cb%3E&after=garbage')).text)).toHaveLength(50);
  });

  it('shows the missing-invoice expectation for the tenant beside its invoices once evaluated', async () => {
    await clock.jump('2026-12-02T03:00:00Z');
    // Day 2 was never run for acme: the admin's evaluation finds and repairs it.
    await ok(api('POST', '/api/v1/expectations/invoices-exist/evaluate', {}, admin));
    const c = consoleClient(o);
    await c.signIn(acme.api_key);
    const page = await c.request('GET', '/console/billing');
    expect(page.text).toMatch(/href="\/console\/expectations\/invoices-exist">Every due invoice exists<\/a>: <span class="state s-up"><span aria-hidden="true">✓<\/span> pass<\/span> 0 missing, evaluated 2 December 2026 at 04:00 CET\./);
  });

  it('the admin key lists the tenants and opens each one; a read-only key sees no buttons', async () => {
    const c = consoleClient(o);
    await c.signIn(admin);
    const list = await c.request('GET', '/console/billing');
    expect(list.text).toContain('<h1>Billing: tenants</h1>');
    expect(list.text).toContain(`<td><a href="/console/billing/tenants/${acme.id}">acme-eu</a></td><td>Acme Europe GmbH</td><td>EUR</td><td>Europe/Berlin</td><td>52</td><td>102</td>`);
    expect(list.text).toContain(`<td><a href="/console/billing/tenants/${kanto.id}">kanto-jp</a></td><td>Kanto Trading KK</td><td>JPY</td><td>Asia/Tokyo</td><td>1</td><td>0</td>`);
    const kantoPage = await c.request('GET', `/console/billing/tenants/${kanto.id}`);
    expect(kantoPage.text).toContain('<h1>Billing: Kanto Trading KK</h1>');
    expect(kantoPage.text).toMatch(/<td>Kenji Hidden<\/td><td>[^<]*<\/td><td>¥1,500<\/td>/);
    expect(kantoPage.text).not.toContain('Acme');

    const ro = consoleClient(o);
    await ro.signIn(readOnly);
    const page = await ro.request('GET', '/console/billing');
    expect(page.status).toBe(200);
    expect([...page.text.matchAll(/<form /g)]).toHaveLength(1); // sign out only
  });
});
