/**
 * Instants and calendar dates for people to read, in a named IANA zone.
 * Pure; the zone is always explicit (a mail never falls back to the server's
 * zone, which is UTC in production and anything on a laptop).
 */

/**
 * An instant as a local date and time with the zone named:
 * "December 5, 2026 at 8:00 AM EST" (en-US, America/New_York),
 * "5 December 2026 at 14:00 CET" (en-GB, Europe/Berlin). Where the locale has
 * no abbreviation for the zone, English CLDR gives only an offset ("GMT+9");
 * the zone's long name is used instead ("Japan Standard Time"), which names
 * the zone and says whether it is summer time.
 */
export function formatInstant(at: Date, timeZone: string, locale: string): string {
  const options: Intl.DateTimeFormatOptions = { timeZone, year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  const short = new Intl.DateTimeFormat(locale, options);
  const zone = short.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (!/^GMT[+\-\u2212]/.test(zone)) return short.format(at);
  return new Intl.DateTimeFormat(locale, { ...options, timeZoneName: 'long' }).format(at);
}

/** The local calendar date of an instant in the zone: "March 8, 2026" (en-US), "8 March 2026" (en-GB). */
export function formatDate(at: Date, timeZone: string, locale: string): string {
  return dateFormat(timeZone, locale).format(at);
}

/**
 * A half-open period [start, end) as the local days it covers: "March 1 – 31,
 * 2026" (en-US), "1–31 March 2026" (en-GB). The last day shown is the one
 * holding the last instant before `end`, so a period ending at local
 * midnight ends the day before, and one ending at 14:00 ends that day.
 */
export function formatPeriod(start: Date, end: Date, timeZone: string, locale: string): string {
  const last = new Date(Math.max(start.getTime(), end.getTime() - 1));
  return dateFormat(timeZone, locale).formatRange(start, last);
}

function dateFormat(timeZone: string, locale: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'long', day: 'numeric' });
}
