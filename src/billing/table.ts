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

export type IntervalUnit = 'day' | 'week' | 'month' | 'year';
export type SubscriptionStatus = 'active' | 'past_due' | 'canceled' | 'expired';
export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export interface SubscriptionTable {
  id: string;
  tenant_id: string;
  account_id: string;
  description: string;
  amount: Money;
  currency: string;
  interval: IntervalUnit;
  interval_count: number;
  anchor: Date;
  /** The anchor's wall time in `timezone` (timestamp without time zone, read as text). */
  anchor_local: ColumnType<string, string, string>;
  timezone: string;
  auto_renew: boolean;
  status: SubscriptionStatus;
  service_expires_at: Date | null;
  next_period: number;
  next_period_start: Date;
  ends_at: Date | null;
  canceled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface InvoiceTable {
  id: string;
  tenant_id: string;
  account_id: string;
  subscription_id: string;
  period_index: number;
  period_start: Date;
  period_end: Date;
  currency: string;
  amount_due: Money;
  amount_paid: MoneyDefaulted;
  status: InvoiceStatus;
  issued_at: Date | null;
  due_at: Date;
  paid_at: Date | null;
  voided_at: Date | null;
  run_slot: Date | null;
  auto_pay: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface InvoicePaymentTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  account_id: string;
  method: 'balance' | 'external' | 'combined';
  status: 'pending' | 'succeeded' | 'failed';
  amount: Money;
  balance_amount: Money;
  external_amount: Money;
  currency: string;
  provider: string | null;
  external_reference: string | null;
  balance_transaction_id: string | null;
  external_transaction_id: string | null;
  source: 'api' | 'top_up' | 'invoice_run' | 'sweep';
  failure_reason: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export type NoticeKind = 'insufficient_balance' | 'due_reminder' | 'overdue' | 'receipt';

export interface NoticeTable {
  id: string;
  tenant_id: string;
  account_id: string;
  invoice_id: string;
  kind: NoticeKind;
  offset_key: string;
  status: 'queued' | 'sent' | 'skipped' | 'failed';
  payload: ColumnType<Record<string, unknown>, string, string>;
  created_at: Date;
}
