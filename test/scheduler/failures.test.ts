import { describe, expect, it, vi } from 'vitest';
import { metricValue, type TestOverdue } from '../support/app.js';
import { perTestResources } from '../support/resources.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, type TestDatabase } from '../support/db.js';
import { schedulerInstance } from './support.js';
import type { RunContext } from '../../src/scheduler/runner.js';

const resources = perTestResources();
let t: TestDatabase;

const runRow = (key: string, slot: string) =>
  t!.db.selectFrom('job_runs').selectAll().where('job_key', '=', key).where('slot_at', '=', new Date(slot)).executeTakeFirstOrThrow();

describe(`scheduler failures on ${backend}`, () => {
  it('a run whose instance dies is retried by another instance after its lease expires, once', async () => {
    t = await resources.database();
    // Each instance has its own clock: A's stops when A "dies" (kill -9), so it never renews its lease.
    const clockA = new ManualClock('2026-04-01T10:00:30Z');
    const clockB = new ManualClock('2026-04-01T10:00:30Z');
    const calls: string[] = [];
    const job = (name: string) => ({
      key: 'nightly',
      schedule: { cron: '0 * * * *', tz: 'UTC' },
      catchUp: 'all' as const,
      maxRunS: 3600,
      handler: async (ctx: RunContext) => {
        calls.push(`${name}:${ctx.attempt}`);
        if (name === 'A') await new Promise(() => undefined); // dies mid-way: never returns
      },
    });
    const a = await schedulerInstance(t, clockA, [job('A')], { SCHEDULER_LEASE: '30', SHUTDOWN_TIMEOUT: '0' });
    const b = await schedulerInstance(onPostgres ? ({ ...t, db: t.another().db } as TestDatabase) : t, clockB, [job('B')], { SCHEDULER_LEASE: '30' });
    resources.track(b);
    resources.track(a);

    await clockA.jump('2026-04-01T11:00:00Z');
    await clockB.jump('2026-04-01T11:00:00Z');
    await a.scheduler.tick();
    await vi.waitFor(() => expect(calls).toEqual(['A:1'])); // A is inside the handler (after its start ping)
    await b.scheduler.tick(); // the slot is live on A: B waits
    await b.scheduler.idle();
    expect(calls).toEqual(['A:1']);
    expect((await runRow('nightly', '2026-04-01T11:00:00Z')).state).toBe('running');

    await clockB.jump('2026-04-01T11:00:29Z');
    await b.scheduler.tick();
    expect(calls).toEqual(['A:1']); // lease still valid

    await clockB.jump('2026-04-01T11:00:31Z');
    await b.scheduler.tick();
    await b.scheduler.idle();
    expect(calls).toEqual(['A:1', 'B:2']);
    const run = await runRow('nightly', '2026-04-01T11:00:00Z');
    expect(run).toMatchObject({ state: 'succeeded', attempt: 2, instance_id: b.scheduler.instanceId });
    expect(b.logs.some((l) => l.msg === 'job run lost its instance; retrying' && l.job === 'nightly')).toBe(true);

    await clockB.jump('2026-04-01T11:10:00Z');
    await b.scheduler.tick();
    await b.scheduler.idle();
    expect(calls).toEqual(['A:1', 'B:2']); // not again
  });

  it('an overrunning run delays the next slot (no overlap) and the delay is recorded', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    const entered: string[] = [];
    const spans: { slot: string; start: number; end: number }[] = [];
    const o = await schedulerInstance(t, clock, [
      {
        key: 'slow',
        schedule: { cron: '* * * * *', tz: 'UTC' },
        catchUp: 'all',
        maxRunS: 600,
        handler: async (ctx) => {
          const start = clock.now().getTime();
          const done = clock.sleep(ctx.slot.getUTCMinutes() === 1 ? 90_000 : 1_000);
          entered.push(ctx.slot.toISOString().slice(11, 16));
          await done;
          spans.push({ slot: ctx.slot.toISOString().slice(11, 16), start, end: clock.now().getTime() });
        },
      },
    ]);
    resources.track(o);
    const inside = (slot: string) => vi.waitFor(() => expect(entered).toContain(slot));

    await clock.jump('2026-04-01T10:01:00Z');
    await o.scheduler.tick();
    await inside('10:01'); // runs until 10:02:30
    await clock.jump('2026-04-01T10:02:00Z');
    await o.scheduler.tick(); // 10:02 is due but must wait: no overlap
    expect(entered).toEqual(['10:01']);
    await clock.jump('2026-04-01T10:02:30Z'); // 10:01 ends; 10:02 starts at once
    await inside('10:02');
    await clock.jump('2026-04-01T10:02:31Z');
    await o.scheduler.idle();

    expect(spans.map((s) => s.slot)).toEqual(['10:01', '10:02']);
    expect(spans[1]!.start).toBeGreaterThanOrEqual(spans[0]!.end);
    const second = await runRow('slow', '2026-04-01T10:02:00Z');
    expect(Number(second.delay_ms)).toBe(30_000); // waited for 10:01 to finish at 10:02:30
    expect(second.state).toBe('succeeded');
  });

  it('a throwing handler: error logged with job and slot, a fail ping with the error text, a metric, a retry', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    let calls = 0;
    const o = await schedulerInstance(t, clock, [
      {
        key: 'invoice-run',
        schedule: { cron: '0 2 * * *', tz: 'America/Chicago' },
        catchUp: 'latest',
        maxRunS: 600,
        maxAttempts: 2,
        handler: async () => {
          calls++;
          throw new Error('ledger is locked by a migration');
        },
      },
    ]);
    resources.track(o);
    await clock.jump('2026-04-02T07:00:00Z'); // 02:00 CDT
    await o.scheduler.tick();
    await o.scheduler.idle();
    await o.heartbeats.intake.drained();

    const job = await t.db.selectFrom('jobs').select('check_id').where('key', '=', 'invoice-run').executeTakeFirstOrThrow();
    const pings = await t.db.selectFrom('pings').selectAll().where('check_id', '=', job.check_id!).orderBy('n').execute();
    expect(pings.map((p) => p.kind)).toEqual(['start', 'fail']);
    expect(Buffer.from(pings[1]!.body!).toString()).toMatch(/ledger is locked by a migration/);
    expect(pings[1]!.scheduled_for).toEqual(new Date('2026-04-02T07:00:00Z'));
    expect(pings[0]!.rid).toBe(pings[1]!.rid);
    expect(await metricValue(o.metricReader, 'overdue_job_failures_total', { job: 'invoice-run' })).toBe(1);
    const logged = o.logs.find((l) => l.msg === 'job run failed');
    expect(logged).toMatchObject({ level: 50, job: 'invoice-run', slot: '2026-04-02T07:00:00.000Z', outcome: 'failed' });
    const check = await t.db.selectFrom('checks').select('status').where('id', '=', job.check_id!).executeTakeFirstOrThrow();
    expect(check.status).toBe('down');

    // Retried after the backoff; the second failure is final (max attempts 2).
    expect((await runRow('invoice-run', '2026-04-02T07:00:00Z')).state).toBe('pending');
    await clock.jump('2026-04-02T07:01:00Z');
    await o.scheduler.tick();
    await o.scheduler.idle();
    expect(calls).toBe(2);
    expect(await runRow('invoice-run', '2026-04-02T07:00:00Z')).toMatchObject({ state: 'failed', attempt: 2 });
    expect(await metricValue(o.metricReader, 'overdue_job_failures_total', { job: 'invoice-run' })).toBe(2);
  });

  it('a run that exceeds its max run time is aborted and recorded as timed out', async () => {
    t = await resources.database();
    const clock = new ManualClock('2026-04-01T10:00:30Z');
    let aborted = false;
    let entered = false;
    const o = await schedulerInstance(t, clock, [
      {
        key: 'stuck',
        schedule: { cron: '0 * * * *', tz: 'UTC' },
        catchUp: 'latest',
        maxRunS: 5,
        maxAttempts: 1,
        handler: (ctx) =>
          new Promise((_, reject) => {
            entered = true;
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason);
            });
          }),
      },
    ]);
    resources.track(o);
    await clock.jump('2026-04-01T11:00:00Z');
    await o.scheduler.tick();
    // A run arms its lease renewal and time limit before it calls the handler.
    await vi.waitFor(() => expect(entered).toBe(true));
    await clock.advance(5_000);
    await o.scheduler.idle();
    expect(aborted).toBe(true);
    expect(await runRow('stuck', '2026-04-01T11:00:00Z')).toMatchObject({ state: 'timed_out', error: expect.stringMatching(/exceeded max run time of 5 s/) });
  });
});
