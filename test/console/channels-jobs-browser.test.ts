/// <reference lib="dom" />
/**
 * The console's channels, jobs and status pages in a real browser (Debian
 * chromium through playwright-core), with real clicks: add a Slack channel
 * pointing at a local receiver and "Send test" to it (the receiver gets
 * Slack's blocks); as the admin, "Run now", pause and resume a job; add a
 * component to a status page, its check ticked by name, and see it on the
 * public page. axe-core then audits the pages this part added (status pages,
 * a component's form, channels, a check, the 404 page) light and dark: no
 * serious or critical violation.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../src/http/server.js';
import { TestReceiver } from '../notify/servers.js';
import { apiClient, created } from '../support/http.js';
import { newTenant } from '../support/tenants.js';
import { consolePage, hasChromium, launchChromium, seriousViolations } from '../support/browser.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';

describe.skipIf(!hasChromium)(`console channels, jobs and status pages in chromium on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let http: Listening;
  let browser: Browser;
  let base: string;
  let admin: string;
  let tenant: { id: string; api_key: string };
  let checkId: string;
  let pageId: string;
  const receiver = new TestReceiver();

  beforeAll(async () => {
    await receiver.start();
    t = await testDatabase();
    const clock = new ManualClock(new Date('2026-12-01T10:00:30Z'));
    o = await drivenOverdue({ database: t, clock, env: { PUBLIC_URL: 'http://127.0.0.1', WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' } });
    http = await listen(o.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${http.port}`;
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    const api = apiClient(o, () => admin);
    tenant = await newTenant(api, 'acme');
    const check = await fetch(`${base}/api/v3/checks/`, { method: 'POST', headers: { 'x-api-key': tenant.api_key, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nightly-backup', timeout: 60, grace: 60 }) }).then((r) => r.json() as Promise<{ uuid: string }>);
    checkId = check.uuid;
    pageId = (await created(api, '/api/v1/pages', { slug: 'acme', name: 'Acme status' }, tenant.api_key)).id;
    await created(api, '/api/v1/components', { page: 'acme', name: 'Storage', group: true }, tenant.api_key);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await http?.close(1000);
    await o?.stop();
    await t?.close();
    await receiver.stop();
  });

  const signedIn = (key: string): Promise<Page> => consolePage(browser, base, key);

  it('adds a Slack channel, sends it a test that arrives, and shows which checks alert it', async () => {
    const page = await signedIn(tenant.api_key);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Alert channels' }).click();
    await page.waitForURL(`${base}/console/channels`);
    await page.getByLabel('Kind').selectOption({ label: 'Slack (incoming webhook URL)' });
    await page.getByLabel('Name', { exact: true }).fill('ops room');
    await page.getByLabel(/^URL/).fill(receiver.url('/services/T000/B000/XXXX'));
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.waitForLoadState();
    const row = page.getByRole('row', { name: /ops room/ });
    // The tenant's only channel hears every check without a routing of its own.
    expect(await row.getByRole('link', { name: 'nightly-backup' }).getAttribute('href')).toBe(`/console/checks/${checkId}`);
    await row.getByRole('button', { name: 'Send test' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').first().textContent()).toContain('Test alert delivered.');
    const got = receiver.on('/services/T000/B000/XXXX');
    expect(got).toHaveLength(1);
    expect(JSON.stringify((got[0]!.body as { blocks?: unknown }).blocks)).toContain('Test alert for \\"ops room\\"');

    // And from the check's side: the channel it alerts.
    await row.getByRole('link', { name: 'nightly-backup' }).click();
    await page.waitForURL(`${base}/console/checks/${checkId}`);
    await page.getByRole('link', { name: 'ops room' }).click();
    await page.waitForURL(/\/console\/channels#channel-[0-9a-f-]{36}$/);

    // And routes the check to that channel alone from its edit form, by name.
    await page.goto(`${base}/console/checks/${checkId}`);
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.waitForURL(`${base}/console/checks/${checkId}/edit`);
    await page.getByLabel('Only the channels ticked below').check();
    await page.getByLabel('ops room (slack)').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${base}/console/checks/${checkId}`);
    const v3 = (await (await fetch(`${base}/api/v3/checks/${checkId}`, { headers: { 'x-api-key': tenant.api_key } })).json()) as { channels: string };
    expect(v3.channels).toMatch(/^[0-9a-f-]{36}$/);
    await page.context().close();
  });

  it('runs a job now, pauses and resumes it with the admin key', async () => {
    const page = await signedIn(admin);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL(`${base}/console/jobs`);
    await page.getByRole('link', { name: 'heartbeats.retention' }).click();
    await page.waitForURL(`${base}/console/jobs/heartbeats.retention`);
    await page.getByRole('button', { name: /^Run now/ }).click();
    await page.waitForLoadState();
    expect(await page.locator('main').textContent()).toContain('Slot 2026-12-01 10:00 UTC: succeeded.');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${base}/console/jobs/heartbeats.retention`);
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const paused = async () => {
      const list = (await (await fetch(`${base}/api/v1/jobs`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { data: { key: string; state: string }[] };
      return list.data.find((j) => j.key === 'heartbeats.retention')?.state === 'paused';
    };
    expect(await paused()).toBe(true);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await paused()).toBe(false);
    await page.context().close();
  });

  it('adds a component with its check ticked by name and sees it on the public page', async () => {
    const page = await signedIn(tenant.api_key);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Status pages' }).click();
    await page.waitForURL(`${base}/console/pages`);
    await page.getByRole('link', { name: 'Acme status' }).click();
    await page.waitForURL(`${base}/console/pages/${pageId}`);
    await page.getByLabel('Name', { exact: true }).fill('Backups');
    await page.getByLabel('In group').selectOption({ label: 'Storage' });
    await page.getByLabel('nightly-backup').check();
    await page.getByRole('button', { name: 'Add component' }).click();
    await page.waitForURL(`${base}/console/pages/${pageId}`);
    const row = page.getByRole('row', { name: /Backups/ });
    expect(await row.getByRole('link', { name: 'check nightly-backup' }).getAttribute('href')).toBe(`/console/checks/${checkId}`);
    await page.getByRole('link', { name: '/s/acme' }).first().click();
    await page.waitForURL(`${base}/s/acme`);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('Storage');
    expect(text).toContain('Backups');
    await page.context().close();
  });

  it('axe-core finds no serious or critical violation on the status pages, a component, channels, a check with its edit and delete pages and the 404 page, light and dark', async () => {
    const page = await signedIn(tenant.api_key);
    const components = (await (await fetch(`${base}/api/v1/components?page=acme`, { headers: { authorization: `Bearer ${tenant.api_key}` } })).json()) as { data: { id: string; name: string }[] };
    const backups = components.data.find((c) => c.name === 'Backups')!.id;
    const paths = ['/console/pages', `/console/pages/${pageId}`, `/console/components/${backups}`, '/console/channels', `/console/checks/${checkId}`, `/console/checks/${checkId}/edit`, `/console/checks/${checkId}/delete`, '/console', '/console/no-such-page'];
    const audit = async (path: string) => {
      await page.goto(`${base}${path}`);
      return seriousViolations(page, path);
    };
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of paths) found.push(...(await audit(path)).map((f) => `[${scheme}] ${f}`));
    }
    // The 404 page is the console's, not a bare one.
    await page.goto(`${base}/console/no-such-page`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    expect(await page.getByRole('navigation', { name: 'Console' }).count()).toBe(1);
    await page.context().close();
    expect(found).toEqual([]);
  }, 120_000);
});
