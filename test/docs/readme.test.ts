import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { runScript, type RunningProcess } from '../support/process.js';

/**
 * The README runs. Its ```sh blocks are run in order with bash against the real
 * service, started as `npm start` starts it (src/main.ts) on a free port, on a
 * fresh database. The convention the README follows:
 *
 * - `http://localhost:3000` is the service: the test's port replaces 3000.
 * - `$KEY` is the admin key and `$PING_KEY` the platform ping key the first start prints;
 *   `$SLACK_URL` is a Slack incoming webhook (here a local receiver that answers 200).
 * - Anything else a block uses, an earlier block set (`CH=$(curl … | jq -r .id)`): the blocks
 *   share their shell variables, in order, as one reader's terminal would.
 * - A block runs with `set -eo pipefail` and its curls use `-f`: a 4xx or 5xx fails the block.
 * - A block that cannot run here is fenced ```sh norun: <why>, and skipped.
 * Where the README states an output, the test checks it (EXPECTED below).
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Block {
  line: number;
  info: string;
  code: string;
}

function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(sh\b.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
    blocks.push({ line: start + 1, info: open[1]!.trim(), code: body.join('\n') });
  }
  return blocks;
}

/** What the README says a block prints: [a command the block runs, what its output holds]. */
const EXPECTED: [string, RegExp][] = [
  ['/api/v1/me', /"kind":"admin"/],
  ['/api/v1/channels/$CH/test', /\{"delivered":true\}/],
  ['/api/v1/invoice-runs', /"created":\d+,"existing":\d+/],
];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// The examples use bash, curl and jq (.ci/run installs the last two where they are missing).
const missing = ['bash', 'curl', 'jq'].filter((tool) => !(process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, tool))));
if (missing.length > 0) console.warn(`README examples skipped: ${missing.join(', ')} not installed`);

describe.skipIf(missing.length > 0)(`the README's shell examples run as written, on ${backend}`, () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = shellBlocks(readme);
  let t: TestDatabase | undefined;
  let service: RunningProcess | undefined;
  let slack: Server | undefined;
  const slackBodies: string[] = [];
  let env: Record<string, string>;
  let port: number;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'od-readme-'));
    const dbEnv: Record<string, string> = onPostgres ? { DATABASE_URL: (t = await testDatabase({ migrated: false })).url! } : { DATA_DIR: join(work, 'data') };
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        slackBodies.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => slack!.listen(0, '127.0.0.1', resolve));
    const slackPort = (slack.address() as { port: number }).port;
    port = await freePort();
    service = runScript('src/main.ts', { ...dbEnv, PORT: String(port), PUBLIC_URL: `http://localhost:${port}`, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', LOG_LEVEL: 'warn' });
    await service.waitFor(/Overdue is running at/, 60_000);
    const [, key] = await service.waitFor(/admin API key \(shown once, stored hashed\): (od_admin_\S+)/);
    const [, pingKey] = await service.waitFor(/ping key for slug URLs .*\/ping\/([a-z0-9]+)\/<slug>/);
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, KEY: key!, PING_KEY: pingKey!, SLACK_URL: `http://127.0.0.1:${slackPort}/services/T000/B000/readme` };
  }, 120_000);

  afterAll(async () => {
    service?.child.kill('SIGTERM');
    await service?.exited;
    await new Promise((resolve) => (slack ? slack.close(resolve) : resolve(undefined)));
    await t?.close();
  });

  it('every block that is not run says why', () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const b of blocks.filter((x) => x.info !== 'sh')) expect(b.info, `README.md:${b.line}`).toMatch(/^sh norun: \S.*/);
  });

  it('each runnable block exits 0, in order, and prints what the README says it prints', async () => {
    const state = join(work, 'state.sh');
    writeFileSync(state, '');
    const runnable = blocks.filter((b) => b.info === 'sh');
    expect(runnable.length).toBeGreaterThanOrEqual(7);
    for (const b of runnable) {
      const code = b.code.replaceAll('http://localhost:3000', `http://localhost:${port}`);
      const script = `set -aeo pipefail\nsource ${JSON.stringify(state)}\n${code}\nexport -p > ${JSON.stringify(state)}\n`;
      const r = await bash(script, work, env);
      expect(r.code, `README.md:${b.line} exited ${r.code}\n${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
      for (const [command, output] of EXPECTED) if (b.code.includes(command)) expect(r.stdout, `README.md:${b.line}: ${command}`).toMatch(output);
    }
    // The test alert reached "Slack".
    expect(slackBodies.some((body) => body.includes('"blocks"'))).toBe(true);
  }, 300_000);
});
