/**
 * Which locale a tenant's customers read. Tenants store a currency and a time
 * zone but no locale, so it is derived from the currency by a fixed table
 * (never from a request's Accept-Language: mail is written long after any
 * request, and must read the same every time).
 *
 * Our mail text is English, so two locales come out of it:
 * - `amounts`: how money is written where the currency is at home ("$49.00",
 *   "49,00 €", "¥4,900"). JPY uses en-JP, not ja-JP: ja-JP writes the
 *   full-width sign ("￥4,900"), which looks wrong in an English sentence.
 * - `dates`: English month names; month-day-year, 12-hour clock for en-US,
 *   day-month-year, 24-hour clock (en-GB) everywhere else.
 */
export interface MailLocale {
  amounts: string;
  dates: string;
}

const AMOUNT_LOCALE: Record<string, string> = {
  USD: 'en-US',
  EUR: 'de-DE',
  JPY: 'en-JP',
  GBP: 'en-GB',
  CHF: 'de-CH',
  CAD: 'en-CA',
  AUD: 'en-AU',
};

/** The locale of a tenant with `currency` (`override`: a locale stored for the tenant, if one ever is). */
export function mailLocale(currency: string, override?: string): MailLocale {
  const amounts = override && isLocale(override) ? override : (AMOUNT_LOCALE[currency] ?? 'en');
  return { amounts, dates: /^en-US\b/.test(amounts) ? 'en-US' : 'en-GB' };
}

function isLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}
