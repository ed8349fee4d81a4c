import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { olderThan, type ListCursor } from './paging-store.js';
import { statusesAllowing } from './invoice-states.js';
import type { InvoicePaymentTable, InvoiceStatus, InvoiceTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type InvoiceRow = Selectable<InvoiceTable>;
export type PaymentRow = Selectable<InvoicePaymentTable>;

export async function findInvoice(db: Db, tenantId: string, id: string, lock = false): Promise<InvoiceRow | undefined> {
  let q = db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * The account's payable invoices in settlement order (due date, then
 * creation, then id), locked; those with a payment in flight are left out.
 */
export async function lockPayableInvoices(trx: Transaction<Database>, tenantId: string, accountId: string, onlyRunSlot?: Date): Promise<InvoiceRow[]> {
  let q = trx
    .selectFrom('invoices as i')
    .selectAll('i')
    .where('i.tenant_id', '=', tenantId)
    .where('i.account_id', '=', accountId)
    .where('i.status', 'in', statusesAllowing('pay'))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('invoice_payments as p').select('p.id').whereRef('p.invoice_id', '=', 'i.id').where('p.status', '=', 'pending'))));
  if (onlyRunSlot) {
    q = q.where('i.run_slot', '=', onlyRunSlot).where('i.auto_pay', '=', true);
  }
  return q.orderBy('i.due_at').orderBy('i.created_at').orderBy('i.id').forUpdate().execute();
}

/** Moves an invoice to paid, only from a payable state; false when it was not payable. */
export async function markPaid(trx: Transaction<Database>, id: string, now: Date): Promise<boolean> {
  const r = await trx
    .updateTable('invoices')
    .set({ status: 'paid', amount_paid: sql`amount_due`, paid_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', 'in', statusesAllowing('pay'))
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function markVoid(trx: Transaction<Database>, ids: string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await trx
    .updateTable('invoices')
    .set({ status: 'void', voided_at: now, updated_at: now })
    .where('id', 'in', ids)
    .where('status', 'in', statusesAllowing('void'))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function hasPendingPayment(db: Db, invoiceId: string): Promise<boolean> {
  return (await db.selectFrom('invoice_payments').select('id').where('invoice_id', '=', invoiceId).where('status', '=', 'pending').executeTakeFirst()) !== undefined;
}

export interface PaymentDraft {
  tenantId: string;
  invoiceId: string;
  accountId: string;
  method: PaymentRow['method'];
  status: PaymentRow['status'];
  balanceAmount: bigint;
  externalAmount: bigint;
  currency: string;
  provider: string | null;
  externalReference: string | null;
  balanceTransactionId: string | null;
  externalTransactionId: string | null;
  source: PaymentRow['source'];
}

/** Inserts a payment; undefined when another payment is in flight for the invoice (the partial unique index). */
export async function tryInsertPayment(trx: Transaction<Database>, p: PaymentDraft, now: Date): Promise<PaymentRow | undefined> {
  const id = randomUUID();
  return trx
    .insertInto('invoice_payments')
    .values({
      id,
      tenant_id: p.tenantId,
      invoice_id: p.invoiceId,
      account_id: p.accountId,
      method: p.method,
      status: p.status,
      amount: p.balanceAmount + p.externalAmount,
      balance_amount: p.balanceAmount,
      external_amount: p.externalAmount,
      currency: p.currency,
      provider: p.provider,
      external_reference: p.externalReference,
      balance_transaction_id: p.balanceTransactionId,
      external_transaction_id: p.externalTransactionId,
      source: p.source,
      failure_reason: null,
      created_at: now,
      completed_at: p.status === 'pending' ? null : now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function completePayment(
  trx: Transaction<Database>,
  id: string,
  outcome: { status: 'succeeded' | 'failed'; balanceTransactionId?: string | null; externalTransactionId?: string | null; failureReason?: string | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('invoice_payments')
    .set({
      status: outcome.status,
      ...(outcome.balanceTransactionId !== undefined ? { balance_transaction_id: outcome.balanceTransactionId } : {}),
      ...(outcome.externalTransactionId !== undefined ? { external_transaction_id: outcome.externalTransactionId } : {}),
      failure_reason: outcome.failureReason ?? null,
      completed_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export async function findPayment(db: Db, id: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('invoice_payments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function invoicePayments(db: Db, tenantId: string, invoiceId: string): Promise<PaymentRow[]> {
  return db.selectFrom('invoice_payments').selectAll().where('tenant_id', '=', tenantId).where('invoice_id', '=', invoiceId).orderBy('created_at').orderBy('id').execute();
}

export interface InvoiceFilter {
  accountId?: string;
  subscriptionId?: string;
  status?: InvoiceStatus;
}

/** The tenant's invoices, newest period first, after the (period_start, id) cursor. */
export async function listInvoices(db: Db, tenantId: string, filter: InvoiceFilter, limit: number, cursor?: ListCursor): Promise<InvoiceRow[]> {
  let q = db.selectFrom('invoices').selectAll().where('tenant_id', '=', tenantId);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (cursor) q = q.where(olderThan(cursor, 'period_start'));
  return q.orderBy('period_start', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Open invoices of periods not yet started (voided by an immediate cancel), locked. */
export async function lockFutureInvoices(trx: Transaction<Database>, subscriptionId: string, now: Date): Promise<InvoiceRow[]> {
  return trx
    .selectFrom('invoices')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('status', 'in', statusesAllowing('void'))
    .where('period_start', '>', now)
    .forUpdate()
    .execute();
}
