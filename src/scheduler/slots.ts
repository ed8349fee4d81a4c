import { cronFor } from '../heartbeats/status.js';
import type { CatchUpPolicy } from './table.js';

export type JobSchedule = { cron: string; tz: string } | { intervalS: number };

/** The first slot strictly after `after`. Interval slots are aligned to the Unix epoch, so every instance agrees. */
export function nextSlot(schedule: JobSchedule, after: Date): Date | null {
  if ('intervalS' in schedule) {
    const step = schedule.intervalS * 1000;
    return new Date((Math.floor(after.getTime() / step) + 1) * step);
  }
  return cronFor(schedule.cron, schedule.tz).nextAfter(after);
}

/** True when `at` is a slot of the schedule. */
export function isSlot(schedule: JobSchedule, at: Date): boolean {
  if ('intervalS' in schedule) return at.getTime() % (schedule.intervalS * 1000) === 0;
  return cronFor(schedule.cron, schedule.tz).fires(at);
}

/**
 * Slots in (from, to], oldest first, at most `limit` of them (the newest
 * `limit` when there are more; `truncated` counts what was left out).
 */
export function slotsBetween(schedule: JobSchedule, from: Date, to: Date, limit: number): { slots: Date[]; truncated: number } {
  const slots: Date[] = [];
  let truncated = 0;
  for (let at = nextSlot(schedule, from); at && at <= to; at = nextSlot(schedule, at)) {
    slots.push(at);
    if (slots.length > limit) {
      slots.shift();
      truncated++;
    }
  }
  return { slots, truncated };
}

export interface CatchUpPlan {
  run: Date[];
  skip: { slot: Date; reason: string }[];
}

/**
 * What to do with the slots that came due since the watermark:
 * `all` runs each (oldest first) up to `cap`, skipping the oldest surplus;
 * `latest` runs only the newest; `skip` runs the newest only if it is within
 * `tolerance` of now. Every slot not run is returned as a skip with its reason.
 */
export function planCatchUp(policy: CatchUpPolicy, cap: number, due: Date[], now: Date, toleranceMs: number): CatchUpPlan {
  if (due.length === 0) return { run: [], skip: [] };
  const newest = due[due.length - 1]!;
  if (policy === 'all') {
    const surplus = Math.max(0, due.length - cap);
    return {
      run: due.slice(surplus),
      skip: due.slice(0, surplus).map((slot) => ({ slot, reason: `catch-up cap of ${cap} slots exceeded` })),
    };
  }
  const older = due.slice(0, -1).map((slot) => ({ slot, reason: `missed; catch-up policy ${policy} runs only the newest slot` }));
  if (policy === 'latest') return { run: [newest], skip: older };
  if (now.getTime() - newest.getTime() <= toleranceMs) return { run: [newest], skip: older };
  return { run: [], skip: [...older, { slot: newest, reason: 'missed; catch-up policy skip' }] };
}
