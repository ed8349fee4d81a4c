import { addDays, addMonthsClamped, fromLocal, toLocal } from '../time/local-time.js';

export type IntervalUnit = 'day' | 'week' | 'month' | 'year';

export interface BillingCycle {
  /** The start of period 0. Its local date and wall time in `tz` define every later period. */
  anchor: Date;
  interval: IntervalUnit;
  intervalCount: number;
  /** The tenant's IANA zone: period boundaries are local times there. */
  tz: string;
}

export interface Period {
  index: number;
  start: Date;
  /** Exclusive: the next period's start. */
  end: Date;
}

/**
 * The start of period `n`, derived from the anchor, never from the previous
 * period: anchor's local date + n intervals, with the day clamped to the
 * month (anchor 31 → Feb 28/29, Apr 30, then the 31st again; anchor Feb 29 →
 * Feb 28 in other years), at the anchor's local wall time.
 */
export function periodStart(cycle: BillingCycle, n: number): Date {
  const anchor = toLocal(cycle.anchor, cycle.tz);
  const steps = n * cycle.intervalCount;
  const local =
    cycle.interval === 'day'
      ? addDays(anchor, steps)
      : cycle.interval === 'week'
        ? addDays(anchor, steps * 7)
        : addMonthsClamped(anchor, cycle.interval === 'month' ? steps : steps * 12, anchor.day);
  return fromLocal(local, cycle.tz);
}

export function period(cycle: BillingCycle, n: number): Period {
  return { index: n, start: periodStart(cycle, n), end: periodStart(cycle, n + 1) };
}

/**
 * Every period that has started by `asOf` (start ≤ asOf), from `fromIndex`
 * on, at most `limit` of them. The invoice generator and the expectations both
 * ask this one function what should exist.
 */
export function expectedPeriods(cycle: BillingCycle, asOf: Date, fromIndex = 0, limit = 1000): Period[] {
  const out: Period[] = [];
  for (let n = fromIndex; out.length < limit; n++) {
    const p = period(cycle, n);
    if (p.start > asOf) break;
    out.push(p);
  }
  return out;
}
