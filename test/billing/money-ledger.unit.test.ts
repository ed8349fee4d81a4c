import { describe, expect, it } from 'vitest';
import { availableBalance, postedBalance, unbalancedReason } from '../../src/billing/ledger.js';
import { amountJson, currencyExponent, parseAmount } from '../../src/billing/money.js';

describe('money', () => {
  it('knows ISO 4217 minor units', () => {
    expect(['USD', 'EUR', 'JPY', 'KRW', 'BHD', 'KWD', 'TND', 'CLF', 'ISK'].map(currencyExponent)).toEqual([2, 2, 0, 0, 3, 3, 3, 4, 0]);
    expect(currencyExponent('usd')).toBeUndefined();
    expect(currencyExponent('ZZZ')).toBeUndefined();
  });

  it('parses amounts exactly, as numbers up to 2^53−1 or decimal strings up to the documented maximum of 10^16', () => {
    expect(parseAmount(1)).toBe(1n);
    expect(parseAmount(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    expect(parseAmount('10000000000000000')).toBe(10n ** 16n);
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, '0', '-1', '1.0', '1e3', ' 1', '10000000000000001', '9223372036854775807', '9223372036854775808', null, true, {}]) {
      expect(parseAmount(bad)).toBeUndefined();
    }
    expect(amountJson(2500n)).toBe(2500);
    expect(amountJson(9007199254740993n)).toBe('9007199254740993');
  });
});

describe('ledger rules', () => {
  it('a transaction must balance', () => {
    expect(unbalancedReason([{ accountCode: 'a', direction: 'debit', amount: 5n }, { accountCode: 'b', direction: 'credit', amount: 5n }])).toBeUndefined();
    expect(unbalancedReason([{ accountCode: 'a', direction: 'debit', amount: 5n }, { accountCode: 'b', direction: 'credit', amount: 4n }])).toBe('debits 5 ≠ credits 4');
    expect(unbalancedReason([{ accountCode: 'a', direction: 'debit', amount: 5n }])).toMatch(/at least two/);
    expect(unbalancedReason([{ accountCode: 'a', direction: 'debit', amount: 0n }, { accountCode: 'b', direction: 'credit', amount: 0n }])).toMatch(/positive/);
  });

  it('balances follow the normal side; pending debits reduce what is available', () => {
    const t = { postedDebits: 300n, postedCredits: 1000n, pendingDebits: 200n, pendingCredits: 0n };
    expect(postedBalance('credit', t)).toBe(700n);
    expect(availableBalance('credit', t)).toBe(500n);
    expect(postedBalance('debit', t)).toBe(-700n);
  });
});
