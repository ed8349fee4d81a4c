import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { drivenOverdue, testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { recorder } from './support.js';

/** A healthchecks-compatible receiver on loopback, recording every ping. */
async function receiver(): Promise<{ url: string; pings: { path: string; body: string }[]; server: Server }> {
  const pings: { path: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      pings.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/self`, pings, server };
}

let t: TestDatabase | undefined;
let o: TestOverdue | undefined;
let server: Server | undefined;
afterEach(async () => {
  await o?.stop();
  await t?.close();
  server?.close();
  o = t = server = undefined;
});

describe(`who watches the watcher, on ${backend}`, () => {
  it('with the schema guard tripped: no slot runs, /readyz is 503, SELF_PING_URL gets a fail ping naming the reason', async () => {
    t = await testDatabase();
    const r = await receiver();
    server = r.server;
    const rec = recorder();
    o = testOverdue({
      database: t,
      clock: new ManualClock('2026-04-01T10:00:30Z'),
      migrations: { ...migrations, '9000_next': { up: async () => undefined } },
      jobs: [{ key: 'minutely', schedule: { cron: '* * * * *', tz: 'UTC' }, catchUp: 'all', maxRunS: 30, handler: rec.handler }],
      env: { MIGRATE: 'off', SELF_PING_URL: r.url, SCHEMA_CHECK_INTERVAL: '60' },
    });
    await o.start();
    await vi.waitFor(() => expect(r.pings.length).toBeGreaterThanOrEqual(1));
    expect(r.pings[0]!.path).toBe('/ping/self/fail');
    expect(r.pings[0]!.body).toMatch(/schema is behind the code: 1 migration not applied \(9000_next\)/);
    // Again at every check; each check is real I/O, so step one interval at a time.
    for (const expected of [2, 3, 4]) {
      await o.clock.advance(60_000);
      await vi.waitFor(() => expect(r.pings.length).toBeGreaterThanOrEqual(expected), { timeout: 5000 });
    }
    expect(r.pings.every((p) => p.path === '/ping/self/fail')).toBe(true);
    expect(rec.calls).toEqual([]);
    expect(o.background.running).toBe(false);
    const ready = await o.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect((await json(ready)).problems[0]).toMatchObject({ check: 'schema' });
    const jobs = await t.db.selectFrom('job_runs').select('job_key').execute();
    expect(jobs).toEqual([]);
  });

  it('with a healthy tick: SELF_PING_URL gets regular success pings, and the tick reports to its own check', async () => {
    t = await testDatabase();
    const r = await receiver();
    server = r.server;
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    o = testOverdue({ database: t, clock, env: { SELF_PING_URL: r.url, SELF_PING_INTERVAL: '5', MONITOR_OUTAGE_THRESHOLD: '86400' } });
    await o.start();
    for (let i = 0; i < 4; i++) {
      await o.scheduler.tick();
      await clock.jump(new Date(clock.now().getTime() + 6_000));
    }
    await vi.waitFor(() => expect(r.pings.length).toBeGreaterThanOrEqual(4));
    expect(r.pings.every((p) => p.path === '/ping/self')).toBe(true);

    // The tick's own check is pinged asynchronously, at most every 10 s.
    await vi.waitFor(async () => {
      const tick = await t!.db.selectFrom('checks').selectAll().where('slug', '=', 'overdue-scheduler').executeTakeFirstOrThrow();
      expect(tick.status).toBe('up');
      expect(Number(tick.n_pings)).toBeGreaterThanOrEqual(2);
    }, { timeout: 5000 });
  });

  it('when the scheduler loop stalls, its tick check goes down through the separate alert loop', async () => {
    t = await testDatabase();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    o = await drivenOverdue({ database: t, clock });
    await o.scheduler.tick();
    const pinged = () => t!.db.selectFrom('checks').select(['id', 'last_ping']).where('slug', '=', 'overdue-scheduler').where('n_pings', '>', 0n).executeTakeFirst();
    await vi.waitFor(async () => expect(await pinged()).toBeDefined());
    const { last_ping: lastTick } = (await pinged())!;
    // The scheduler never ticks again; the alert loop keeps evaluating.
    for (let i = 1; i <= 13; i++) {
      await clock.jump(new Date(Date.parse('2026-04-01T10:00:30Z') + i * 10_000));
      await o.alerts.tick();
    }
    const tick = await t.db.selectFrom('checks').select(['id', 'status']).where('slug', '=', 'overdue-scheduler').executeTakeFirstOrThrow();
    expect(tick.status).toBe('down');
    const flip = await t.db.selectFrom('flips').selectAll().where('check_id', '=', tick.id).where('new_status', '=', 'down').executeTakeFirstOrThrow();
    expect(flip.created.getTime() - lastTick!.getTime()).toBe(120_000); // last tick + 60 s period + 60 s grace
  });
});
