import { describe, expect, it } from 'vitest';
import { perTestResources } from '../support/resources.js';
import { ManualClock } from '../support/clock.js';
import type { TestOverdue } from '../support/app.js';
import { backend, type TestDatabase } from '../support/db.js';
import { recorder, schedulerInstance } from './support.js';

const resources = perTestResources();
let t: TestDatabase;

const every5 = { cron: '*/5 * * * *', tz: 'UTC' };

describe(`scheduler catch-up on ${backend}`, () => {
  it('after 3 hours down: `all` runs every missed slot once in order, `latest` only the newest, `skip` none; the job heartbeat went down on time', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    const all = recorder();
    const latest = recorder();
    const skip = recorder();
    const o = await schedulerInstance(t, clock, [
      { key: 'all', schedule: every5, catchUp: 'all', maxRunS: 60, handler: all.handler },
      { key: 'latest', schedule: every5, catchUp: 'latest', maxRunS: 60, handler: latest.handler },
      { key: 'skip', schedule: every5, catchUp: 'skip', maxRunS: 60, handler: skip.handler },
    ]);
    resources.track(o);
    // One normal slot at 10:05.
    await clock.jump('2026-04-01T10:05:00Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    await o.heartbeats.intake.drained();
    expect([all.calls.length, latest.calls.length, skip.calls.length]).toEqual([1, 1, 1]);

    // The scheduler stops for 3 hours; the alert loop goes on ticking every minute.
    for (let at = Date.parse('2026-04-01T10:06:00Z'); at <= Date.parse('2026-04-01T13:08:00Z'); at += 60_000) {
      await clock.jump(new Date(at));
      await o.alerts.tick();
    }
    const check = await t.db.selectFrom('jobs').select('check_id').where('key', '=', 'all').executeTakeFirstOrThrow();
    const down = await t.db.selectFrom('flips').selectAll().where('check_id', '=', check.check_id!).where('new_status', '=', 'down').execute();
    expect(down).toHaveLength(1);
    // Last success covered 10:05; next expected 10:10; grace = max run time 60 s.
    expect(down[0]!.created).toEqual(new Date('2026-04-01T10:11:00Z'));

    // Back at 13:08: slots 10:10 … 13:05 (36) are due; the newest is 3 minutes old.
    await o.scheduler.tick();
    await o.scheduler.idle();
    const missed = all.calls.slice(1).map((c) => c.slot.toISOString());
    expect(missed).toHaveLength(36);
    expect(missed[0]).toBe('2026-04-01T10:10:00.000Z');
    expect(missed.at(-1)).toBe('2026-04-01T13:05:00.000Z');
    expect([...missed].sort()).toEqual(missed); // oldest first
    expect(all.calls.slice(1).every((c) => c.catchUp)).toBe(true);

    expect(latest.calls.slice(1).map((c) => c.slot.toISOString())).toEqual(['2026-04-01T13:05:00.000Z']);
    expect(skip.calls).toHaveLength(1);

    const skipped = async (key: string) =>
      Number((await t!.db.selectFrom('job_runs').select((eb) => eb.fn.countAll<bigint>().as('n')).where('job_key', '=', key).where('state', '=', 'skipped').executeTakeFirstOrThrow()).n);
    expect([await skipped('all'), await skipped('latest'), await skipped('skip')]).toEqual([0, 35, 36]);
    const reason = await t.db.selectFrom('job_runs').select('error').where('job_key', '=', 'skip').where('state', '=', 'skipped').executeTakeFirstOrThrow();
    expect(reason.error).toMatch(/catch-up policy skip/);
    expect(o.logs.some((l) => l.msg === 'job slots skipped by catch-up policy' && l.job === 'latest' && l.skipped === 35)).toBe(true);
  });

  it('`all` with a cap runs the newest `cap` slots and records the older surplus as skipped', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    const rec = recorder();
    const o = await schedulerInstance(t, clock, [{ key: 'capped', schedule: every5, catchUp: 'all', catchUpCap: 4, maxRunS: 60, handler: rec.handler }]);
    resources.track(o);
    await o.scheduler.tick();
    await clock.jump('2026-04-01T11:01:00Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(rec.calls.map((c) => c.slot.toISOString().slice(11, 16))).toEqual(['10:45', '10:50', '10:55', '11:00']);
    const skipped = await t.db.selectFrom('job_runs').select(['slot_at', 'error']).where('job_key', '=', 'capped').where('state', '=', 'skipped').orderBy('slot_at').execute();
    expect(skipped).toHaveLength(8);
    expect(skipped[0]!.error).toBe('catch-up cap of 4 slots exceeded');
  });

  it('a job added today does not backfill before it was first seen', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:02:00Z');
    const rec = recorder();
    const o = await schedulerInstance(t, clock, [{ key: 'new-job', schedule: every5, catchUp: 'all', maxRunS: 60, handler: rec.handler }]);
    resources.track(o);
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(rec.calls).toEqual([]);
    await clock.jump('2026-04-01T10:05:00Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(rec.calls.map((c) => c.slot.toISOString())).toEqual(['2026-04-01T10:05:00.000Z']);
  });
});
