import { InvalidScheduleError, normalizeTimeZone, parseClientSchedule } from '../time/cron.js';
import { currencyExponent } from './money.js';

export interface TenantInput {
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  currencyExponent: number;
  invoiceSchedule: string;
  invoiceGraceS: number;
  dueDays: number;
  reminderDays: number[];
  expiryGraceDays: number;
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Validates a tenant body; returns the input or a message naming the bad field. */
export function parseTenantInput(body: unknown): TenantInput | { error: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { error: 'body must be a JSON object' };
  const b = body as Record<string, unknown>;
  if (typeof b.slug !== 'string' || !/^[a-z0-9][a-z0-9-]{1,49}$/.test(b.slug)) return { error: 'slug must be 2–50 characters of a-z, 0-9 and -, starting with a letter or digit' };
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200) return { error: 'name must be a non-empty string of at most 200 characters' };
  const timezone = typeof b.timezone === 'string' ? normalizeTimeZone(b.timezone) : undefined;
  if (!timezone) return { error: 'timezone must be an IANA time zone, e.g. America/Chicago' };
  const exponent = typeof b.currency === 'string' ? currencyExponent(b.currency) : undefined;
  if (exponent === undefined) return { error: 'currency must be an ISO 4217 code, e.g. USD' };
  let invoiceSchedule = '0 2 * * *';
  if (b.invoice_schedule !== undefined) {
    if (typeof b.invoice_schedule !== 'string') return { error: 'invoice_schedule must be a cron expression' };
    try {
      invoiceSchedule = parseClientSchedule(b.invoice_schedule, timezone).expression;
    } catch (err) {
      if (!(err instanceof InvalidScheduleError)) throw err;
      return { error: `invoice_schedule is not a valid cron expression: ${err.message}` };
    }
  }
  if (b.invoice_grace !== undefined && !isInt(b.invoice_grace, 1, 31_536_000)) return { error: 'invoice_grace must be whole seconds from 1 to 31536000' };
  if (b.due_days !== undefined && !isInt(b.due_days, 0, 365)) return { error: 'due_days must be a whole number of days from 0 to 365' };
  if (b.expiry_grace_days !== undefined && !isInt(b.expiry_grace_days, 0, 365)) return { error: 'expiry_grace_days must be a whole number of days from 0 to 365' };
  if (
    b.reminder_days !== undefined &&
    (!Array.isArray(b.reminder_days) || b.reminder_days.length > 10 || !b.reminder_days.every((d) => isInt(d, 0, 365)) || new Set(b.reminder_days).size !== b.reminder_days.length)
  ) {
    return { error: 'reminder_days must be up to 10 distinct whole numbers of days before due, 0 to 365' };
  }
  return {
    slug: b.slug,
    name: b.name.trim(),
    timezone,
    currency: b.currency as string,
    currencyExponent: exponent,
    invoiceSchedule,
    invoiceGraceS: (b.invoice_grace as number | undefined) ?? 1800,
    dueDays: (b.due_days as number | undefined) ?? 7,
    reminderDays: ((b.reminder_days as number[] | undefined) ?? [7, 3, 1]).slice().sort((x, y) => y - x),
    expiryGraceDays: (b.expiry_grace_days as number | undefined) ?? 7,
  };
}
