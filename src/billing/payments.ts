import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { nextInvoiceStatus } from './invoice-states.js';
import {
  completePayment,
  findInvoice,
  findPayment,
  hasPendingPayment,
  lockPayableInvoices,
  markPaid,
  markVoid,
  tryInsertPayment,
  type InvoiceRow,
  type PaymentRow,
} from './invoice-store.js';
import { availableBalance, ledgerAccounts } from './ledger.js';
import { lockAccounts, postTransfer, resolvePending } from './ledger-store.js';
import { queueReceipt } from './notice-store.js';
import type { PaymentProvider } from './providers.js';
import { extendService } from './subscription-store.js';
import { lockTenantBilling } from './tenant-lock.js';
import type { TenantRow } from './tenant-store.js';

export type PayRequest =
  | { method: 'balance' }
  | { method: 'external'; amount: bigint; reference: string }
  | { method: 'combined'; external: { amount: bigint; reference: string } };

export interface PaymentDeps {
  db: Kysely<Database>;
  provider: PaymentProvider;
  logger: Logger;
}

/**
 * The customer lock: the tenant's billing lock (shared), then the account's
 * prepaid ledger row. Every payment, settlement and void of one account
 * serializes here. Returns the available balance read under the lock.
 */
async function lockCustomer(trx: Transaction<Database>, tenant: TenantRow, accountId: string): Promise<bigint> {
  await lockTenantBilling(trx, tenant.id, 'shared');
  const [prepaid] = await lockAccounts(trx, tenant.id, tenant.currency, [ledgerAccounts.prepaid(accountId)]);
  return availableBalance('credit', {
    postedDebits: BigInt(prepaid!.posted_debits),
    postedCredits: BigInt(prepaid!.posted_credits),
    pendingDebits: BigInt(prepaid!.pending_debits),
    pendingCredits: BigInt(prepaid!.pending_credits),
  });
}

/** Pays a locked, payable invoice in full from balance: ledger, payment row, invoice, service period. */
async function payFromBalance(trx: Transaction<Database>, tenant: TenantRow, invoice: InvoiceRow, source: PaymentRow['source'], now: Date): Promise<void> {
  const amount = BigInt(invoice.amount_due);
  const posted = await postTransfer(trx, {
    tenantId: tenant.id,
    // An invoice is paid from balance at most once, whatever path gets there first.
    idempotencyKey: `invoice:${invoice.id}:balance`,
    kind: 'invoice_payment',
    status: 'posted',
    currency: invoice.currency,
    debit: ledgerAccounts.prepaid(invoice.account_id),
    credit: ledgerAccounts.revenue(),
    amount,
    reference: { type: 'invoice', id: invoice.id },
    effectiveAt: now,
  });
  if (posted.replayed) throw new Error(`invoice ${invoice.id} was already paid from balance but is still ${invoice.status}`);
  const payment = await tryInsertPayment(
    trx,
    {
      tenantId: tenant.id,
      invoiceId: invoice.id,
      accountId: invoice.account_id,
      method: 'balance',
      status: 'succeeded',
      balanceAmount: amount,
      externalAmount: 0n,
      currency: invoice.currency,
      provider: null,
      externalReference: null,
      balanceTransactionId: posted.id,
      externalTransactionId: null,
      source,
    },
    now,
  );
  await markPaid(trx, invoice.id, now);
  await extendService(trx, invoice.subscription_id, invoice.period_end, now);
  if (payment) await queueReceipt(trx, invoice.id, payment.id, now);
}

/**
 * Settles the account's payable invoices from its balance, oldest first (due
 * date, creation, id), each in full while the balance covers it; stops at the
 * first it cannot cover (no skipping ahead, no partial payment). Runs inside
 * the caller's transaction, under the customer lock. With `onlyRunSlot`, only
 * that invoice run's auto-renew invoices are considered.
 */
export async function settleFromBalance(
  trx: Transaction<Database>,
  tenant: TenantRow,
  accountId: string,
  source: PaymentRow['source'],
  now: Date,
  onlyRunSlot?: Date,
): Promise<string[]> {
  let available = await lockCustomer(trx, tenant, accountId);
  if (available <= 0n) return [];
  const paid: string[] = [];
  for (const invoice of await lockPayableInvoices(trx, tenant.id, accountId, onlyRunSlot)) {
    const due = BigInt(invoice.amount_due);
    if (available < due) break;
    await payFromBalance(trx, tenant, invoice, source, now);
    available -= due;
    paid.push(invoice.id);
  }
  return paid;
}

async function lockPayable(trx: Transaction<Database>, tenant: TenantRow, invoiceId: string): Promise<{ invoice: InvoiceRow; available: bigint }> {
  const unlocked = await findInvoice(trx, tenant.id, invoiceId);
  if (!unlocked) throw new AppError('not_found', `no invoice ${invoiceId}`);
  const available = await lockCustomer(trx, tenant, unlocked.account_id);
  const invoice = (await findInvoice(trx, tenant.id, invoiceId, true))!;
  if (!nextInvoiceStatus(invoice.status, 'pay')) throw new AppError('invalid_state', `invoice ${invoice.id} is ${invoice.status}; only open or uncollectible invoices can be paid`);
  if (await hasPendingPayment(trx, invoice.id)) throw new AppError('payment_in_progress', `a payment of invoice ${invoice.id} is in progress`);
  return { invoice, available };
}

/**
 * Pays an invoice. `balance` pays in full from the balance or not at all.
 * `external` and `combined` are two-phase: the balance part is reserved (a
 * pending ledger transaction) and the attempt recorded, the provider is asked
 * outside any database transaction, then both parts are posted together, or
 * the reservation is released and the invoice left as it was.
 */
export async function payInvoice(deps: PaymentDeps, tenant: TenantRow, invoiceId: string, req: PayRequest, now: () => Date): Promise<{ invoice: InvoiceRow; payment: PaymentRow }> {
  const { db, provider, logger } = deps;
  if (req.method === 'balance') {
    return db.transaction().execute(async (trx) => {
      const { invoice, available } = await lockPayable(trx, tenant, invoiceId);
      if (available < BigInt(invoice.amount_due)) {
        throw new AppError('insufficient_balance', `the balance (${available}) does not cover the amount due (${invoice.amount_due})`);
      }
      await payFromBalance(trx, tenant, invoice, 'api', now());
      return result(trx, tenant, invoice.id);
    });
  }

  const external = req.method === 'external' ? req : req.external;
  const reserved = await db.transaction().execute(async (trx) => {
    const at = now();
    const { invoice, available } = await lockPayable(trx, tenant, invoiceId);
    const due = BigInt(invoice.amount_due);
    const balancePart = req.method === 'combined' ? (available < due ? available : due) : 0n;
    const rest = due - balancePart;
    if (rest === 0n) throw new AppError('amount_mismatch', `the balance covers the whole amount due (${due}); pay with method balance`);
    if (external.amount !== rest) {
      throw new AppError(
        'amount_mismatch',
        req.method === 'combined'
          ? `the balance pays ${balancePart}; the external part must be the rest, ${rest}, not ${external.amount}`
          : `the external payment must be the amount due, ${due}, not ${external.amount}`,
      );
    }
    const payment = await tryInsertPayment(
      trx,
      {
        tenantId: tenant.id,
        invoiceId: invoice.id,
        accountId: invoice.account_id,
        method: req.method,
        status: 'pending',
        balanceAmount: balancePart,
        externalAmount: rest,
        currency: invoice.currency,
        provider: provider.name,
        externalReference: external.reference,
        balanceTransactionId: null,
        externalTransactionId: null,
        source: 'api',
      },
      at,
    );
    if (!payment) throw new AppError('conflict', `the external reference ${external.reference} was already used for a payment`);
    let balanceTx: string | null = null;
    if (balancePart > 0n) {
      balanceTx = (
        await postTransfer(trx, {
          tenantId: tenant.id,
          idempotencyKey: `payment:${payment.id}:balance`,
          kind: 'invoice_payment',
          status: 'pending',
          currency: invoice.currency,
          debit: ledgerAccounts.prepaid(invoice.account_id),
          credit: ledgerAccounts.revenue(),
          amount: balancePart,
          reference: { type: 'invoice', id: invoice.id },
          effectiveAt: at,
        })
      ).id;
      await trx.updateTable('invoice_payments').set({ balance_transaction_id: balanceTx }).where('id', '=', payment.id).execute();
    }
    return { payment, invoice, balanceTx, rest };
  });

  let outcome: Awaited<ReturnType<PaymentProvider['charge']>>;
  try {
    outcome = await provider.charge({ paymentId: reserved.payment.id, invoiceId, amount: reserved.rest, currency: reserved.invoice.currency, reference: external.reference });
  } catch (err) {
    logger.error({ err, invoiceId, paymentId: reserved.payment.id, provider: provider.name }, 'payment provider failed; the reservation is released');
    outcome = { ok: false, reason: `provider error: ${(err as Error)?.message ?? String(err)}` };
  }
  return finishExternal(deps, tenant, reserved, outcome, now());
}

async function finishExternal(
  deps: PaymentDeps,
  tenant: TenantRow,
  reserved: { payment: PaymentRow; invoice: InvoiceRow; balanceTx: string | null; rest: bigint },
  outcome: { ok: true; reference: string } | { ok: false; reason: string },
  now: Date,
): Promise<{ invoice: InvoiceRow; payment: PaymentRow }> {
  const { invoice, payment, balanceTx } = reserved;
  const done = await deps.db.transaction().execute(async (trx) => {
    await lockCustomer(trx, tenant, invoice.account_id);
    await findInvoice(trx, tenant.id, invoice.id, true);
    if (!outcome.ok) {
      if (balanceTx) await resolvePending(trx, tenant.id, balanceTx, 'voided');
      await completePayment(trx, payment.id, { status: 'failed', failureReason: outcome.reason }, now);
      return undefined;
    }
    if (balanceTx) await resolvePending(trx, tenant.id, balanceTx, 'posted');
    const externalTx = await postTransfer(trx, {
      tenantId: tenant.id,
      idempotencyKey: `payment:${payment.id}:external`,
      kind: 'invoice_payment',
      status: 'posted',
      currency: invoice.currency,
      debit: ledgerAccounts.pspClearing(deps.provider.name),
      credit: ledgerAccounts.revenue(),
      amount: reserved.rest,
      reference: { type: 'invoice', id: invoice.id },
      effectiveAt: now,
    });
    await completePayment(trx, payment.id, { status: 'succeeded', externalTransactionId: externalTx.id }, now);
    if (!(await markPaid(trx, invoice.id, now))) throw new Error(`invoice ${invoice.id} stopped being payable while its payment ${payment.id} was in flight`);
    await extendService(trx, invoice.subscription_id, invoice.period_end, now);
    await queueReceipt(trx, invoice.id, payment.id, now);
    return result(trx, tenant, invoice.id, payment.id);
  });
  if (!done) {
    const reason = outcome.ok ? '' : outcome.reason;
    throw new AppError('payment_declined', `the external payment was declined (${reason}); nothing was applied and the invoice is still ${invoice.status}`);
  }
  return done;
}

async function result(trx: Transaction<Database>, tenant: TenantRow, invoiceId: string, paymentId?: string): Promise<{ invoice: InvoiceRow; payment: PaymentRow }> {
  const invoice = (await findInvoice(trx, tenant.id, invoiceId))!;
  const payment = paymentId
    ? (await findPayment(trx, paymentId))!
    : (await trx.selectFrom('invoice_payments').selectAll().where('invoice_id', '=', invoiceId).where('status', '=', 'succeeded').executeTakeFirstOrThrow());
  return { invoice, payment };
}

/**
 * Voids a draft or open invoice. Balance is applied to an invoice only in
 * full (which makes it paid, and paid invoices cannot be voided) or as the
 * reservation of a payment in flight (which blocks the void), so a voidable
 * invoice never holds applied balance and there is nothing to return.
 */
export async function voidInvoice(db: Kysely<Database>, tenant: TenantRow, invoiceId: string, now: Date): Promise<InvoiceRow> {
  return db.transaction().execute(async (trx) => {
    const unlocked = await findInvoice(trx, tenant.id, invoiceId);
    if (!unlocked) throw new AppError('not_found', `no invoice ${invoiceId}`);
    await lockCustomer(trx, tenant, unlocked.account_id);
    const invoice = (await findInvoice(trx, tenant.id, invoiceId, true))!;
    if (!nextInvoiceStatus(invoice.status, 'void')) throw new AppError('invalid_state', `invoice ${invoice.id} is ${invoice.status}; only draft or open invoices can be voided`);
    if (await hasPendingPayment(trx, invoice.id)) throw new AppError('payment_in_progress', `a payment of invoice ${invoice.id} is in progress`);
    await markVoid(trx, [invoice.id], now);
    return (await findInvoice(trx, tenant.id, invoice.id))!;
  });
}

/** Releases reservations of payments that never finished (their instance died mid-payment). */
export async function expireStalePayments(db: Kysely<Database>, before: Date, now: Date, logger: Logger): Promise<number> {
  const stale = await db.selectFrom('invoice_payments').select(['id', 'tenant_id', 'invoice_id', 'balance_transaction_id']).where('status', '=', 'pending').where('created_at', '<', before).limit(100).execute();
  for (const p of stale) {
    await db.transaction().execute(async (trx) => {
      if (p.balance_transaction_id) await resolvePending(trx, p.tenant_id, p.balance_transaction_id, 'voided');
      await completePayment(trx, p.id, { status: 'failed', failureReason: 'abandoned: the payment did not finish' }, now);
    });
    logger.warn({ paymentId: p.id, invoiceId: p.invoice_id }, 'released the reservation of an abandoned payment');
  }
  return stale.length;
}
