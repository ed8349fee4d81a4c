import { describe, expect, it } from 'vitest';
import { perTestResources } from '../support/resources.js';
import { ManualClock } from '../support/clock.js';
import type { TestOverdue } from '../support/app.js';
import { backend, onPostgres, type TestDatabase } from '../support/db.js';
import { recorder, schedulerInstance } from './support.js';

const resources = perTestResources();
let t: TestDatabase;

describe(`scheduler exactly-once on ${backend}`, () => {
  // PGlite has one session: instances there cannot race, so the day proves nothing beyond the single-instance test below.
  it.skipIf(!onPostgres)('three instances run each slot of a 1-minute job exactly once over a simulated day', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T00:00:30Z');
    const rec = recorder();
    const instances: TestOverdue[] = [];
    const job = { key: 'every-minute', schedule: { cron: '* * * * *', tz: 'UTC' }, catchUp: 'all' as const, maxRunS: 30, handler: rec.handler };
    for (let i = 0; i < 3; i++) {
      const db = i > 0 ? ({ ...t, db: t.another().db } as TestDatabase) : t;
      instances.push(resources.track(await schedulerInstance(db, clock, [job])));
    }
    for (let minute = 1; minute <= 1440; minute++) {
      await clock.jump(new Date(Date.parse('2026-04-01T00:00:30Z') + minute * 60_000));
      await Promise.all(instances.map((o) => o.scheduler.tick()));
      await Promise.all(instances.map((o) => o.scheduler.idle()));
    }
    const slots = rec.calls.map((c) => c.slot.toISOString());
    expect(slots).toHaveLength(1440);
    expect(new Set(slots).size).toBe(1440);
    expect(slots[0]).toBe('2026-04-01T00:01:00.000Z');
    expect(slots.at(-1)).toBe('2026-04-02T00:00:00.000Z');
    const states = await t.db
      .selectFrom('job_runs')
      .select((eb) => ['state', eb.fn.countAll<bigint>().as('n')])
      .where('job_key', '=', 'every-minute')
      .groupBy('state')
      .execute();
    expect(states).toEqual([{ state: 'succeeded', n: 1440n }]);
    // Runs were shared out, not all taken by one instance.
    const byInstance = await t.db.selectFrom('job_runs').select('instance_id').distinct().where('job_key', '=', 'every-minute').execute();
    expect(byInstance.length).toBeGreaterThan(1);
  }, 240_000);

  it('one instance ticked twice a minute, and once more after each run, runs each slot exactly once', async () => {
    t = await resources.database();
    const start = Date.parse('2026-04-01T00:00:30Z');
    const clock = new ManualClock(new Date(start).toISOString());
    const rec = recorder();
    const job = { key: 'every-minute', schedule: { cron: '* * * * *', tz: 'UTC' }, catchUp: 'all' as const, maxRunS: 30, handler: rec.handler };
    const o = resources.track(await schedulerInstance(t, clock, [job]));
    for (let minute = 1; minute <= 60; minute++) {
      await clock.jump(new Date(start + minute * 60_000));
      await Promise.all([o.scheduler.tick(), o.scheduler.tick()]);
      await o.scheduler.idle();
      await o.scheduler.tick();
      await o.scheduler.idle();
    }
    const slots = rec.calls.map((c) => c.slot.toISOString());
    expect(slots).toHaveLength(60);
    expect(new Set(slots).size).toBe(60);
    expect([slots[0], slots.at(-1)]).toEqual(['2026-04-01T00:01:00.000Z', '2026-04-01T01:00:00.000Z']);
    const states = await t.db.selectFrom('job_runs').select((eb) => ['state', eb.fn.countAll<bigint>().as('n')]).where('job_key', '=', 'every-minute').groupBy('state').execute();
    expect(states).toEqual([{ state: 'succeeded', n: 60n }]);
  }, 120_000);
});
