/// <reference lib="dom" />
/**
 * The public status page in a real browser: Debian's chromium driven by
 * playwright-core against the service over HTTP. Skipped (with a note) where
 * no chromium binary exists; `.ci/run` installs it.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, repoRoot, writeAtomically } from '../support/browser.js';
import { ManualClock } from '../support/clock.js';
import { backend } from '../support/db.js';
import { json } from '../support/http.js';
import { servedForBrowser, type ServedForBrowser } from '../support/served.js';

if (!hasChromium) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Writes via a temporary file and a rename, so two backends running at once never leave a torn file. */

describe.skipIf(!hasChromium)(hasChromium ? `status page in chromium on ${backend}` : `status page in chromium (SKIPPED: no chromium binary at ${CHROMIUM})`, () => {
  let site: ServedForBrowser;
  let clock: ManualClock;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ServedForBrowser['api'];
  let incident: { id: string; name: string };
  let summary: any;

  beforeAll(async () => {
    // Components made two days before the incident, so each has three daily bars.
    clock = new ManualClock('2025-05-14T09:00:00Z');
    site = await servedForBrowser(clock);
    ({ base, browser, api } = site);

    const pages = await api('GET', '/api/v1/pages');
    await api('PATCH', `/api/v1/pages/${pages.data.find((p: { slug: string }) => p.slug === 'default').id}`, { name: 'Acme' });
    const group = await api('POST', '/api/v1/components', { name: 'Platform', group: true });
    const apiComponent = await api('POST', '/api/v1/components', { name: 'API', group_id: group.id, description: 'REST and webhooks' });
    await api('POST', '/api/v1/components', { name: 'Dashboard', group_id: group.id });
    // Yesterday: a two-hour partial outage of the API.
    await clock.advance(DAY);
    await api('PATCH', `/api/v1/components/${apiComponent.id}`, { status: 'partial_outage' });
    await clock.advance(2 * HOUR);
    await api('PATCH', `/api/v1/components/${apiComponent.id}`, { status: 'operational' });
    // Today (2025-05-16): an open incident, identified, then a later update.
    await clock.advance(21 * HOUR);
    incident = await api('POST', '/api/v1/incidents', {
      name: 'Slow API responses',
      status: 'identified',
      impact: 'major',
      body: 'A database index is missing after the **02:00** migration.',
      components: { [apiComponent.id]: 'degraded_performance' },
    });
    await clock.advance(10 * 60_000);
    await api('POST', `/api/v1/incidents/${incident.id}/updates`, { status: 'monitoring', body: 'The index is rebuilt; response times are back to normal. We are watching.' });
    summary = await json(await fetch(`${base}/api/v2/summary.json`));

    page = await browser.newPage({ viewport: { width: 1000, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce' });
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(200);
  });
  afterAll(async () => {
    await site?.close();
  });

  it('shows the banner the JSON describes, the open incident with its latest update, and component statuses in words', async () => {
    const status = await json(await fetch(`${base}/api/v2/status.json`));
    // One of two leaves degraded alone is "Partially Degraded Service" (minor); the major incident raises it.
    expect(status.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(summary.status).toEqual(status.status);

    const banner = page.getByRole('status');
    await expect(banner.innerText()).resolves.toContain(status.status.description);
    expect(await banner.getAttribute('class')).toContain('t-major');
    expect(summary.page.name).toBe('Acme');
    expect(await page.title()).toBe('Acme status');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Acme status');

    const active = page.getByRole('region', { name: 'Active incidents' });
    const card = active.locator('article');
    expect(await card.count()).toBe(1);
    expect(await card.getByRole('link', { name: 'Slow API responses' }).getAttribute('href')).toBe(`/incidents/${incident.id}`);
    const text = await card.innerText();
    expect(text).toContain('Affects: API');
    expect(text).toContain('Monitoring · 2025-05-16 08:10 UTC');
    expect(text).toContain('The index is rebuilt; response times are back to normal. We are watching.');
    expect(text).not.toContain('A database index is missing'); // only the latest update on the front page

    const components = page.getByRole('region', { name: 'Components' });
    const apiSection = components.getByRole('region', { name: 'API', exact: true });
    const dashboard = components.getByRole('region', { name: 'Dashboard', exact: true });
    expect((await apiSection.locator('header .status').innerText()).trim()).toBe('! Degraded performance');
    expect((await dashboard.locator('header .status').innerText()).trim()).toBe('✓ Operational');
    expect(await apiSection.innerText()).toContain('REST and webhooks');
    // The JSON agrees with the words.
    const byName = Object.fromEntries(summary.components.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName).toMatchObject({ API: 'degraded_performance', Dashboard: 'operational' });
  });

  it('names each of the 90 day slots (days before the component existed say "No data"), shows the tooltip on focus, and moves between days with the arrow keys', async () => {
    const apiBars = page.getByRole('list', { name: 'API: the last 90 days, oldest first', exact: true });
    expect(await apiBars.getByRole('listitem').count()).toBe(90);
    const labels = await page.locator('ol.bars li[tabindex="0"][aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    // 2025-02-16 … 2025-05-13: before the components were made (2025-05-14).
    const noData = Array.from({ length: 87 }, (_, i) => `${new Date(Date.UTC(2025, 1, 16) + i * DAY).toISOString().slice(0, 10)}: No data`);
    expect(labels).toEqual([
      ...noData,
      '2025-05-14: operational',
      '2025-05-15: 91.67% uptime, partial outage',
      '2025-05-16: 99.31% uptime, degraded performance',
      ...noData,
      '2025-05-14: operational',
      '2025-05-15: operational',
      '2025-05-16: operational',
    ]);
    // "No data" is neutral, never the operational green.
    const colours = await apiBars.getByRole('listitem').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(colours.slice(0, 87)).size).toBe(1);
    expect(colours[0]).not.toBe(colours[87]);
    expect(await apiBars.getByRole('listitem').first().getAttribute('class')).toBe('t-nodata');
    expect(await apiBars.locator('xpath=following-sibling::p[1]').innerText()).toContain('96.99% uptime'); // 2 h 10 min down of the 72 h it existed
    expect(await page.getByText('100.00% uptime').count()).toBe(1);

    const tooltip = (el: Element) => getComputedStyle(el, '::after').content;
    const first = apiBars.getByRole('listitem', { name: '2025-05-14: operational', exact: true });
    expect(await first.evaluate(tooltip)).toBe('none'); // hidden until focus or hover

    // Tab from the top of the page: the incident's link, then the first slot of the API's bars.
    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 10 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement?.matches('ol.bars li') ? document.activeElement.getAttribute('aria-label')! : ''));
    }
    expect(focused).toBe('2025-02-16: No data');
    await first.focus();
    const isFocused = (name: string) => apiBars.getByRole('listitem', { name, exact: true }).evaluate((el) => el === document.activeElement);
    expect(await isFocused('2025-05-14: operational')).toBe(true);
    expect(await first.evaluate(tooltip)).toBe('"2025-05-14: operational"');

    await page.keyboard.press('ArrowRight');
    const second = apiBars.getByRole('listitem', { name: '2025-05-15: 91.67% uptime, partial outage', exact: true });
    expect(await isFocused('2025-05-15: 91.67% uptime, partial outage')).toBe(true);
    expect(await second.evaluate(tooltip)).toContain('2025-05-15: 91.67% uptime, partial outage');
    expect(await first.evaluate(tooltip)).toBe('none');
    expect(await second.getAttribute('class')).toBe('t-major');

    await page.keyboard.press('ArrowRight');
    expect(await isFocused('2025-05-16: 99.31% uptime, degraded performance')).toBe(true);
    await page.keyboard.press('ArrowRight'); // the last day: stays (no jump into the next component's bars)
    expect(await isFocused('2025-05-16: 99.31% uptime, degraded performance')).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await isFocused('2025-05-15: 91.67% uptime, partial outage')).toBe(true);

    // The tooltip is drawn above the bar and inside the viewport.
    const tip = await second.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const after = getComputedStyle(el, '::after');
      const top = r.bottom - parseFloat(after.bottom) - parseFloat(after.height);
      return { position: after.position, top, aboveBar: top + parseFloat(after.height) <= r.top, width: parseFloat(after.width), viewport: window.innerWidth };
    });
    expect(tip).toMatchObject({ position: 'absolute', aboveBar: true });
    expect(tip.top).toBeGreaterThanOrEqual(0);
    // The first and last slots' tooltips stay inside the viewport too.
    for (const edge of [apiBars.getByRole('listitem').first(), apiBars.getByRole('listitem').last()]) {
      await edge.focus();
      const box = await edge.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const after = getComputedStyle(el, '::after');
        const left = after.left === 'auto' ? r.right - parseFloat(after.right) - parseFloat(after.width) : r.left + parseFloat(after.left);
        return { left, right: left + parseFloat(after.width), viewport: window.innerWidth };
      });
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(box.viewport);
    }
    expect(tip.width).toBeGreaterThan(100);
    expect(tip.width).toBeLessThan(tip.viewport);

    const shot = await page.screenshot({ type: 'png' });
    writeAtomically(join(repoRoot, 'test/artifacts', backend === 'pglite' ? 'status-page.png' : `status-page.${backend}.png`), shot);
    // The README's pictures are taken by public-pages-browser.test.ts (docs/screenshots/).
  });

  it('works without JavaScript: banner, incident and focusable days are all server-rendered', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } });
    try {
      const p = await context.newPage();
      await p.goto(`${base}/`);
      expect(await p.getByRole('status').innerText()).toContain(summary.status.description);
      expect(await p.getByRole('link', { name: 'Slow API responses' }).count()).toBe(1);
      expect(await p.getByText('The index is rebuilt').count()).toBe(1);
      expect(await p.getByRole('listitem', { name: '2025-05-15: 91.67% uptime, partial outage', exact: true }).count()).toBe(1);
      // Days are still reachable by Tab (only the arrow keys need the script).
      await p.getByRole('link', { name: 'Slow API responses' }).focus();
      await p.keyboard.press('Tab');
      expect(await p.locator('ol.bars li:focus').getAttribute('aria-label')).toBe('2025-02-16: No data');

      // The incident's own page: every update, newest first.
      await p.getByRole('link', { name: 'Slow API responses' }).click();
      await p.waitForURL(`${base}/incidents/${incident.id}`);
      const timeline = await p.locator('ol.timeline').innerText();
      expect(timeline.indexOf('The index is rebuilt')).toBeGreaterThanOrEqual(0);
      expect(timeline.indexOf('The index is rebuilt')).toBeLessThan(timeline.indexOf('A database index is missing after the 02:00 migration.'));
      expect(await p.locator('ol.timeline strong', { hasText: '02:00' }).count()).toBe(1); // **bold** rendered
    } finally {
      await context.close();
    }
  });

  it('serves well-formed Atom and RSS feeds (parsed by the browser)', async () => {
    // From a same-origin document without the HTML pages' CSP (theirs allows no fetch at all).
    await page.goto(`${base}/api/v2/status.json`);
    const parsed = await page.evaluate(async () => {
      const read = async (path: string) => {
        const res = await fetch(path);
        const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
        return {
          type: res.headers.get('content-type'),
          errors: doc.getElementsByTagName('parsererror').length,
          root: doc.documentElement.nodeName,
          ns: doc.documentElement.namespaceURI,
          titles: [...doc.querySelectorAll('entry > title, item > title')].map((e) => e.textContent),
          links: [...doc.querySelectorAll('entry > link[rel="alternate"]')].map((e) => e.getAttribute('href')).concat([...doc.querySelectorAll('item > link')].map((e) => e.textContent)),
          content: doc.querySelector('entry > content, item > description')?.textContent ?? '',
        };
      };
      return { atom: await read('/history.atom'), rss: await read('/history.rss') };
    });
    const publicUrl = summary.page.url; // PUBLIC_URL: feeds link there, not to the address the test reached
    expect(parsed.atom).toMatchObject({ type: 'application/atom+xml; charset=utf-8', errors: 0, root: 'feed', ns: 'http://www.w3.org/2005/Atom', titles: ['Slow API responses'], links: [`${publicUrl}/incidents/${incident.id}`] });
    expect(parsed.rss).toMatchObject({ type: 'application/rss+xml; charset=utf-8', errors: 0, root: 'rss', titles: ['Slow API responses'], links: [`${publicUrl}/incidents/${incident.id}`] });
    // Content is escaped HTML, newest update first.
    for (const feed of [parsed.atom, parsed.rss]) {
      expect(feed.content).toMatch(/^<p><strong>Monitoring<\/strong> · 2025-05-16 08:10 UTC<\/p><p>The index is rebuilt/);
      expect(feed.content).toContain('<strong>02:00</strong>');
    }
  });
});
