/**
 * A private alert, ready for any channel kind: built once when the alert is
 * queued (so every channel says the same thing) and rendered per kind at send
 * time, when the channel's secrets are opened. Private: internal names, ids
 * and evidence are the point here.
 */
export interface AlertMessage {
  /** The alert event's id: the same on every channel and retry. */
  eventId: string;
  /** e.g. `check.down`, `check.up`, `expectation.failing`, `incident.published`, `test`. */
  kind: string;
  state: 'failing' | 'recovered' | 'info';
  severity: 'critical' | 'warning' | 'info';
  title: string;
  /** Plain text, a few lines. */
  text: string;
  facts: { name: string; value: string }[];
  /** Evidence shown verbatim: the last ping body, sample rows (at most 1 KB). */
  excerpt: string | null;
  links: { label: string; url: string }[];
  /** Groups a failure with its recovery (PagerDuty's dedup_key): one per source. */
  dedupKey: string;
  /** ISO 8601 instant it happened. */
  at: string;
}

export const EXCERPT_LIMIT = 1024;

/** At most `limit` bytes of UTF-8, cut on a character boundary, with a marker when cut. */
export function excerpt(text: string, limit = EXCERPT_LIMIT): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  let cut = bytes.subarray(0, limit).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}… (${bytes.length} bytes in all)`;
}

/** "5 min", "2 h 5 min", "3 d 4 h": durations for people. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}
