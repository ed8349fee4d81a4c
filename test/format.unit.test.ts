import { describe, expect, it } from 'vitest';
import { mailLocale } from '../src/format/locale.js';
import { formatMoney, intlExponent, minorToDecimal } from '../src/format/money.js';
import { formatDate, formatInstant, formatPeriod } from '../src/format/time.js';

// Intl writes a no-break space (U+00A0) between amount and sign where the locale
// puts one ("49,00 €"), and thin spaces (U+2009) around a range's en dash.
const NBSP = '\u00a0';
const THIN = '\u2009';

describe('minorToDecimal: minor units to an exact decimal string', () => {
  it('splits by the exponent, padding small amounts', () => {
    expect(minorToDecimal(4900n, 2)).toBe('49.00');
    expect(minorToDecimal(5n, 2)).toBe('0.05');
    expect(minorToDecimal(1234n, 3)).toBe('1.234');
    expect(minorToDecimal(1n, 3)).toBe('0.001');
    expect(minorToDecimal(12345n, 4)).toBe('1.2345');
    expect(minorToDecimal(4900n, 0)).toBe('4900');
  });
  it('zero, and negatives (credits) without a negative zero', () => {
    expect(minorToDecimal(0n, 2)).toBe('0.00');
    expect(minorToDecimal(0n, 0)).toBe('0');
    expect(minorToDecimal(-0n, 2)).toBe('0.00');
    expect(minorToDecimal(-5n, 2)).toBe('-0.05');
    expect(minorToDecimal(-4900n, 0)).toBe('-4900');
  });
  it('is exact beyond 2^53, where a float is not', () => {
    const big = 2n ** 53n + 1n; // 9007199254740993: Number() makes it …992
    expect(Number(big)).toBe(9007199254740992);
    expect(minorToDecimal(big, 2)).toBe('90071992547409.93');
    expect(minorToDecimal(2n ** 63n - 1n, 2)).toBe('92233720368547758.07');
    expect(minorToDecimal(-(2n ** 63n), 3)).toBe('-9223372036854775.808');
  });
  it('refuses an exponent that is no currency exponent', () => {
    expect(() => minorToDecimal(1n, -1)).toThrow(RangeError);
    expect(() => minorToDecimal(1n, 2.5)).toThrow(RangeError);
  });
});

describe('formatMoney: the amount as the locale writes money', () => {
  const USD = { currency: 'USD', exponent: 2 };
  const EUR = { currency: 'EUR', exponent: 2 };
  const JPY = { currency: 'JPY', exponent: 0 };
  const KWD = { currency: 'KWD', exponent: 3 };

  it('USD, EUR, JPY (exponent 0) and KWD (exponent 3) in their locales', () => {
    expect(formatMoney(4900n, USD, 'en-US')).toBe('$49.00');
    expect(formatMoney(4900n, EUR, 'de-DE')).toBe(`49,00${NBSP}€`);
    expect(formatMoney(4900n, JPY, 'en-JP')).toBe('¥4,900');
    expect(formatMoney(1234n, KWD, 'en')).toBe(`KWD${NBSP}1.234`);
    expect(formatMoney(123456789n, USD, 'en-US')).toBe('$1,234,567.89');
    expect(formatMoney(123456789n, EUR, 'de-DE')).toBe(`1.234.567,89${NBSP}€`);
  });
  it('shows every minor unit: the exponent decides the digits, never rounding', () => {
    expect(formatMoney(4901n, USD, 'en-US')).toBe('$49.01');
    expect(formatMoney(1n, KWD, 'en')).toBe(`KWD${NBSP}0.001`);
    expect(formatMoney(4999n, JPY, 'en-JP')).toBe('¥4,999');
    // CLF: exponent 4 (ISO 4217).
    expect(formatMoney(12345n, { currency: 'CLF', exponent: 4 }, 'en')).toBe(`CLF${NBSP}1.2345`);
  });
  it('zero', () => {
    expect(formatMoney(0n, USD, 'en-US')).toBe('$0.00');
    expect(formatMoney(0n, EUR, 'de-DE')).toBe(`0,00${NBSP}€`);
    expect(formatMoney(0n, JPY, 'en-JP')).toBe('¥0');
    expect(formatMoney(0n, KWD, 'en')).toBe(`KWD${NBSP}0.000`);
  });
  it('negative amounts (a credit, a reversal) carry the minus sign', () => {
    expect(formatMoney(-4900n, USD, 'en-US')).toBe('-$49.00');
    expect(formatMoney(-4900n, EUR, 'de-DE')).toBe(`-49,00${NBSP}€`);
    expect(formatMoney(-4900n, JPY, 'en-JP')).toBe('-¥4,900');
    expect(formatMoney(-1n, KWD, 'en')).toBe(`-KWD${NBSP}0.001`);
  });
  it('beyond 2^53 and up to the bigint column limits, exactly', () => {
    const big = 2n ** 53n + 1n;
    expect(formatMoney(big, USD, 'en-US')).toBe('$90,071,992,547,409.93');
    expect(formatMoney(big, JPY, 'en-JP')).toBe('¥9,007,199,254,740,993');
    expect(formatMoney(2n ** 63n - 1n, EUR, 'de-DE')).toBe(`92.233.720.368.547.758,07${NBSP}€`);
    expect(formatMoney(2n ** 63n - 1n, KWD, 'en')).toBe(`KWD${NBSP}9,223,372,036,854,775.807`);
    expect(formatMoney(-(2n ** 63n), USD, 'en-US')).toBe('-$92,233,720,368,547,758.08');
  });
  it("Intl's own exponent, the fallback for data without the tenant's", () => {
    expect([intlExponent('USD'), intlExponent('JPY'), intlExponent('KWD')]).toEqual([2, 0, 3]);
  });
});

describe('mailLocale: a fixed table from the currency (tenants store no locale)', () => {
  it('amounts where the currency is at home, dates in English', () => {
    expect(mailLocale('USD')).toEqual({ amounts: 'en-US', dates: 'en-US' });
    expect(mailLocale('EUR')).toEqual({ amounts: 'de-DE', dates: 'en-GB' });
    expect(mailLocale('JPY')).toEqual({ amounts: 'en-JP', dates: 'en-GB' });
    expect(mailLocale('KWD')).toEqual({ amounts: 'en', dates: 'en-GB' });
  });
  it('a stored locale wins when it is a valid tag', () => {
    expect(mailLocale('EUR', 'fr-FR')).toEqual({ amounts: 'fr-FR', dates: 'en-GB' });
    expect(mailLocale('USD', 'not a locale!')).toEqual({ amounts: 'en-US', dates: 'en-US' });
  });
});

describe('instants and dates in a named zone', () => {
  const winter = new Date('2026-12-05T13:00:00Z');
  const summer = new Date('2026-07-05T13:00:00Z');

  it('an instant with the zone named: its abbreviation where English has one, else its long name', () => {
    expect(formatInstant(winter, 'America/New_York', 'en-US')).toBe('December 5, 2026 at 8:00 AM EST');
    expect(formatInstant(summer, 'America/New_York', 'en-US')).toBe('July 5, 2026 at 9:00 AM EDT');
    expect(formatInstant(winter, 'Asia/Tokyo', 'en-US')).toBe('December 5, 2026 at 10:00 PM Japan Standard Time');
    expect(formatInstant(winter, 'Europe/Berlin', 'en-GB')).toBe('5 December 2026 at 14:00 CET');
    expect(formatInstant(summer, 'Europe/Berlin', 'en-GB')).toBe('5 July 2026 at 15:00 CEST');
    expect(formatInstant(winter, 'America/New_York', 'en-GB')).toBe('5 December 2026 at 08:00 Eastern Standard Time');
    expect(formatInstant(winter, 'Asia/Tokyo', 'en-GB')).toBe('5 December 2026 at 22:00 Japan Standard Time');
    expect(formatInstant(winter, 'UTC', 'en-GB')).toBe('5 December 2026 at 13:00 UTC');
  });
  it('a date is the local calendar date of the zone, not the UTC one', () => {
    const at = new Date('2026-03-08T03:00:00Z');
    expect(formatDate(at, 'America/New_York', 'en-US')).toBe('March 7, 2026');
    expect(formatDate(at, 'Asia/Tokyo', 'en-US')).toBe('March 8, 2026');
    expect(formatDate(at, 'Asia/Tokyo', 'en-GB')).toBe('8 March 2026');
  });
  it('a half-open period shows the local days it covers, across a DST change', () => {
    // March 2026 in New York: EST at the start, EDT (from March 8) at the end.
    const nyStart = new Date('2026-03-01T05:00:00Z');
    const nyEnd = new Date('2026-04-01T04:00:00Z');
    expect(formatPeriod(nyStart, nyEnd, 'America/New_York', 'en-US')).toBe(`March 1${THIN}–${THIN}31, 2026`);
    expect(formatPeriod(nyStart, nyEnd, 'America/New_York', 'en-GB')).toBe(`1${THIN}–${THIN}31 March 2026`);
    // The same local month in Tokyo starts 14 hours earlier.
    expect(formatPeriod(new Date('2026-02-28T15:00:00Z'), new Date('2026-03-31T15:00:00Z'), 'Asia/Tokyo', 'en-GB')).toBe(`1${THIN}–${THIN}31 March 2026`);
    // A period ending at 14:00 local covers that last day; a one-day period is one date.
    expect(formatPeriod(new Date('2026-03-01T19:00:00Z'), new Date('2026-04-01T18:00:00Z'), 'America/New_York', 'en-GB')).toBe(`1 March${THIN}–${THIN}1 April 2026`);
    expect(formatPeriod(nyStart, new Date('2026-03-02T05:00:00Z'), 'America/New_York', 'en-US')).toBe('March 1, 2026');
  });
});
