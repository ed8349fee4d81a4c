/**
 * Amounts for people to read: integer minor units (bigint) in a currency and
 * a locale. Pure; no feature imports (notify writes mail with it, the console
 * may show balances with it later).
 */

/** A currency as a tenant holds it: the ISO 4217 code and its minor-unit exponent (USD 2, JPY 0, KWD 3). */
export interface CurrencyUnit {
  currency: string;
  exponent: number;
}

/**
 * `minor` as an exact decimal string with `exponent` fraction digits
 * (4900n, 2 → "49.00"; -5n, 2 → "-0.05"; 4900n, 0 → "4900"). Done on the
 * digits, never through a float: a JavaScript number is exact only to 2^53−1
 * and would turn 9007199254740993 cents into …992.
 */
export function minorToDecimal(minor: bigint, exponent: number): `${number}` {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 18) throw new RangeError(`currency exponent must be a whole number 0 to 18, got ${exponent}`);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}` as `${number}`;
}

/**
 * The amount as the locale writes money: "$49.00" (en-US), "49,00 €" (de-DE,
 * with a no-break space), "¥4,900" (JPY, exponent 0), "KWD 4,900.000"
 * (exponent 3). Exactly `exponent` fraction digits are shown, so the text
 * is always the stored amount, never a rounding of it: Intl formats the
 * decimal string exactly (Intl.NumberFormat v3), whatever its size. A
 * negative amount (a credit) gets the locale's minus sign.
 */
export function formatMoney(minor: bigint, unit: CurrencyUnit, locale: string): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: unit.currency,
    minimumFractionDigits: unit.exponent,
    maximumFractionDigits: unit.exponent,
  }).format(minorToDecimal(minor, unit.exponent));
}

/**
 * The exponent Intl (CLDR) assumes for a currency. Only a fallback for data
 * that does not carry the tenant's own `currency_exponent`, which follows
 * ISO 4217 where the two differ.
 */
export function intlExponent(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
