import type { Migration } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import type { LoopSpec } from '../../src/background.js';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { testOverdue, metricValue, type TestOverdue } from '../support/app.js';
import { perTestResources } from '../support/resources.js';
import { json } from '../support/http.js';
import { backend, type TestDatabase } from '../support/db.js';

/** A background loop that only counts its ticks. */
function probeLoop(): LoopSpec & { ticks: number } {
  const loop = { name: 'probe', intervalMs: 1000, ticks: 0, tick: async () => void loop.ticks++ };
  return loop;
}

const future: Record<string, Migration> = { '9999_future': { up: async () => undefined } };

const resources = perTestResources();
let t: TestDatabase;
let o: TestOverdue;

describe(`schema guard on ${backend}`, () => {

  it('current schema: ready, background work runs, gauge reads 1', async () => {
    t = await resources.database();
    const probe = probeLoop();
    o = resources.track(testOverdue({ database: t, loops: [probe] }));
    await o.start();
    await o.clock.advance(3500);
    expect(probe.ticks).toBeGreaterThanOrEqual(3);
    const res = await o.app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'ready', problems: [], background: { running: true, loops: expect.arrayContaining(['probe', 'heartbeats.alerts']) } });
    expect(await metricValue(o.metricReader, 'overdue_schema_ok')).toBe(1);
  });

  it('database newer than the code (an unknown migration): 503 with the reason, no background work', async () => {
    t = await resources.database();
    await runMigrations(t.db, { ...migrations, ...future }); // a newer version migrated this database
    const probe = probeLoop();
    o = resources.track(testOverdue({ database: t, loops: [probe], env: { MIGRATE: 'on', SCHEMA_CHECK_INTERVAL: '60' } }));
    const report = await o.start();
    // kysely refuses to migrate a database with migrations it does not know; that is reported, not thrown.
    expect(report.migrateError?.message).toMatch(/9999_future/);
    // The error is logged at start and again every interval. Each check is
    // real I/O, so step one interval at a time and wait for its log line.
    const guardErrors = () => o!.logs.filter((l) => l.level === 50 && /^schema guard:/.test(l.msg)).length;
    expect(guardErrors()).toBe(1);
    for (const expected of [2, 3, 4]) {
      await o.clock.advance(60_000);
      await vi.waitFor(() => expect(guardErrors()).toBe(expected));
    }
    expect(probe.ticks).toBe(0);
    expect(o.background.running).toBe(false);

    const res = await o.app.request('/readyz');
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('unavailable');
    expect(body.problems).toEqual([
      { check: 'schema', message: expect.stringMatching(/does not know \(9999_future\): the database is newer than the code/) },
    ]);
    expect(body.schema).toMatchObject({ ok: false, unknown: ['9999_future'], pending: [] });
    expect(await metricValue(o.metricReader, 'overdue_schema_ok')).toBe(0);
  });

  it('database behind the code (a missing migration) with MIGRATE=off: 503 until migrated elsewhere, then work starts', async () => {
    t = await resources.database();
    const probe = probeLoop();
    const code = { ...migrations, '9000_next': { up: async () => undefined } };
    o = resources.track(testOverdue({ database: t, loops: [probe], migrations: code, env: { MIGRATE: 'off', SCHEMA_CHECK_INTERVAL: '60' } }));
    const report = await o.start();
    expect(report.migrated).toEqual([]);
    await o.clock.advance(30_000);
    expect(probe.ticks).toBe(0);
    const res = await o.app.request('/readyz');
    expect(res.status).toBe(503);
    expect((await json(res)).problems[0].message).toMatch(/schema is behind the code: 1 migration not applied \(9000_next\)/);

    // An operator runs `npm run migrate` from another shell; the next check notices.
    await runMigrations(t.db, code);
    await o.clock.advance(30_000);
    await vi.waitFor(() => expect(o!.background.running).toBe(true));
    await o.clock.advance(2_000);
    await vi.waitFor(() => expect(probe.ticks).toBeGreaterThan(0));
    expect((await o.app.request('/readyz')).status).toBe(200);
    expect(await metricValue(o.metricReader, 'overdue_schema_ok')).toBe(1);
  });

  it('MIGRATE=on applies what is pending before checking', async () => {
    t = await resources.database({ migrated: false });
    o = resources.track(testOverdue({ database: t, env: { MIGRATE: 'on' } }));
    const report = await o.start();
    expect(report.migrated).toEqual(Object.keys(migrations));
    expect(o.schema.status.ok).toBe(true);
    expect((await o.app.request('/readyz')).status).toBe(200);
  });
});

describe(`background loops on ${backend}`, () => {

  it('a failing tick is logged, counted and retried with backoff; the loop keeps going', async () => {
    t = await resources.database();
    let calls = 0;
    const flaky: LoopSpec = {
      name: 'flaky',
      intervalMs: 1000,
      tick: async () => {
        calls++;
        if (calls <= 3) throw new Error(`boom ${calls}`);
      },
    };
    o = resources.track(testOverdue({ database: t, loops: [flaky] }));
    await o.start();
    await o.clock.advance(1000 + 2000 + 4000 + 8000 + 1000);
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(await metricValue(o.metricReader, 'overdue_background_errors_total', { loop: 'flaky' })).toBe(3);
    const logged = o.logs.filter((l) => l.msg === 'background loop tick failed');
    expect(logged.map((l) => [l.loop, l.err.message])).toEqual([
      ['flaky', 'boom 1'],
      ['flaky', 'boom 2'],
      ['flaky', 'boom 3'],
    ]);
  });

  it('a stalled loop makes /readyz 503 naming it', async () => {
    t = await resources.database();
    const stuck: LoopSpec = { name: 'stuck', intervalMs: 1000, stallAfterMs: 10_000, tick: () => new Promise(() => undefined) };
    o = resources.track(testOverdue({ database: t, loops: [stuck], env: { SHUTDOWN_TIMEOUT: '1' } }));
    await o.start();
    expect((await o.app.request('/readyz')).status).toBe(200);
    await o.clock.advance(11_000);
    const res = await o.app.request('/readyz');
    expect(res.status).toBe(503);
    expect((await json(res)).problems).toEqual([
      { check: 'background', message: 'background loop stuck stalled: no finished tick for 11 s' },
    ]);
    // Shutdown does not wait forever for a tick that ignores its abort signal.
    await o.stop();
    expect(o.logs.find((l) => l.msg === 'background loops did not stop in time; abandoning them')?.loops).toEqual(['stuck']);
  });
});
