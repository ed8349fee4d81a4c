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
 * The instant at which `tz` shows `local`. A wall time that occurs twice (fall
 * back) gives the first occurrence; one that does not exist (spring forward)
 * gives the first instant after the gap, i.e. the moment of the change.
 */
export function fromLocal(local: LocalDateTime, tz: string): Date {
  const wall = asUtcMs(local);
  // The offsets in force around this wall time (at most two), largest first:
  // a larger offset gives an earlier instant, so the first match is the first occurrence.
  const offsets = [...new Set([offsetAt(wall - 86_400_000, tz), offsetAt(wall, tz), offsetAt(wall + 86_400_000, tz)])].sort((a, b) => b - a);
  for (const off of offsets) {
    const t = wall - off;
    if (asUtcMs(toLocal(new Date(t), tz)) === wall) return new Date(t);
  }
  // In a gap: bisect (to the second) for the moment the offset changes.
  let lo = wall - offsets[0]!;
  let hi = wall - offsets[offsets.length - 1]!;
  const before = offsetAt(lo, tz);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetAt(mid, tz) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
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
