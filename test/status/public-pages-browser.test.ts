/// <reference lib="dom" />
/**
 * The restyled public face in chromium: the status page, its history and an
 * incident, and the subscriber's pages (check your inbox, confirmed, manage,
 * unsubscribe), each audited by axe-core in light and dark; the manage form
 * changed with real clicks; and nothing the strict CSP refuses.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DARK, LIGHT } from '../../ui/tokens.js';
import { drainDeliveries, type TestOverdue } from '../support/app.js';
import { hasChromium, repoRoot, writeAtomically } from '../support/browser.js';
import { ManualClock } from '../support/clock.js';
import { backend, type TestDatabase } from '../support/db.js';
import { servedForBrowser, type ServedForBrowser } from '../support/served.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DAY = 86_400_000;
type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown; failureSummary?: string }[] };
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe.skipIf(!hasChromium)(`public pages in chromium on ${backend}`, () => {
  let site: ServedForBrowser;
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ServedForBrowser['api'];
  let apiId: string;
  let openIncident: string;
  const cspErrors: string[] = [];

  /** The path of the newest link of a kind in the newest mail to an address (the local mailbox). */
  const linkTo = async (email: string, kind: 'confirm' | 'manage' | 'unsubscribe') => {
    await drainDeliveries(o);
    const mails = await t.db.selectFrom('mailbox').select('text').where('to', '=', email).orderBy('id', 'desc').execute();
    for (const m of mails) {
      const found = new RegExp(`https?://[^\\s/]+(/subscriptions/${kind}\\?token=\\S+)`).exec(m.text);
      if (found) return found[1]!;
    }
    throw new Error(`no ${kind} link mailed to ${email}`);
  };
  const subscribeWithClicks = async (email: string) => {
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();
  };
  const auditHere = async (p: Page) => {
    await p.evaluate(AXE);
    const violations = await p.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target) }));
    });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${new URL(p.url()).pathname}: ${v.id} (${v.impact}) ${v.help} ${JSON.stringify(v.nodes)}`);
  };
  const subscription = async (managePath: string) => (await fetch(`${base}${managePath}`, { headers: { accept: 'application/json' } })).json() as Promise<{ components: string[]; unsubscribed: boolean }>;

  beforeAll(async () => {
    clock = new ManualClock('2025-04-01T09:00:00Z');
    site = await servedForBrowser(clock);
    ({ t, o, base, browser, api } = site);
    const pages = await api('GET', '/api/v1/pages');
    await api('PATCH', `/api/v1/pages/${pages.data.find((p: { slug: string }) => p.slug === 'default').id}`, { name: 'Acme', accent_color: '#6e40c9' });
    const platform = await api('POST', '/api/v1/components', { name: 'Platform', group: true, description: 'What our customers use' });
    apiId = (await api('POST', '/api/v1/components', { name: 'API', group_id: platform.id, description: 'REST and webhooks' })).id;
    await api('POST', '/api/v1/components', { name: 'Dashboard', group_id: platform.id });
    const billing = await api('POST', '/api/v1/components', { name: 'Billing' });
    // A month on: a resolved outage in the history, then an open incident and an upcoming maintenance.
    await clock.jump(new Date(clock.now().getTime() + 20 * DAY));
    const past = await api('POST', '/api/v1/incidents', { name: 'Invoices delayed', status: 'investigating', impact: 'minor', body: 'Invoices are late.', components: { [billing.id]: 'partial_outage' } });
    await clock.advance(3 * 3_600_000);
    await api('POST', `/api/v1/incidents/${past.id}/updates`, { status: 'resolved', body: 'All invoices went out.', components: { [billing.id]: 'operational' } });
    await clock.jump(new Date(clock.now().getTime() + 10 * DAY));
    openIncident = (await api('POST', '/api/v1/incidents', { name: 'Slow API responses', status: 'identified', impact: 'major', body: 'An index is being rebuilt.', components: { [apiId]: 'degraded_performance' } })).id;
    await api('POST', '/api/v1/maintenances', { name: 'Database upgrade', body: 'Short interruptions are possible.', scheduled_for: new Date(clock.now().getTime() + 2 * DAY).toISOString(), scheduled_until: new Date(clock.now().getTime() + 2 * DAY + 3_600_000).toISOString(), components: [billing.id] });

    page = await browser.newPage({ viewport: { width: 1000, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
  });
  afterAll(async () => {
    await site?.close();
  });

  it('draws the banner, incidents, groups and slots in the shared design, the page accent on links, and nothing refused by the CSP', async () => {
    await page.goto(`${base}/`);
    const banner = page.getByRole('status');
    expect(await banner.innerText()).toMatch(/^▲\s+Partial System Outage$/);
    expect(await banner.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(LIGHT.major));
    const card = page.getByRole('region', { name: 'Active incidents' }).locator('article');
    expect(await card.evaluate((e) => getComputedStyle(e).borderLeftColor)).toBe(rgb(LIGHT.major));
    expect(await card.locator('.badge').innerText()).toBe('Identified');
    expect(await page.getByRole('link', { name: 'Incident history' }).evaluate((e) => getComputedStyle(e).color)).toBe(rgb('#6e40c9'));
    // A group: a header with its worst member's status, its members indented beneath it.
    const group = page.getByRole('region', { name: 'Platform', exact: true });
    expect((await group.locator(':scope > header .status').innerText()).trim()).toBe('! Degraded performance');
    const [head, member] = await Promise.all([group.locator(':scope > header').boundingBox(), group.getByRole('region', { name: 'API', exact: true }).boundingBox()]);
    expect(member!.x).toBeGreaterThan(head!.x + 8);
    expect(member!.y).toBeGreaterThanOrEqual(head!.y + head!.height);
    // 90 slots each: the 59 days before the components existed (2025-02-01 … 03-31) say "No data", in a neutral colour.
    const slots = page.getByRole('list', { name: 'Billing: the last 90 days, oldest first' }).getByRole('listitem');
    expect(await slots.count()).toBe(90);
    expect(await slots.nth(58).getAttribute('aria-label')).toBe('2025-03-31: No data');
    expect(await slots.nth(58).evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(LIGHT.nodata));
    expect(await slots.nth(59).getAttribute('aria-label')).toBe('2025-04-01: operational');

    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await banner.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(DARK.major));
    expect(await banner.evaluate((e) => getComputedStyle(e).color)).toBe(rgb(DARK['on-tone']));
    const shot = await page.screenshot({ type: 'png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.screenshot({ type: 'png', fullPage: true });
    writeAtomically(join(repoRoot, 'test/artifacts', `status-light.${backend}.png`), light);
    writeAtomically(join(repoRoot, 'test/artifacts', `status-dark.${backend}.png`), shot);
    // The README's pictures: refreshed on request only, so a test run never changes a committed file.
    if (process.env.UPDATE_SCREENSHOTS === '1' && backend === 'pglite') {
      writeAtomically(join(repoRoot, 'docs/screenshots/status-light.png'), light);
      writeAtomically(join(repoRoot, 'docs/screenshots/status-dark.png'), shot);
    }
    expect(cspErrors).toEqual([]);
  });

  it('the manage form changes a subscription with real clicks, refuses an empty choice, and unsubscribes', async () => {
    await subscribeWithClicks('reader@example.com');
    await page.goto(`${base}${await linkTo('reader@example.com', 'confirm')}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Subscription confirmed');
    await subscribeWithClicks('reader@example.com'); // an active address is mailed its manage link
    const manage = await linkTo('reader@example.com', 'manage');

    await page.goto(`${base}${manage}`);
    expect(await page.getByLabel('Everything on this page').isChecked()).toBe(true);
    await page.getByLabel('Only the components ticked below').check();
    await page.getByLabel('Platform: API').check();
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('status').innerText()).toBe('Saved: you will hear about one component.');
    expect(await subscription(manage)).toMatchObject({ components: [apiId], unsubscribed: false });
    await page.reload();
    expect(await page.getByLabel('Platform: API').isChecked()).toBe(true);
    expect(await page.getByLabel('Only the components ticked below').isChecked()).toBe(true);

    // "Only these" with none ticked: 400, and nothing changes.
    await page.getByLabel('Platform: API').uncheck();
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Save' }).click()]);
    expect(res.status()).toBe(400);
    expect(await page.getByRole('status').innerText()).toContain('Nothing was changed');
    expect((await subscription(manage)).components).toEqual([apiId]);

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Unsubscribed');
    expect(await subscription(manage)).toMatchObject({ unsubscribed: true });
    expect(cspErrors).toEqual([]);
  });

  it('axe-core finds no serious or critical violation on the public and subscriber pages, light and dark', async () => {
    await subscribeWithClicks('auditor@example.com');
    const confirm = await linkTo('auditor@example.com', 'confirm');
    await page.goto(`${base}${confirm}`);
    // An incident mail carries the unsubscribe link.
    await api('POST', `/api/v1/incidents/${openIncident}/updates`, { status: 'monitoring', body: 'Response times are back to normal.' });
    await o.fanOut();
    const unsubscribe = await linkTo('auditor@example.com', 'unsubscribe');
    await subscribeWithClicks('auditor@example.com');
    const manage = await linkTo('auditor@example.com', 'manage');

    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of ['/', '/history', `/incidents/${openIncident}`, confirm, manage, unsubscribe, '/subscriptions/confirm?token=not-a-token']) {
        await page.goto(`${base}${path}`);
        found.push(...(await auditHere(page)).map((f) => `[${scheme}] ${f}`));
      }
      await subscribeWithClicks(`audit-${scheme}@example.com`); // the POST answer: "Check your inbox"
      found.push(...(await auditHere(page)).map((f) => `[${scheme}] ${f}`));
      // The server's refusal of an address the browser's own check would have stopped: the form again, with the reason.
      await page.goto(`${base}/`);
      await page.evaluate(() => document.querySelectorAll('form').forEach((f) => (f.noValidate = true)));
      await page.getByLabel('Email').fill('not-an-address');
      await page.getByRole('button', { name: 'Subscribe' }).click();
      await page.getByRole('alert').waitFor();
      found.push(...(await auditHere(page)).map((f) => `[${scheme}] ${f}`));
    }
    expect(found).toEqual([]);
    expect(cspErrors).toEqual([]);
  }, 120_000);
});
