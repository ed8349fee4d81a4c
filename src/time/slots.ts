import { cronFor } from './cron.js';

/** A schedule of slots: cron in a zone, or every `intervalS` seconds aligned to the epoch. */
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

/** The slot before `slot` (looking back up to 400 days), or the epoch. */
export function previousSlot(schedule: JobSchedule, slot: Date): Date {
  for (const lookbackMs of [120_000, 7_200_000, 172_800_000, 5_529_600_000, 34_560_000_000]) {
    let last: Date | null = null;
    for (let at = nextSlot(schedule, new Date(slot.getTime() - lookbackMs)); at && at < slot; at = nextSlot(schedule, at)) last = at;
    if (last) return last;
  }
  return new Date(0);
}
