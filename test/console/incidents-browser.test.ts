/// <reference lib="dom" />
/**
 * The console's incidents in a real browser (Debian chromium through
 * playwright-core), with real clicks: sign in with a tenant key, compose an
 * incident on two components, preview it, publish it, see it on the public
 * page, resolve it. The composer is also filled in and submitted with the
 * keyboard only. axe-core runs on every console page the keys reach, in
 * light and dark: no serious or critical violation.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/http/server.js';
import { apiClient, created } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { axeViolations, hasChromium, launchChromium, repoRoot, seriousViolations, writeAtomically } from '../support/browser.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';



describe.skipIf(!hasChromium)(`console incidents in chromium on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let http: Listening;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let admin: string;
  let tenant: { id: string; api_key: string };
  let checkId: string;

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: { PUBLIC_URL: 'http://127.0.0.1' } });
    http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${http.port}`;
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'acme');
    const check = await fetch(`${base}/api/v3/checks/`, { method: 'POST', headers: { 'x-api-key': tenant.api_key, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'api-probe', timeout: 60, grace: 60 }) }).then((r) => r.json() as Promise<{ uuid: string }>);
    checkId = check.uuid;
    await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status', time_zone: 'Europe/Berlin' }, tenant.api_key);
    await created(api, '/api/v1/components', { page: 'acme', name: 'API', sources: [`check:${checkId}`] }, tenant.api_key);
    for (const name of ['Website', 'Mail']) await created(api, '/api/v1/components', { page: 'acme', name }, tenant.api_key);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
    // Confirmation dialogs (the console's small script) are accepted.
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close(1000);
    await o?.stop();
    await t?.close();
  });

  async function signIn(p: Page, key: string) {
    await p.goto(`${base}/console/login`);
    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${base}/console`);
  }

  const h1 = (p: Page) => p.getByRole('heading', { level: 1 }).textContent();

  it('composes an incident on two components, previews, publishes, sees it on the public page, resolves it', async () => {
    await signIn(page, tenant.api_key);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Incidents' }).click();
    await page.waitForURL(`${base}/console/incidents`);
    await page.getByRole('link', { name: 'Write an incident' }).click();
    await page.waitForURL(`${base}/console/incidents/new`);
    await page.getByLabel('Name').fill('Checkout errors');
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Identified' });
    await page.getByLabel(/^API/).selectOption({ label: 'Partial outage' });
    await page.getByLabel(/^Website/).selectOption({ label: 'Degraded performance' });
    await page.getByLabel(/^Message/).fill('Payments **fail** for some customers.\n\n- EU first\n- then US');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForLoadState();
    const preview = page.getByRole('region', { name: 'Preview' });
    expect(await preview.locator('strong').textContent()).toBe('fail');
    expect(await preview.locator('li').count()).toBe(2);
    // The preview keeps what was typed and chosen.
    expect(await page.getByLabel('Name').inputValue()).toBe('Checkout errors');
    expect(await page.getByLabel(/^API/).inputValue()).toBe('partial_outage');
    // The composer with its preview, light and dark; the README's pictures are refreshed on request only.
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const shot = await page.screenshot({ type: 'png', fullPage: true });
      writeAtomically(join(repoRoot, 'test/artifacts', `console-composer-${scheme}.${backend}.png`), shot);
      if (process.env.UPDATE_SCREENSHOTS === '1' && backend === 'pglite') writeAtomically(join(repoRoot, `docs/screenshots/console-composer-${scheme}.png`), shot);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Publish incident' }).click();
    await page.waitForURL(/\/console\/incidents\/[0-9a-f-]{36}$/);
    expect(await h1(page)).toBe('Checkout errors');
    expect(await page.locator('dl.facts').textContent()).toContain('Identified');
    // incident → component → the check it follows
    expect(await page.getByRole('link', { name: 'check api-probe' }).getAttribute('href')).toBe(`/console/checks/${checkId}`);

    await page.getByRole('link', { name: 'this incident on the public page' }).click();
    await page.waitForURL(/\/s\/acme\/incidents\/[0-9a-f-]{36}$/);
    expect(await page.textContent('body')).toContain('Checkout errors');
    await page.goto(`${base}/s/acme`);
    const publicText = (await page.textContent('body')) ?? '';
    expect(publicText).toContain('Checkout errors');
    expect(publicText).toMatch(/Partial outage/i);
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/\/console\/incidents\/[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.waitForLoadState();
    expect(await page.locator('dl.facts').textContent()).toContain('Resolved');
    const summary = (await (await fetch(`${base}/s/acme/api/v2/summary.json`)).json()) as { incidents: unknown[]; components: { status: string }[] };
    expect(summary.incidents).toHaveLength(0);
    expect(summary.components.every((c) => c.status === 'operational')).toBe(true);
  });

  it('fills in and submits the composer with the keyboard only', async () => {
    await page.goto(`${base}/console/incidents/new`);
    const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
    const tabTo = async (id: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if ((await focused()) === id) return;
      }
      throw new Error(`Tab never reached #${id}`);
    };
    await tabTo('name');
    await page.keyboard.type('Mail delayed');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('status');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('impact');
    await page.keyboard.press('Tab'); // API
    await page.keyboard.press('Tab'); // Website
    await page.keyboard.press('Tab'); // Mail
    expect(await page.evaluate(() => document.activeElement?.closest('p')?.querySelector('label')?.textContent ?? '')).toMatch(/^Mail/);
    await page.keyboard.type('Major'); // picks "Major outage" by typing, as a keyboard user does
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('body');
    await page.keyboard.type('Mail is queued; nothing is lost.');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('deliver');
    await page.keyboard.press('Space'); // no notifications for this one
    await page.keyboard.press('Tab'); // Preview
    await page.keyboard.press('Tab'); // Publish incident
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Publish incident');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/incidents\/[0-9a-f-]{36}$/);
    expect(await h1(page)).toBe('Mail delayed');
    const summary = (await (await fetch(`${base}/s/acme/api/v2/summary.json`)).json()) as { incidents: { name: string }[]; components: { name: string; status: string }[] };
    expect(summary.incidents.map((i) => i.name)).toEqual(['Mail delayed']);
    expect(summary.components.find((c) => c.name === 'Mail')?.status).toBe('major_outage');
    const incidentId = /([0-9a-f-]{36})$/.exec(page.url())![1]!;
    const api = await fetch(`${base}/api/v1/incidents/${incidentId}`, { headers: { 'x-api-key': tenant.api_key } }).then((r) => r.json() as Promise<{ incident_updates: { deliver_notifications?: boolean }[] }>);
    expect(api.incident_updates).toHaveLength(1);
  });

  it('axe-core finds no serious or critical violation on any console page, light and dark', async () => {
    // A draft and a maintenance, so their pages and sections render too.
    await page.goto(`${base}/console/incidents/new`);
    await page.getByLabel('Name').fill('Draft: search slow');
    await page.getByLabel(/^Message/).fill('Maybe.');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/console\/incidents\/[0-9a-f-]{36}$/);
    const draftPath = new URL(page.url()).pathname;
    await page.goto(`${base}/console/maintenances`);
    await page.getByLabel('Name').fill('Database upgrade');
    await page.getByLabel('Starts').fill('2026-12-10T22:00');
    await page.getByLabel('Ends').fill('2026-12-10T23:00');
    await page.getByLabel('Website').check();
    await page.getByLabel(/^Message/).fill('Short read-only window.');
    await page.getByRole('button', { name: 'Schedule maintenance' }).click();
    await page.waitForURL(/\/console\/maintenances\/[0-9a-f-]{36}$/);
    const maintenancePath = new URL(page.url()).pathname;
    await page.goto(`${base}/console/incidents`);
    const incidentPath = (await page.getByRole('link', { name: 'Checkout errors' }).getAttribute('href'))!;

    const audit = async (p: Page, path: string) => {
      await p.goto(`${base}${path}`);
      return seriousViolations(p, path);
    };

    const tenantPages = ['/console', '/console/checks', `/console/checks/${checkId}`, '/console/channels', '/console/incidents', incidentPath, draftPath, '/console/incidents/new', '/console/maintenances', maintenancePath];
    const adminContext = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    const jobKey = decodeURIComponent(((await (await adminPage.goto(`${base}/console/jobs`))!.text()).match(/href="\/console\/jobs\/([^"]+)"/) ?? [])[1] ?? '');
    expect(jobKey).not.toBe('');
    const adminPages = ['/console/jobs', `/console/jobs/${encodeURIComponent(jobKey)}`, '/console/incidents'];

    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await adminPage.emulateMedia({ colorScheme: scheme });
      for (const path of tenantPages) found.push(...(await audit(page, path)).map((f) => `[${scheme}] ${f}`));
      for (const path of adminPages) found.push(...(await audit(adminPage, path)).map((f) => `[${scheme} admin] ${f}`));
    }
    await adminContext.close();
    const loginContext = await browser.newContext();
    const login = await loginContext.newPage();
    found.push(...(await audit(login, '/console/login')));
    // The audit can fail: an unlabelled field and low contrast added to the page are reported.
    await login.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input name="x"><p style="color:#bbb;background:#fff">faint</p>'));
    const planted = (await axeViolations(login)).map((v) => v.id);
    expect(planted).toEqual(expect.arrayContaining(['label', 'color-contrast']));
    await loginContext.close();
    expect(found).toEqual([]);
  }, 180_000);
});
