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
  return {
    // The expression as written (normalised spacing), not the expanded form given to croner.
    expression: original,
    tz: zone,
    nextAfter: (after) => cron.nextRun(new Date(Math.floor(after.getTime() / 1000) * 1000)) ?? null,
    fires: (at) => {
      if (at.getMilliseconds() !== 0) return false;
      const next = cron.nextRun(new Date(at.getTime() - 1000));
      return next !== null && next.getTime() === at.getTime();
    },
  };
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
