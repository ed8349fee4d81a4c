import type { CheckKind, StoredStatus } from './table.js';
import { cronFor } from '../time/cron.js';

/** The fields that decide a check's deadlines and derived status. */
export interface CheckTiming {
  kind: CheckKind;
  timeoutS: number;
  graceS: number;
  schedule: string;
  tz: string;
  status: StoredStatus;
  lastStart: Date | null;
  /** Where the schedule counts from; see the `reference_at` column. */
  referenceAt: Date | null;
}

export type DerivedStatus = 'new' | 'up' | 'grace' | 'down' | 'paused' | 'started';

/** When the current period ends: only for `up` checks; null means never. */
export function scheduleStart(check: CheckTiming): Date | null {
  if (check.status !== 'up' || !check.referenceAt) return null;
  if (check.kind === 'simple') return new Date(check.referenceAt.getTime() + check.timeoutS * 1000);
  return cronFor(check.schedule, check.tz).nextAfter(check.referenceAt);
}

/** When lateness starts: the schedule's end, or an open run's start if earlier (not for down checks). */
export function graceStart(check: CheckTiming): Date | null {
  const scheduled = scheduleStart(check);
  if (check.lastStart && check.status !== 'down') {
    if (!scheduled || check.lastStart < scheduled) return check.lastStart;
  }
  return scheduled;
}

/** The stored deadline: grace start + grace, or null when nothing can make the check go down. */
export function alertAfter(check: CheckTiming): Date | null {
  const start = graceStart(check);
  return start ? new Date(start.getTime() + check.graceS * 1000) : null;
}

/** The status at `now`, derived from stored fields; all boundaries inclusive. */
export function statusAt(check: CheckTiming, now: Date): DerivedStatus {
  const t = now.getTime();
  const grace = check.graceS * 1000;
  if (check.lastStart) {
    if (t >= check.lastStart.getTime() + grace) return 'down';
    return 'started';
  }
  if (check.status !== 'up') return check.status;
  const s = scheduleStart(check);
  if (!s) return 'up';
  if (t >= s.getTime() + grace) return 'down';
  if (t >= s.getTime()) return 'grace';
  return 'up';
}

/** v2/v3 representation: `started` is a separate flag, never a status. */
export function apiStatus(check: CheckTiming, now: Date): { status: Exclude<DerivedStatus, 'started'>; started: boolean } {
  const derived = statusAt({ ...check, lastStart: null }, now);
  const withStart = statusAt(check, now);
  return { status: withStart === 'down' ? 'down' : (derived as Exclude<DerivedStatus, 'started'>), started: check.lastStart !== null };
}
