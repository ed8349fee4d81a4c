import { describe, expect, it, vi } from 'vitest';
import { insertCheck } from '../../src/heartbeats/checks-store.js';
import { perTestResources } from '../support/resources.js';
import { ManualClock } from '../support/clock.js';
import { drivenOverdue, testOverdue, type TestOverdue } from '../support/app.js';
import { backend, onPostgres, type TestDatabase } from '../support/db.js';

const resources = perTestResources();
let t: TestDatabase;

/** A driven instance (background stopped), released after the test. */
async function instance(db: TestDatabase, clock: ManualClock, env: Record<string, string> = {}) {
  const o = resources.track(await drivenOverdue({ database: db, clock, env }));
  return { o, pingKey: o.pingKey };
}

/** A healthy monitor: the evaluator ticks every `stepMs` until `until`. */
async function tickUntil(o: TestOverdue, clock: ManualClock, until: string, stepMs = 10_000) {
  const end = new Date(until).getTime();
  while (clock.now().getTime() < end) {
    await clock.jump(new Date(Math.min(end, clock.now().getTime() + stepMs)));
    await o.alerts.tick();
  }
}

const flipsOf = (db: TestDatabase, id: string) =>
  db.db.selectFrom('flips').selectAll().where('check_id', '=', id).orderBy('id').execute();

describe(`deadline alerting on ${backend}`, () => {
  it('flips a late check down once, dated at its exact deadline (boundary inclusive)', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const { o, pingKey } = await instance(t, clock);
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'nightly', timeoutS: 60, graceS: 30 }, clock.now());
    await o.app.request(`/ping/${id}`);
    const deadline = new Date('2026-03-01T12:01:30Z');

    await clock.jump(new Date(deadline.getTime() - 1));
    await o.alerts.tick();
    expect(await flipsOf(t, id)).toHaveLength(1); // only new→up

    await clock.jump(deadline);
    await o.alerts.tick();
    await o.alerts.tick();
    const flips = await flipsOf(t, id);
    expect(flips).toHaveLength(2);
    expect(flips[1]).toMatchObject({ old_status: 'up', new_status: 'down', reason: 'timeout', detail: '' });
    expect(flips[1]!.created).toEqual(deadline);
    // The flip publishes its signal in its own transaction, dated at the deadline.
    const signals = await t.db.selectFrom('signals').selectAll().where('source', '=', `check:${id}`).execute();
    expect(signals).toMatchObject([{ kind: 'failing', tenant_id: null, severity: 'major', created_at: deadline, processed_at: null }]);
    expect(signals[0]!.summary).toMatch(/^Heartbeat .+ is down$/);
    const row = await t.db.selectFrom('checks').select(['status', 'alert_after']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'down', alert_after: null });
  });

  it('a start without a finish goes down when the run exceeds its grace', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const { o, pingKey } = await instance(t, clock);
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'etl', timeoutS: 3600, graceS: 10 }, clock.now());
    await o.app.request(`/ping/${id}/start`);
    await clock.jump('2026-03-01T12:00:10Z');
    await o.alerts.tick();
    const flips = await flipsOf(t, id);
    expect(flips.map((f) => [f.old_status, f.new_status, f.reason])).toEqual([['new', 'down', 'timeout']]);
    expect(flips[0]!.created).toEqual(new Date('2026-03-01T12:00:10Z'));
  });

  it('a cron check across the spring-forward change in America/New_York is due at the right instant', async () => {
    t = await resources.database();
    const clock = new ManualClock('2025-03-08T07:31:00Z'); // Sat 02:31 EST, just after the 02:30 run
    const { o, pingKey } = await instance(t, clock);
    const id = await insertCheck(
      t.db,
      { tenantId: null, pingKey, name: 'daily', kind: 'cron', schedule: '30 2 * * *', tz: 'America/New_York', timeoutS: 60, graceS: 600 },
      clock.now(),
    );
    await o.app.request(`/ping/${id}`);
    // Sunday 02:30 does not exist; the job is due at 03:00 EDT = 07:00Z, so down at 07:10Z.
    const row = await t.db.selectFrom('checks').select('alert_after').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.alert_after).toEqual(new Date('2025-03-09T07:10:00Z'));
    await clock.jump('2025-03-09T07:10:00Z');
    await o.alerts.tick();
    expect((await flipsOf(t, id)).at(-1)).toMatchObject({ new_status: 'down', created: new Date('2025-03-09T07:10:00Z') });
  });

  it('two evaluators on one database flip each overdue check exactly once', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const a = await instance(t, clock);
    const b = await instance(onPostgres ? { ...t, db: t.another().db } as TestDatabase : t, clock);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) {
      ids.push(await insertCheck(t.db, { tenantId: null, pingKey: a.pingKey, name: `c${i}`, timeoutS: 60, graceS: 1 + (i % 5) }, clock.now()));
    }
    await Promise.all(ids.map((id) => a.o.app.request(`/ping/${id}`)));
    await clock.jump('2026-03-01T12:10:00Z');
    await Promise.all([a.o.alerts.tick(), b.o.alerts.tick(), a.o.alerts.tick(), b.o.alerts.tick()]);
    const downs = await t.db.selectFrom('flips').select(['check_id']).where('new_status', '=', 'down').where('check_id', 'in', ids).execute();
    expect(downs).toHaveLength(120);
    expect(new Set(downs.map((d) => d.check_id)).size).toBe(120);
  });

  it('after Overdue itself was down, deadlines inside the gap get one fresh grace, then flip "after monitor outage"', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const first = await instance(t, clock, { MONITOR_OUTAGE_THRESHOLD: '30' });
    const late = await insertCheck(t.db, { tenantId: null, pingKey: first.pingKey, name: 'late', timeoutS: 60, graceS: 60 }, clock.now());
    const fine = await insertCheck(t.db, { tenantId: null, pingKey: first.pingKey, name: 'fine', timeoutS: 3600, graceS: 60 }, clock.now());
    await first.o.app.request(`/ping/${late}`);
    await first.o.app.request(`/ping/${fine}`);
    await first.o.alerts.tick(); // records our last tick at 12:00
    await first.o.stop();

    // We are away for ten minutes; `late` was due at 12:02 while nobody watched.
    await clock.jump('2026-03-01T12:10:00Z');
    const second = await instance(t, clock, { MONITOR_OUTAGE_THRESHOLD: '30' });
    await second.o.alerts.tick();
    expect((await flipsOf(t, late)).filter((f) => f.new_status === 'down')).toEqual([]);
    const row = await t.db.selectFrom('checks').select(['alert_after', 'rearmed_after_outage']).where('id', '=', late).executeTakeFirstOrThrow();
    expect(row).toEqual({ alert_after: new Date('2026-03-01T12:11:00Z'), rearmed_after_outage: true });
    // `late` and Overdue's own job checks were due in the gap; `fine` was not.
    expect(second.o.logs.some((l) => /fresh grace period/.test(l.msg) && l.rearmed >= 1)).toBe(true);
    const fineRow = await t.db.selectFrom('checks').select('rearmed_after_outage').where('id', '=', fine).executeTakeFirstOrThrow();
    expect(fineRow.rearmed_after_outage).toBe(false);

    // Still silent after the fresh grace: now it is down, and the flip says why.
    await tickUntil(second.o, clock, '2026-03-01T12:11:00Z');
    const down = (await flipsOf(t, late)).filter((f) => f.new_status === 'down');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ reason: 'timeout', detail: 'after monitor outage', created: new Date('2026-03-01T12:11:00Z') });
    expect((await flipsOf(t, fine)).filter((f) => f.new_status === 'down')).toEqual([]);
  });

  it('a ping inside the fresh grace clears the outage mark', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const first = await instance(t, clock, { MONITOR_OUTAGE_THRESHOLD: '30' });
    const id = await insertCheck(t.db, { tenantId: null, pingKey: first.pingKey, name: 'x', timeoutS: 60, graceS: 60 }, clock.now());
    await first.o.app.request(`/ping/${id}`);
    await first.o.alerts.tick();
    await clock.jump('2026-03-01T12:10:00Z'); // ten minutes without evaluation: our own outage
    await first.o.alerts.tick();
    const marked = await t.db.selectFrom('checks').select(['status', 'rearmed_after_outage']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(marked).toEqual({ status: 'up', rearmed_after_outage: true });
    await first.o.app.request(`/ping/${id}`);
    const row = await t.db.selectFrom('checks').select(['status', 'rearmed_after_outage']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'up', rearmed_after_outage: false });
  });

  it('the background loop flips on its own, woken by the ping that set the deadline', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-03-01T12:00:00Z');
    const o = testOverdue({ database: t, clock });
    resources.track(o);
    const pingKey = (await o.start()).platformPingKey!;
    const id = await insertCheck(t.db, { tenantId: null, pingKey, name: 'bg', timeoutS: 2, graceS: 1 }, clock.now());
    await o.app.request(`/ping/${id}`);
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      await new Promise((r) => setTimeout(r, 50));
    }
    await vi.waitFor(async () => expect((await flipsOf(t!, id)).at(-1)?.new_status).toBe('down'));
    expect((await flipsOf(t, id)).at(-1)!.created).toEqual(new Date('2026-03-01T12:00:03Z'));
  });
});
