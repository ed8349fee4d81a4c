/**
 * Wall-clock time in an IANA zone, and the conversions to and from UTC
 * instants. Pure; no dependency beyond Intl. Calendar arithmetic happens on
 * local dates; instants are derived only at the boundary.
 */
export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock time in `tz` at `instant`. */
export function toLocal(instant: Date, tz: string): LocalDateTime {
  const parts = Object.fromEntries(formatter(tz).formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function asUtcMs(l: LocalDateTime): number {
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
}

/** Local minus UTC at `ms`, in ms (whole seconds). */
function offsetAt(ms: number, tz: string): number {
  const second = Math.floor(ms / 1000) * 1000;
  return asUtcMs(toLocal(new Date(second), tz)) - second;
}

/**
 * The instant at which `tz` shows `local`, resolved exactly as PostgreSQL's
 * `timestamp AT TIME ZONE tz` does, so periods computed here and in SQL agree:
 * where the wall time is ambiguous (fall back) or missing (spring forward),
 * the smaller of the two offsets applies. A repeated time therefore gives its
 * later occurrence, and a missing one is read with the offset before the change
 * (02:30 in a 02:00→03:00 gap is 03:30); a midnight that does not exist
 * becomes the first instant after the gap.
 */
export function fromLocal(local: LocalDateTime, tz: string): Date {
  const wall = asUtcMs(local);
  const offsets = [...new Set([offsetAt(wall - 86_400_000, tz), offsetAt(wall, tz), offsetAt(wall + 86_400_000, tz)])];
  const matching = offsets.filter((off) => asUtcMs(toLocal(new Date(wall - off), tz)) === wall);
  if (matching.length === 1) return new Date(wall - matching[0]!);
  return new Date(wall - Math.min(...offsets));
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `local` moved by whole months; the day is `anchorDay` clamped to the month's length. */
export function addMonthsClamped(local: LocalDateTime, months: number, anchorDay: number): LocalDateTime {
  const index = local.year * 12 + (local.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { ...local, year, month, day: Math.min(anchorDay, daysInMonth(year, month)) };
}

/** `local` moved by whole calendar days (never by 24-hour steps). */
export function addDays(local: LocalDateTime, days: number): LocalDateTime {
  const d = new Date(Date.UTC(local.year, local.month - 1, local.day + days));
  return { ...local, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
