import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from './support/process.js';

describe('starting the service process', () => {
  it('exits 2 on bad configuration, one line per bad variable naming it', async () => {
    const p = runScript('src/main.ts', { PORT: 'eighty', LOG_LEVEL: 'chatty', DATA_DIR: mkdtempSync(join(tmpdir(), 'od-')) });
    const { code } = await p.exited;
    expect(code).toBe(2);
    const lines = p.stderr().trim().split('\n');
    expect(lines).toEqual([
      'overdue: configuration error: PORT: expected an integer TCP port from 0 to 65535 (got "eighty")',
      'overdue: configuration error: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "chatty")',
    ]);
  });

  it('refuses a second process on the same DATA_DIR with a clear message', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'od-')), 'data');
    const first = runScript('src/main.ts', { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    try {
      await first.waitFor(/Overdue is running at/);
      const second = runScript('src/main.ts', { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.stderr()).toMatch(
        new RegExp(`cannot start: DATA_DIR .*data is in use by another Overdue process \\(pid ${first.child.pid}\\)`),
      );
      // The first one is unharmed.
      const port = /localhost:(\d+)/.exec(first.stdout())![1];
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
  });

  it('gives up on an unreachable DATABASE_URL after DATABASE_CONNECT_TIMEOUT, exiting 1 with a clear message', async () => {
    const started = Date.now();
    const p = runScript('src/main.ts', {
      PORT: '0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/overdue',
      DATABASE_CONNECT_TIMEOUT: '2',
      LOG_LEVEL: 'warn',
    });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.stderr()).toMatch(/cannot start: database at postgres:\/\/postgres@127\.0\.0\.1:9\/overdue did not answer within 2 s \(\d+ attempts; last error: .*ECONNREFUSED/);
    // It retried (with backoff) rather than failing at once.
    expect(p.stdout()).toMatch(/database not reachable yet; retrying/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('a SIGTERM during start-up (while waiting for the database) stops it at once with exit 0', async () => {
    const p = runScript('src/main.ts', {
      PORT: '0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/overdue',
      DATABASE_CONNECT_TIMEOUT: '60',
      LOG_LEVEL: 'info',
    });
    await p.waitFor(/database not reachable yet; retrying/);
    const sent = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(p.stdout()).toMatch(/"msg":"stopped"/);
  });
});
