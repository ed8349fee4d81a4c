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
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

/**
 * Parses a 5-field (or, beyond healthchecks, 6-field with seconds) cron
 * expression in an IANA zone. Throws InvalidScheduleError with a reason.
 */
export function parseCronSchedule(expression: string, tz: string): CronSchedule {
  const zone = normalizeTimeZone(tz);
  if (!zone) throw new InvalidScheduleError('tz is not a valid timezone');
  if (/[\r\n]/.test(expression)) throw new InvalidScheduleError('schedule must be one line');
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) throw new InvalidScheduleError('schedule needs 5 fields (or 6 with seconds)');
  if (fields.some((f) => f.startsWith('@') || f.includes('?'))) throw new InvalidScheduleError('schedule may not use nicknames or "?"');
  const [dom, , dow] = fields.slice(-3);
  // W is only allowed as LW (last weekday of the month).
  if (/W/i.test(dom!.replace(/LW/gi, ''))) throw new InvalidScheduleError('schedule may use W only as LW');
  if (/\+/.test(dow!)) throw new InvalidScheduleError('schedule may not use "+"');
  // Debian cron ANDs day-of-month and day-of-week when either starts with '*'.
  const domAndDow = dom!.startsWith('*') || dow!.startsWith('*');
  const options = () => ({
    timezone: zone,
    mode: (fields.length === 5 ? '5-part' : '6-part') as '5-part' | '6-part',
    domAndDow,
    fixedTimeRule: 'no-wildcard' as const,
  });
  let cron: Cron;
  try {
    // croner mutates its options object: build a fresh one per instance.
    cron = new Cron(fields.join(' '), options());
    cron.nextRun(new Date(0));
  } catch (err) {
    throw new InvalidScheduleError(`schedule is not a valid cron expression (${(err as Error).message})`);
  }
  return {
    expression: fields.join(' '),
    tz: zone,
    nextAfter: (after) => cron.nextRun(new Date(Math.floor(after.getTime() / 1000) * 1000)) ?? null,
    fires: (at) => {
      if (at.getMilliseconds() !== 0) return false;
      const next = cron.nextRun(new Date(at.getTime() - 1000));
      return next !== null && next.getTime() === at.getTime();
    },
  };
}
