import { describe, expect, it } from 'vitest';
import { perTestResources } from '../support/resources.js';
import { ManualClock } from '../support/clock.js';
import type { TestOverdue } from '../support/app.js';
import { backend, type TestDatabase } from '../support/db.js';
import { recorder, schedulerInstance } from './support.js';

const resources = perTestResources();
let t: TestDatabase;
let o: TestOverdue;

const ny = 'America/New_York';

/** Ticks every `stepMin` minutes from `from` to `to`, waiting for runs to finish. */
async function runThrough(clock: ManualClock, from: string, to: string, stepMin: number) {
  for (let at = Date.parse(from); at <= Date.parse(to); at += stepMin * 60_000) {
    await clock.jump(new Date(at));
    await o!.scheduler.tick();
    await o!.scheduler.idle();
  }
}

// Each test steps a manual clock through whole days of scheduler ticks: slow on PGlite and small machines.
describe(`scheduler across DST in ${ny} on ${backend}`, { timeout: 150_000 }, () => {
  it('a daily 02:30 job runs exactly once on the spring-forward day and once on the fall-back day', async () => {
    t = await resources.database();
    const clock = new ManualClock('2025-03-08T12:00:00Z');
    const rec = recorder();
    o = resources.track(await schedulerInstance(t, clock, [{ key: 'daily-0230', schedule: { cron: '30 2 * * *', tz: ny }, catchUp: 'all', maxRunS: 600, handler: rec.handler }]));
    await runThrough(clock, '2025-03-08T12:00:00Z', '2025-03-10T12:00:00Z', 15);
    // Sunday 2025-03-09: 02:30 does not exist; it runs once, at 03:00 EDT.
    expect(rec.calls.map((c) => c.slot.toISOString())).toEqual(['2025-03-09T07:00:00.000Z', '2025-03-10T06:30:00.000Z']);

    rec.calls.length = 0;
    await clock.jump('2025-11-01T12:00:00Z');
    await o.scheduler.tick(); // catches up the daily slots since March (all), then on to fall-back
    await o.scheduler.idle();
    rec.calls.length = 0;
    await runThrough(clock, '2025-11-01T12:00:00Z', '2025-11-03T12:00:00Z', 15);
    // Sunday 2025-11-02: 01:00–02:00 repeats; 02:30 happens once (EST).
    expect(rec.calls.map((c) => c.slot.toISOString())).toEqual(['2025-11-02T07:30:00.000Z', '2025-11-03T07:30:00.000Z']);
  });

  it('an every-30-minutes job skips the gap in spring and runs both passes of the repeated hour in autumn', async () => {
    t = await resources.database();
    const clock = new ManualClock('2025-03-09T04:50:00Z'); // 23:50 EST on Saturday
    const rec = recorder();
    o = resources.track(await schedulerInstance(t, clock, [{ key: 'half-hourly', schedule: { cron: '*/30 * * * *', tz: ny }, catchUp: 'all', maxRunS: 600, handler: rec.handler }]));
    await runThrough(clock, '2025-03-09T04:50:00Z', '2025-03-10T04:00:00Z', 30);
    const spring = rec.calls.map((c) => c.slot.toISOString());
    // Local day 2025-03-09 has 23 hours: 46 half-hour slots, none at 02:00 or 02:30.
    expect(spring).toHaveLength(46);
    expect(spring).toContain('2025-03-09T06:30:00.000Z'); // 01:30 EST
    expect(spring).toContain('2025-03-09T07:00:00.000Z'); // 03:00 EDT, next after 01:30 EST

    rec.calls.length = 0;
    await clock.jump('2025-11-02T03:50:00Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    rec.calls.length = 0;
    await runThrough(clock, '2025-11-02T04:00:00Z', '2025-11-03T04:50:00Z', 30);
    const autumn = rec.calls.map((c) => c.slot.toISOString()).filter((s) => s < '2025-11-03T05:00:00.000Z');
    // Local day 2025-11-02 has 25 hours: 50 slots, with 01:00 and 01:30 twice.
    expect(autumn).toHaveLength(50);
    expect(autumn).toEqual(expect.arrayContaining(['2025-11-02T05:00:00.000Z', '2025-11-02T05:30:00.000Z', '2025-11-02T06:00:00.000Z', '2025-11-02T06:30:00.000Z']));
  });
});
