import { fromLocal, toLocal, type LocalDateTime } from '../time/local-time.js';
import { AMOUNT_RULE, parseAmount } from './money.js';
import type { IntervalUnit } from './table.js';

export interface SubscriptionInput {
  accountId: string;
  description: string;
  amount: bigint;
  interval: IntervalUnit;
  intervalCount: number;
  /** Period 0's start, normalized to a wall time the zone shows (see fromLocal). */
  anchor: Date;
  anchorLocal: string;
  autoRenew: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTERVALS: readonly IntervalUnit[] = ['day', 'week', 'month', 'year'];
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD HH:MM:SS`, the text form of a SQL `timestamp`. */
export function localText(l: LocalDateTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(l.year, 4)}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}:${p(l.second)}`;
}

/**
 * The anchor: an ISO 8601 instant with offset, or a date (local midnight in the
 * tenant's zone); `now` when absent. Sub-second parts are dropped.
 */
export function parseAnchor(value: unknown, tz: string, now: Date): { anchor: Date; anchorLocal: string } | undefined {
  let local: LocalDateTime;
  if (value === undefined || value === null) local = toLocal(now, tz);
  else if (typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) local = toLocal(new Date(value), tz);
  else if (typeof value === 'string' && LOCAL_DATE.test(value)) {
    const [, y, m, d] = LOCAL_DATE.exec(value)!.map(Number) as [number, number, number, number];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
    local = { year: y, month: m, day: d, hour: 0, minute: 0, second: 0 };
  } else return undefined;
  if (local.year < 1970 || local.year > 9000) return undefined;
  return { anchor: fromLocal(local, tz), anchorLocal: localText(local) };
}

/** Validates a subscription body; returns the input or a message naming the bad field. */
export function parseSubscriptionInput(body: unknown, tz: string, now: Date): SubscriptionInput | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'body must be a JSON object' };
  const b = body as Record<string, unknown>;
  if (typeof b.account_id !== 'string' || !UUID.test(b.account_id)) return { error: 'account_id must be the id of one of your accounts' };
  if (typeof b.description !== 'string' || b.description.trim() === '' || b.description.length > 500) return { error: 'description must be a non-empty string of at most 500 characters' };
  const amount = parseAmount(b.amount);
  if (amount === undefined) return { error: `amount must be ${AMOUNT_RULE}` };
  if (typeof b.interval !== 'string' || !INTERVALS.includes(b.interval as IntervalUnit)) return { error: 'interval must be one of day, week, month, year' };
  const count = b.interval_count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) return { error: 'interval_count must be a whole number from 1 to 1000' };
  if (b.auto_renew !== undefined && typeof b.auto_renew !== 'boolean') return { error: 'auto_renew must be true or false' };
  const anchor = parseAnchor(b.anchor, tz, now);
  if (!anchor) return { error: 'anchor must be an ISO 8601 instant with offset (2025-05-17T00:00:00-05:00) or a date (2025-05-17, local midnight)' };
  return {
    accountId: b.account_id,
    description: b.description.trim(),
    amount,
    interval: b.interval as IntervalUnit,
    intervalCount: count,
    ...anchor,
    autoRenew: (b.auto_renew as boolean | undefined) ?? true,
  };
}
