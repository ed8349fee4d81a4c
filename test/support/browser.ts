import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian's chromium (or CHROMIUM_PATH), driven by playwright-core in the browser tests. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Browser tests skip (with a note) where there is no chromium: CI installs it. */
export const hasChromium = existsSync(CHROMIUM);

/** The repository's root, for screenshots in test/artifacts and docs/. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Writes a screenshot so that a parallel run never reads half a file. */
export function writeAtomically(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
