/// <reference lib="dom" />
/**
 * The console's expectations, billing and deliveries pages in a real browser
 * (Debian chromium through playwright-core): the admin clicks "Evaluate now"
 * and sees the new result; axe-core finds no violation at all on the three
 * pages (and an expectation's page), as the admin and as a tenant, in light
 * and dark.
 */
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExpectation } from '../../src/expectations/define.js';
import { listen, type Listening } from '../../src/http/server.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { axeViolations, consolePage, hasChromium, launchChromium } from '../support/browser.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, created } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';
import { billingSetup } from '../support/tenants.js';


describe.skipIf(!hasChromium)(`console expectations, billing and deliveries in chromium on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let http: Listening;
  let browser: Browser;
  let base: string;
  let admin: string;
  let tenant: { id: string; api_key: string };

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));
    const unfunded = defineExpectation({
      id: 'accounts-funded',
      title: 'Every account is funded',
      scope: 'forEachTenant',
      kind: 'invariant',
      failing: () => sql`select a.tenant_id, a.id as account_id, a.name from accounts a where not exists (select 1 from ledger_accounts l where l.code = 'customer:' || a.id || ':prepaid')`,
    });
    o = await drivenOverdue({ database: t, clock, checks: [{ file: 'accounts-funded.ts', check: unfunded }], env: { PUBLIC_URL: 'http://127.0.0.1', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${http.port}`;
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    const b = billingSetup(api, admin);
    tenant = await b.tenant({ slug: 'acme', name: 'Acme GmbH', timezone: 'Europe/Berlin', currency: 'EUR' });
    const funded = await b.account(tenant.api_key, { name: 'Funded Customer' });
    await b.topUp(tenant.api_key, funded.id, 5000, 'psp-1');
    await b.subscription(tenant.api_key, { account_id: funded.id, amount: 1999, interval: 'day', auto_renew: true });
    const unpaid = await b.account(tenant.api_key, { name: 'Unfunded Customer' });
    await b.subscription(tenant.api_key, { account_id: unpaid.id, amount: 1000, interval: 'day', auto_renew: true });
    await clock.jump('2026-12-01T01:05:00Z');
    await b.run(tenant.api_key, '2026-12-01T01:00:00Z');
    // Deliveries to list: a webhook subscriber's, one of them given up (dead) so its Retry renders.
    await created(api, '/api/v1/pages', { slug: 'ops', name: 'Ops' });
    for (const path of ['/a', '/b']) await created(api, '/api/v1/pages/ops/webhooks', { url: `${base}${path}` });
    await created(api, '/api/v1/incidents', { page: 'ops', name: 'Ops failing', status: 'investigating', impact: 'major', body: 'Looking.' });
    await o.fanOut();
    await t.db.updateTable('deliveries').set({ state: 'dead', attempts: 9, last_error: 'answered 500' }).where('id', '=', (await t.db.selectFrom('deliveries').select('id').limit(1).executeTakeFirstOrThrow()).id).execute();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close(1000);
    await o?.stop();
    await t?.close();
  });

  const signedInPage = (key: string): Promise<Page> => consolePage(browser, base, key);

  it('the admin clicks "Evaluate now" and sees the new result', async () => {
    const page = await signedInPage(admin);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Expectations' }).click();
    await page.waitForURL(`${base}/console/expectations`);
    await page.getByRole('link', { name: 'Every account is funded' }).click();
    await page.waitForURL(`${base}/console/expectations/accounts-funded`);
    expect(await page.getByText('Not evaluated yet.').count()).toBe(1);
    await page.getByRole('button', { name: 'Evaluate now' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toBe('Evaluated at 2026-12-01 01:05 UTC: fail, 1 failing.');
    const rows = page.locator('table').first().locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('fail');
    expect(await page.getByRole('region', { name: 'Failing rows of acme (Acme GmbH)' }).textContent()).toContain('name: Unfunded Customer');
    expect(await page.getByRole('img', { name: /1 recent results, 1 failing/ }).count()).toBe(1);
    // Again: a second result on top.
    await page.getByRole('button', { name: 'Evaluate now' }).click();
    await page.waitForLoadState();
    expect(await page.locator('table').first().locator('tbody tr').count()).toBe(2);
    await page.context().close();
  });

  it('axe-core finds no violation on the expectations, billing and deliveries pages, light and dark', async () => {
    const audit = async (p: Page, path: string) => {
      const res = await p.goto(`${base}${path}`);
      expect(res?.status(), path).toBe(200);
      // Every violation, whatever its impact.
      return (await axeViolations(p)).map((v) => `${path}: ${v.id} (${v.impact}) ${v.help}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    };
    const adminPage = await signedInPage(admin);
    const tenantPage = await signedInPage(tenant.api_key);
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await adminPage.emulateMedia({ colorScheme: scheme });
      await tenantPage.emulateMedia({ colorScheme: scheme });
      for (const path of ['/console/expectations', '/console/expectations/accounts-funded', '/console/billing', `/console/billing/tenants/${tenant.id}`, '/console/deliveries', '/console/deliveries?state=dead', '/console']) {
        found.push(...(await audit(adminPage, path)).map((f) => `[${scheme} admin] ${f}`));
      }
      for (const path of ['/console/expectations', '/console/expectations/accounts-funded', '/console/billing', '/console']) {
        found.push(...(await audit(tenantPage, path)).map((f) => `[${scheme} tenant] ${f}`));
      }
    }
    // The pages audited are the real ones: the dead delivery's Retry and the tenant's accounts are on them.
    await adminPage.goto(`${base}/console/deliveries?state=dead`);
    expect(await adminPage.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    await tenantPage.goto(`${base}/console/billing`);
    expect(await tenantPage.getByRole('cell', { name: 'Unfunded Customer' }).count()).toBeGreaterThan(0);
    await adminPage.context().close();
    await tenantPage.context().close();
    expect(found).toEqual([]);
  }, 180_000);
});
