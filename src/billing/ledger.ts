/**
 * Double-entry rules, pure. Every movement is a transaction whose entries
 * balance (debits = credits, per currency); balances derive from the entries.
 */
export type Direction = 'debit' | 'credit';

export interface EntryDraft {
  accountCode: string;
  direction: Direction;
  amount: bigint;
}

export interface LedgerAccountSpec {
  code: string;
  normalBalance: Direction;
  allowNegative: boolean;
}

/** Ledger account codes and their nature. Customer prepaid balances may never go negative. */
export const ledgerAccounts = {
  prepaid: (accountId: string): LedgerAccountSpec => ({ code: `customer:${accountId}:prepaid`, normalBalance: 'credit', allowNegative: false }),
  receivable: (accountId: string): LedgerAccountSpec => ({ code: `customer:${accountId}:receivable`, normalBalance: 'debit', allowNegative: true }),
  revenue: (): LedgerAccountSpec => ({ code: 'revenue', normalBalance: 'credit', allowNegative: true }),
  pspClearing: (psp: string): LedgerAccountSpec => ({ code: `psp:${psp}:clearing`, normalBalance: 'debit', allowNegative: true }),
};

/** Why a set of entries cannot be a transaction, or undefined when it can. */
export function unbalancedReason(entries: EntryDraft[]): string | undefined {
  if (entries.length < 2) return 'a transaction needs at least two entries';
  if (entries.some((e) => e.amount <= 0n)) return 'entry amounts must be positive';
  const debits = entries.filter((e) => e.direction === 'debit').reduce((s, e) => s + e.amount, 0n);
  const credits = entries.filter((e) => e.direction === 'credit').reduce((s, e) => s + e.amount, 0n);
  return debits === credits ? undefined : `debits ${debits} ≠ credits ${credits}`;
}

/**
 * The largest value an account's cached total may reach (10^18, below the
 * 2^63 a bigint column holds): a posting that would pass it is refused with a
 * 400 before anything is written, instead of failing every later posting.
 */
export const MAX_LEDGER_TOTAL = 10n ** 18n;

export interface Totals {
  postedDebits: bigint;
  postedCredits: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

/** Posted balance in the account's normal direction. */
export function postedBalance(normal: Direction, t: Totals): bigint {
  return normal === 'credit' ? t.postedCredits - t.postedDebits : t.postedDebits - t.postedCredits;
}

/** Posted balance less what pending transactions would take out of it. */
export function availableBalance(normal: Direction, t: Totals): bigint {
  return normal === 'credit' ? t.postedCredits - t.postedDebits - t.pendingDebits : t.postedDebits - t.postedCredits - t.pendingCredits;
}
