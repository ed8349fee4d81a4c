import { Cron } from 'croner';

/**
 * Cron schedules with healthchecks' (Debian cron) semantics, evaluated by
 * croner 11 as date math only. See scheduling-and-expectations.md §1.
 */
export interface CronSchedule {
  expression: string;
  tz: string;
  /** The first fire time strictly after `after` (its sub-second part ignored), or null if none. */
  nextAfter(after: Date): Date | null;
  /** True when `at` is exactly a fire time. */
  fires(at: Date): boolean;
  /** The last fire time strictly before `before`, or null if none. */
  previousBefore(before: Date): Date | null;
}

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

const LEGACY_ZONES: Record<string, string> = {
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'US/Eastern': 'America/New_York',
  'US/Central': 'America/Chicago',
  'US/Mountain': 'America/Denver',
  'US/Pacific': 'America/Los_Angeles',
};

/** The canonical IANA zone for `tz`, or undefined when it is not a zone. */
export function normalizeTimeZone(tz: string): string | undefined {
  const name = LEGACY_ZONES[tz] ?? tz;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // IANA names are case-sensitive; Intl is not. 'europe/berlin' is refused, as healthchecks does.
    if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
    return name;
  } catch {
    return undefined;
  }
}

/**
 * Debian cron runs a job by wall clock (one run in a DST gap or repeat) when
 * neither its minute nor its hour field starts with '*'. croner counts a
 * stepped range such as `0-30/5` as an interval job, so such fields are
 * spelled out as lists, which croner treats as fixed-time.
 */
function expandSteppedField(field: string, max: number): string {
  if (field.startsWith('*') || !field.includes('/')) return field;
  return field
    .split(',')
    .map((part) => {
      const m = /^(\d+)(?:-(\d+))?\/(\d+)$/.exec(part);
      if (!m) return part;
      const from = Number(m[1]);
      const to = m[2] !== undefined ? Number(m[2]) : max;
      const step = Number(m[3]);
      if (step <= 0 || from > to || to > max) return part; // let croner reject it
      const values: number[] = [];
      for (let v = from; v <= to; v += step) values.push(v);
      return values.join(',');
    })
    .join(',');
}

/**
 * Parses a 5-field (or, beyond healthchecks, 6-field with seconds) cron
 * expression in an IANA zone. Throws InvalidScheduleError with a reason.
 */
export function parseCronSchedule(expression: string, tz: string): CronSchedule {
  const zone = normalizeTimeZone(tz);
  if (!zone) throw new InvalidScheduleError('tz is not a valid timezone');
  if (/[\r\n]/.test(expression)) throw new InvalidScheduleError('schedule must be one line');
  const original = expression.trim().split(/\s+/).join(' ');
  const fields = original.split(' ');
  if (fields.length !== 5 && fields.length !== 6) throw new InvalidScheduleError('schedule needs 5 fields (or 6 with seconds)');
  if (fields.some((f) => f.startsWith('@') || f.includes('?'))) throw new InvalidScheduleError('schedule may not use nicknames or "?"');
  const [dom, , dow] = fields.slice(-3);
  // W is only allowed as LW (last weekday of the month).
  if (/W/i.test(dom!.replace(/LW/gi, ''))) throw new InvalidScheduleError('schedule may use W only as LW');
  if (/\+/.test(dow!)) throw new InvalidScheduleError('schedule may not use "+"');
  // Debian cron ANDs day-of-month and day-of-week when either starts with '*'.
  const domAndDow = dom!.startsWith('*') || dow!.startsWith('*');
  const minuteAt = fields.length - 5;
  if (!fields[minuteAt]!.startsWith('*') && !fields[minuteAt + 1]!.startsWith('*')) {
    fields[minuteAt] = expandSteppedField(fields[minuteAt]!, 59);
    fields[minuteAt + 1] = expandSteppedField(fields[minuteAt + 1]!, 23);
  }
  const croned = fields.join(' ');
  const options = () => ({
    timezone: zone,
    mode: (fields.length === 5 ? '5-part' : '6-part') as '5-part' | '6-part',
    domAndDow,
    fixedTimeRule: 'no-wildcard' as const,
  });
  let cron: Cron;
  try {
    // croner mutates its options object: build a fresh one per instance.
    cron = new Cron(croned, options());
    cron.nextRun(new Date(0));
  } catch (err) {
    throw new InvalidScheduleError(`schedule is not a valid cron expression (${(err as Error).message})`);
  }
  // A schedule that has no fire time after some instant has none after any later one: remember the
  // earliest such instant, so a schedule that never fires costs its (slow) search once, not per call.
  let noneAfter = Infinity;
  const recent = new Map<number, Date | null>();
  const nextAfter = (after: Date): Date | null => {
    const from = Math.floor(after.getTime() / 1000) * 1000;
    if (from >= noneAfter) return null;
    const known = recent.get(from);
    if (known !== undefined) return known;
    const next = cron.nextRun(new Date(from)) ?? null;
    if (next === null) noneAfter = Math.min(noneAfter, from);
    if (recent.size >= 256) recent.delete(recent.keys().next().value!);
    recent.set(from, next);
    return next;
  };
  return {
    // The expression as written (normalised spacing), not the expanded form given to croner.
    expression: original,
    tz: zone,
    nextAfter,
    previousBefore: (before) => cron.previousRuns(1, new Date(before.getTime()))[0] ?? null,
    fires: (at) => {
      if (at.getMilliseconds() !== 0) return false;
      const next = cron.nextRun(new Date(at.getTime() - 1000));
      return next !== null && next.getTime() === at.getTime();
    },
  };
}

const YEAR_MS = 367 * 86_400_000; // a year with a leap day and a DST hour to spare
const SAMPLE_MS = 183 * 86_400_000;
const CYCLE_START = Date.UTC(2001, 0, 1);
const CYCLE_MS = 28 * 365.25 * 86_400_000; // weekdays and leap years repeat every 28 years (within 1901–2099)

/**
 * Whether the schedule fires at least once in every year. Any gap between two
 * fire times longer than a year holds one of the sample instants (they are
 * half a year apart), so the widest gap around each sample, over the 28-year
 * cycle of weekdays and leap days, decides: `0 0 29 2 *` (every 4 years) and
 * `* * 30 2 *` (never) are refused.
 */
export function firesAtLeastYearly(schedule: CronSchedule): boolean {
  for (let at = CYCLE_START; at < CYCLE_START + CYCLE_MS; at += SAMPLE_MS) {
    const next = schedule.nextAfter(new Date(at));
    const previous = next && schedule.previousBefore(new Date(at + 1000));
    if (!next || !previous || next.getTime() - previous.getTime() > YEAR_MS) return false;
  }
  return true;
}

/** A schedule a client sends: valid, and firing at least once a year. Throws InvalidScheduleError with a reason. */
export function parseClientSchedule(expression: string, tz: string): CronSchedule {
  const schedule = parseCronSchedule(expression, tz);
  if (!firesAtLeastYearly(schedule)) throw new InvalidScheduleError('schedule must fire at least once a year');
  return schedule;
}

const cronCache = new Map<string, CronSchedule>();

/** Parsed schedules are immutable date math, so they are memoised by expression and zone. */
export function cronFor(schedule: string, tz: string): CronSchedule {
  const key = `${tz}\u0000${schedule}`;
  let cron = cronCache.get(key);
  if (!cron) {
    cron = parseCronSchedule(schedule, tz);
    if (cronCache.size > 10_000) cronCache.clear();
    cronCache.set(key, cron);
  }
  return cron;
}
