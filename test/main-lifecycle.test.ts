import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, onPostgres, testDatabase, type TestDatabase } from './support/db.js';
import { runScript } from './support/process.js';

// Child processes (tsx, PGlite's initdb) compete with the test workers for the cores: a generous timeout.
describe(`the service process on ${backend}`, { timeout: 90_000 }, () => {
  let t: TestDatabase | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    if (onPostgres) {
      t = await testDatabase({ migrated: false });
      env = { DATABASE_URL: t.url! };
    } else {
      env = { DATA_DIR: join(mkdtempSync(join(tmpdir(), 'od-')), 'data') };
    }
  });
  afterAll(() => t?.close());

  it('`npm run migrate -- --check` exits 1 on an unmigrated database; `npm run migrate` fixes it', async () => {
    const check = runScript('src/db/migrate-cli.ts', env, ['--check']);
    expect((await check.exited).code).toBe(1);
    expect(check.stdout()).toMatch(/schema NOT current: schema is behind the code: \d+ migrations? not applied/);

    const apply = runScript('src/db/migrate-cli.ts', env);
    expect((await apply.exited).code).toBe(0);
    expect(apply.stdout()).toMatch(/applied: 0001_foundation/);

    const again = runScript('src/db/migrate-cli.ts', env, ['--check']);
    expect((await again.exited).code).toBe(0);
    expect(again.stdout()).toMatch(/schema current/);
  });

  it('starts ready, prints the admin key and the platform ping key once, and on SIGTERM drains and exits 0', async () => {
    const p = runScript('src/main.ts', { ...env, PORT: '0', LOG_LEVEL: 'info' });
    const [, port] = await p.waitFor(/Overdue is running at http:\/\/localhost:(\d+)/);
    expect(p.stdout()).toMatch(/admin API key \(shown once, stored hashed\): od_admin_\S{32}/);
    expect(p.stdout()).toMatch(/ping key for slug URLs .*: http:\/\/localhost:\d+\/ping\/[a-z0-9]{22}\/<slug>/);
    expect(p.stdout()).toMatch(onPostgres ? /database: PostgreSQL at postgres:/ : /database: embedded PGlite, data directory .*pgdata/);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    // From this host (loopback) the details need no key.
    expect(await ready.json()).toMatchObject({ status: 'ready', problems: [], schema: { ok: true } });

    // A keep-alive connection left open must not keep the process alive.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      request(`${base}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end(),
    );
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    agent.destroy();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toMatch(/"msg":"shutting down"/);
    expect(p.stdout()).toMatch(/"msg":"stopped"/);

    // The second start prints neither key again.
    const second = runScript('src/main.ts', { ...env, PORT: '0', LOG_LEVEL: 'warn' });
    await second.waitFor(/Overdue is running at/);
    expect(second.stdout()).not.toMatch(/admin API key/);
    expect(second.stdout()).not.toMatch(/ping key|\/ping\//);
    second.child.kill('SIGINT');
    const secondExit = await second.exited;
    expect(secondExit, second.stdout() + second.stderr()).toEqual({ code: 0, signal: null });
  });
});
