import type { ColumnType, Generated } from 'kysely';

type Money = ColumnType<bigint, bigint | number, bigint | number>;
/** A money column with a database default (optional on insert). */
type MoneyDefaulted = ColumnType<bigint, bigint | number | undefined, bigint | number>;

export interface TenantTable {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  currency_exponent: number;
  invoice_schedule: string;
  invoice_grace_s: number;
  due_days: number;
  reminder_days: number[];
  expiry_grace_days: number;
  created_at: Date;
  updated_at: Date;
}

export interface AccountTable {
  id: string;
  tenant_id: string;
  name: string;
  email: string;
  external_id: string | null;
  created_at: Date;
}

export interface LedgerAccountTable {
  id: Generated<bigint>;
  tenant_id: string;
  code: string;
  currency: string;
  normal_balance: 'debit' | 'credit';
  allow_negative: boolean;
  posted_debits: MoneyDefaulted;
  posted_credits: MoneyDefaulted;
  pending_debits: MoneyDefaulted;
  pending_credits: MoneyDefaulted;
}

export interface LedgerTransactionTable {
  id: string;
  tenant_id: string;
  idempotency_key: string;
  kind: string;
  status: 'pending' | 'posted' | 'voided';
  currency: string;
  reference_type: string | null;
  reference_id: string | null;
  effective_at: Date;
  created_at: Date;
}

export interface LedgerEntryTable {
  id: Generated<bigint>;
  tenant_id: string;
  transaction_id: string;
  account_id: bigint;
  direction: 'debit' | 'credit';
  amount: Money;
  currency: string;
}
