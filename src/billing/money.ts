/**
 * Money is integer minor units (bigint) with an ISO 4217 currency beside it.
 * Never floats.
 */
/**
 * The largest amount one request may carry: 10^16 minor units (a hundred
 * trillion dollars in cents). Far above any real payment, and far enough below
 * 2^63 that the ledger's cached totals, checked against MAX_LEDGER_TOTAL, can
 * never overflow a bigint column.
 */
export const MAX_AMOUNT = 10n ** 16n;

/** What an amount field's 400 says. */
export const AMOUNT_RULE = 'a positive integer in minor units, at most 10000000000000000 (a JSON number, or a decimal string beyond 2^53)';

// Where CLDR (what Intl knows) differs from ISO 4217's minor unit, or lacks the code, ISO wins.
const ISO_EXPONENT_OVERRIDES: Record<string, number> = { CLF: 4, ISK: 0, UYW: 4 };

const supported = new Set(Intl.supportedValuesOf('currency'));

/** The ISO 4217 minor-unit exponent of `code` (USD 2, JPY 0, BHD 3, CLF 4), or undefined if unknown. */
export function currencyExponent(code: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(code)) return undefined;
  const override = ISO_EXPONENT_OVERRIDES[code];
  if (override !== undefined) return override; // also codes this ICU may not list (CLF)
  if (!supported.has(code)) return undefined;
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
}

/**
 * An amount from JSON: a positive integer number up to 2^53−1, or a decimal
 * string of digits, at most MAX_AMOUNT. Anything else (fractions, negatives,
 * zero, exponents, "+1", floats beyond 2^53) is refused.
 */
export function parseAmount(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^[0-9]{1,17}$/.test(value)) {
    const amount = BigInt(value);
    return amount > 0n && amount <= MAX_AMOUNT ? amount : undefined;
  }
  return undefined;
}

/** JSON form of an amount: a number while it is exact, else a decimal string. */
export function amountJson(amount: bigint): number | string {
  return amount <= BigInt(Number.MAX_SAFE_INTEGER) && amount >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(amount) : amount.toString();
}
