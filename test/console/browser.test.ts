/// <reference lib="dom" />
/**
 * The console in a real browser (Debian chromium through playwright-core),
 * with real clicks: sign in with a tenant key, see the down check at the top,
 * open it and read its ping log, pause and resume it, sign out (the old
 * cookie is refused). Screenshots go to test/artifacts/ (the README's are taken by `npm run bench -- console`), so a test run leaves the tree clean.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/http/server.js';
import { apiClient } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { hasChromium, launchChromium, repoRoot, writeAtomically } from '../support/browser.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';



describe.skipIf(!hasChromium)(`console in chromium on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let http: Listening;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let tenant: { id: string; api_key: string };

  beforeAll(async () => {
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    o = await drivenOverdue({ database: t, clock, env: { PUBLIC_URL: 'http://127.0.0.1' } });
    http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${http.port}`;
    const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    tenant = await newTenant(apiClient(o, () => admin), 'acme');
    const v3 = (body: unknown) =>
      fetch(`${base}/api/v3/checks/`, { method: 'POST', headers: { 'x-api-key': tenant.api_key, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ uuid: string }>);
    const backup = await v3({ name: 'nightly-backup', tags: 'prod db', timeout: 60, grace: 60 });
    for (const name of ['billing-export', 'search-reindex', 'cache-warmup']) {
      const c = await v3({ name, timeout: 86_400, grace: 3600 });
      await fetch(`${base}/ping/${c.uuid}`);
    }
    await fetch(`${base}/ping/${backup.uuid}/start`);
    await clock.jump(new Date(clock.now().getTime() + 30_000));
    await fetch(`${base}/ping/${backup.uuid}`, { method: 'POST', body: 'dumped 0 bytes\nexit 0' });
    await clock.jump(new Date(clock.now().getTime() + 180_000));
    await o.alerts.tick();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close(1000);
    await o?.stop();
    await t?.close();
  });

  it('signs in with a tenant key and sees the down check at the top of the overview', async () => {
    await page.goto(`${base}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await page.getByLabel('API key').fill(tenant.api_key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/console`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('What needs attention');
    const firstRow = page.locator('table tbody tr').first();
    expect(await firstRow.textContent()).toContain('nightly-backup');
    expect(await firstRow.textContent()).toContain('Down');
    writeAtomically(join(repoRoot, 'test/artifacts/console-overview.png'), await page.screenshot({ fullPage: true }));
  });

  it('opens the check, reads its ping log and run duration, pauses and resumes it', async () => {
    await page.getByRole('link', { name: 'nightly-backup' }).first().click();
    await page.waitForURL(/\/console\/checks\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('nightly-backup');
    const log = page.locator('table').last();
    expect(await log.textContent()).toContain('dumped 0 bytes');
    expect(await log.textContent()).toContain('30 s');
    expect(await page.locator('svg.chart rect').count()).toBe(1);
    writeAtomically(join(repoRoot, 'test/artifacts/console-check.png'), await page.screenshot({ fullPage: true }));
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForLoadState();
    expect(await page.locator('dd .state').first().textContent()).toContain('Paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(1);
  });

  it('the keyboard reaches every link and button of the overview in order', async () => {
    await page.goto(`${base}/console`);
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? ''));
    }
    expect(reached[0]).toBe('Skip to content');
    expect(reached).toContain('Checks');
    expect(reached).toContain('Sign out');
    // The tiles (counts linking to the filtered lists) come next; a resumed check is new again, so none is failing now.
    expect(reached.some((r) => /^\d+ new checks$/.test(r.replace(/\s+/g, ' ')))).toBe(true);
  });

  it('signs out; the old cookie is refused', async () => {
    const cookies = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/console/login`);
    const old = cookies.find((c) => c.name === 'overdue_console')!;
    const res = await fetch(`${base}/console`, { headers: { cookie: `${old.name}=${old.value}` }, redirect: 'manual' });
    expect(res.status).toBe(303);
  });
});
