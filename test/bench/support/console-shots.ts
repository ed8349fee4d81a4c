/**
 * Screenshots of the console as the benchmark left it (10,000 checks, the
 * busiest check's page), light and dark, for the README: Debian chromium
 * through playwright-core, with the browser tests' helper for paths and
 * atomic writes. Skipped (with a note) where there is no chromium.
 */
import { join } from 'node:path';
import { CHROMIUM, hasChromium, launchChromium, repoRoot, writeAtomically } from '../../support/browser.js';

export async function consoleScreenshots(base: string, key: string, checkId: string): Promise<string[]> {
  if (!hasChromium) {
    console.log(`screenshots skipped: no chromium at ${CHROMIUM}`);
    return [];
  }
  const browser = await launchChromium();
  const written: string[] = [];
  try {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, colorScheme });
      const page = await context.newPage();
      await page.goto(`${base}/console/login`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/console`);
      const shots: [string, string, boolean][] = [
        ['overview', '/console', true],
        // The busiest check's log runs to 1,000 rows: the first screen shows its state, schedule, chart and log head.
        ['check', `/console/checks/${checkId}`, false],
      ];
      for (const [name, path, fullPage] of shots) {
        await page.goto(`${base}${path}`);
        const file = join(repoRoot, `docs/screenshots/console-${name}-${colorScheme}.png`);
        writeAtomically(file, await page.screenshot({ fullPage }));
        written.push(file.slice(repoRoot.length + 1));
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return written;
}
