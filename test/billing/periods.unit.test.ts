import { describe, expect, it } from 'vitest';
import { fromLocal, toLocal } from '../../src/time/local-time.js';
import { expectedPeriods, period, periodStart, type BillingCycle } from '../../src/billing/periods.js';

const localDate = (d: Date, tz: string) => {
  const l = toLocal(d, tz);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
};

describe('local time conversions', () => {
  it('round-trips ordinary wall times', () => {
    const at = fromLocal({ year: 2025, month: 5, day: 17, hour: 2, minute: 0, second: 0 }, 'America/Chicago');
    expect(at.toISOString()).toBe('2025-05-17T07:00:00.000Z');
    expect(toLocal(at, 'America/Chicago')).toEqual({ year: 2025, month: 5, day: 17, hour: 2, minute: 0, second: 0 });
  });

  it('a wall time in a spring-forward gap is read with the offset before the change (as PostgreSQL does)', () => {
    // New York 2025-03-09: 02:00 EST → 03:00 EDT (07:00Z); 02:30 is read as EST, i.e. 03:30 EDT.
    expect(fromLocal({ year: 2025, month: 3, day: 9, hour: 2, minute: 30, second: 0 }, 'America/New_York').toISOString()).toBe('2025-03-09T07:30:00.000Z');
    // A missing midnight becomes the first instant after the gap.
    // Santiago 2024-09-08: midnight does not exist (00:00 → 01:00, UTC-4 → UTC-3).
    expect(fromLocal({ year: 2024, month: 9, day: 8, hour: 0, minute: 0, second: 0 }, 'America/Santiago').toISOString()).toBe('2024-09-08T04:00:00.000Z');
  });

  it('a repeated fall-back wall time gives its later occurrence (as PostgreSQL does)', () => {
    // New York 2025-11-02: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(fromLocal({ year: 2025, month: 11, day: 2, hour: 1, minute: 30, second: 0 }, 'America/New_York').toISOString()).toBe('2025-11-02T06:30:00.000Z');
  });
});

describe('billing periods', () => {
  const monthly = (anchor: string, tz: string, intervalCount = 1): BillingCycle => ({ anchor: new Date(anchor), interval: 'month', intervalCount, tz });

  it('month-end anchors bill on the last day of shorter months and return to the 31st (14 months)', () => {
    const cycle = monthly('2025-01-31T05:00:00Z', 'America/New_York'); // Jan 31 00:00 EST
    const days = Array.from({ length: 14 }, (_, n) => localDate(periodStart(cycle, n), cycle.tz));
    expect(days).toEqual([
      '2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31', '2025-06-30', '2025-07-31',
      '2025-08-31', '2025-09-30', '2025-10-31', '2025-11-30', '2025-12-31', '2026-01-31', '2026-02-28',
    ]);
    // Always local midnight, across both DST changes.
    for (let n = 0; n < 14; n++) expect(toLocal(periodStart(cycle, n), cycle.tz).hour).toBe(0);
  });

  it('a Feb 29 anchor bills Feb 28 in other years and Feb 29 in leap years', () => {
    const cycle: BillingCycle = { anchor: new Date('2024-02-29T00:00:00Z'), interval: 'year', intervalCount: 1, tz: 'UTC' };
    expect([0, 1, 2, 3, 4].map((n) => localDate(periodStart(cycle, n), 'UTC'))).toEqual(['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
    const mcycle = monthly('2024-01-29T00:00:00Z', 'UTC');
    expect(localDate(periodStart(mcycle, 1), 'UTC')).toBe('2024-02-29');
    expect(localDate(periodStart(mcycle, 13), 'UTC')).toBe('2025-02-28');
    expect(localDate(periodStart(mcycle, 14), 'UTC')).toBe('2025-03-29');
  });

  it('weeks and days step by local calendar days, never by 24-hour spans', () => {
    const daily: BillingCycle = { anchor: new Date('2025-03-08T07:00:00Z'), interval: 'day', intervalCount: 1, tz: 'America/Los_Angeles' }; // Mar 7 23:00 PST
    const spring = [0, 1, 2].map((n) => periodStart(daily, n).toISOString());
    // Mar 8 23:00 PST, then Mar 9 23:00 PDT: one local day, but only 23 hours later.
    expect(spring).toEqual(['2025-03-08T07:00:00.000Z', '2025-03-09T07:00:00.000Z', '2025-03-10T06:00:00.000Z']);
    const weekly: BillingCycle = { anchor: new Date('2025-10-20T22:00:00Z'), interval: 'week', intervalCount: 2, tz: 'Europe/Berlin' }; // Tue Oct 21 00:00 CEST
    // Two weeks on is Tue Nov 4 00:00, now CET: 14 local days, 337 hours.
    expect([0, 1].map((n) => periodStart(weekly, n).toISOString())).toEqual(['2025-10-20T22:00:00.000Z', '2025-11-03T23:00:00.000Z']);
  });

  it('consecutive periods tile (end = next start, no gaps, no overlaps) across zones, month ends, leap years and DST', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
    const anchors = ['2023-01-31T12:00:00Z', '2024-02-29T03:00:00Z', '2024-03-30T23:30:00Z', '2025-10-26T00:30:00Z'];
    const cycles: BillingCycle[] = [];
    for (const tz of zones) {
      for (const a of anchors) {
        for (const [interval, intervalCount] of [['day', 1], ['week', 1], ['month', 1], ['month', 3], ['year', 1]] as const) {
          cycles.push({ anchor: new Date(a), interval, intervalCount, tz });
        }
      }
    }
    for (const cycle of cycles) {
      let previous = period(cycle, 0);
      // Period 0 is the anchor's wall time; an anchor whose wall time repeats (Berlin 02:30 on
      // 2025-10-26 is the first of two) is read as its later occurrence, as in SQL.
      const wall = toLocal(cycle.anchor, cycle.tz);
      expect(previous.start.getTime()).toBe(fromLocal(wall, cycle.tz).getTime());
      expect(toLocal(previous.start, cycle.tz)).toEqual(wall);
      for (let n = 1; n < 30; n++) {
        const p = period(cycle, n);
        expect(p.start.getTime(), `${cycle.tz} ${cycle.interval}×${cycle.intervalCount} n=${n}`).toBe(previous.end.getTime());
        expect(p.end.getTime()).toBeGreaterThan(p.start.getTime());
        previous = p;
      }
    }
  });

  it('expectedPeriods lists every period started by asOf, from the last billed one (catching up missed runs)', () => {
    const cycle = monthly('2025-01-15T06:00:00Z', 'America/Chicago'); // the 15th, 00:00 local
    const due = expectedPeriods(cycle, new Date('2025-05-15T05:00:00Z'), 2);
    expect(due.map((p) => [p.index, localDate(p.start, cycle.tz)])).toEqual([
      [2, '2025-03-15'],
      [3, '2025-04-15'],
      [4, '2025-05-15'], // starts exactly at asOf: included
    ]);
    expect(expectedPeriods(cycle, new Date('2025-05-15T04:59:59Z'), 2).map((p) => p.index)).toEqual([2, 3]);
    expect(expectedPeriods(cycle, new Date('2024-12-01T00:00:00Z'))).toEqual([]);
  });
});
