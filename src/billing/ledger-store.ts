import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { availableBalance, MAX_LEDGER_TOTAL, unbalancedReason, type EntryDraft, type LedgerAccountSpec } from './ledger.js';
import type { LedgerAccountTable } from './table.js';

type LedgerAccountRow = Selectable<LedgerAccountTable>;

export interface TransactionDraft {
  tenantId: string;
  /** Unique per tenant: posting the same key twice is a no-op that returns the first transaction. */
  idempotencyKey: string;
  kind: string;
  status: 'posted' | 'pending';
  currency: string;
  entries: EntryDraft[];
  /** Nature of each account the entries touch (created on first use). */
  accounts: LedgerAccountSpec[];
  reference?: { type: string; id: string };
  effectiveAt: Date;
}

/**
 * Posts one balanced transaction inside the caller's transaction: creates
 * missing ledger accounts, locks every touched account in id order (so
 * concurrent postings cannot deadlock), refuses to take an account that may
 * not go negative below zero (counting pending reservations), writes the
 * entries and updates the cached totals. Returns the transaction id and
 * whether it already existed (idempotent replay).
 */
export async function postTransaction(trx: Transaction<Database>, draft: TransactionDraft): Promise<{ id: string; replayed: boolean }> {
  const reason = unbalancedReason(draft.entries);
  if (reason) throw new Error(`unbalanced ledger transaction ${draft.kind}: ${reason}`);

  // Lock first: postings on the same accounts serialize here, so the duplicate
  // check below sees a concurrent twin that committed while we waited.
  const accounts = await lockAccounts(trx, draft.tenantId, draft.currency, draft.accounts);
  const existing = await findTransactionByKey(trx, draft.tenantId, draft.idempotencyKey);
  if (existing) return { id: existing.id, replayed: true };
  const byCode = new Map(accounts.map((a) => [a.code, a]));
  const deltas = new Map<string, { debits: bigint; credits: bigint }>();
  for (const e of draft.entries) {
    if (!byCode.has(e.accountCode)) throw new Error(`ledger account ${e.accountCode} was not declared`);
    const d = deltas.get(e.accountCode) ?? { debits: 0n, credits: 0n };
    if (e.direction === 'debit') d.debits += e.amount;
    else d.credits += e.amount;
    deltas.set(e.accountCode, d);
  }
  const pending = draft.status === 'pending';
  for (const [code, d] of deltas) {
    const a = byCode.get(code)!;
    const [debits, credits] = pending ? [a.pending_debits, a.pending_credits] : [a.posted_debits, a.posted_credits];
    if (BigInt(debits) + d.debits > MAX_LEDGER_TOTAL || BigInt(credits) + d.credits > MAX_LEDGER_TOTAL) {
      throw new AppError('validation_failed', `this amount would take a ledger account past the largest total kept (${MAX_LEDGER_TOTAL} minor units)`);
    }
    if (a.allow_negative) continue;
    const after = availableBalance(a.normal_balance, {
      postedDebits: BigInt(a.posted_debits) + (pending ? 0n : d.debits),
      postedCredits: BigInt(a.posted_credits) + (pending ? 0n : d.credits),
      pendingDebits: BigInt(a.pending_debits) + (pending ? d.debits : 0n),
      pendingCredits: BigInt(a.pending_credits) + (pending ? d.credits : 0n),
    });
    if (after < 0n) throw new AppError('insufficient_balance', 'insufficient balance');
  }

  const id = randomUUID();
  const inserted = await trx
    .insertInto('ledger_transactions')
    .values({
      id,
      tenant_id: draft.tenantId,
      idempotency_key: draft.idempotencyKey,
      kind: draft.kind,
      status: draft.status,
      currency: draft.currency,
      reference_type: draft.reference?.type ?? null,
      reference_id: draft.reference?.id ?? null,
      effective_at: draft.effectiveAt,
      created_at: draft.effectiveAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    // A twin that touched other accounts won the race (the unique key is the guarantee).
    const twin = await findTransactionByKey(trx, draft.tenantId, draft.idempotencyKey);
    return { id: twin!.id, replayed: true };
  }
  await trx
    .insertInto('ledger_entries')
    .values(
      draft.entries.map((e) => ({
        tenant_id: draft.tenantId,
        transaction_id: id,
        account_id: byCode.get(e.accountCode)!.id,
        direction: e.direction,
        amount: e.amount,
        currency: draft.currency,
      })),
    )
    .execute();
  const col = pending ? { debits: 'pending_debits', credits: 'pending_credits' } : { debits: 'posted_debits', credits: 'posted_credits' };
  const items = [...deltas].map(([code, d]) => ({ id: byCode.get(code)!.id, ...d }));
  await sql`
    update ledger_accounts a set
      ${sql.ref(col.debits)} = a.${sql.ref(col.debits)} + u.debits,
      ${sql.ref(col.credits)} = a.${sql.ref(col.credits)} + u.credits
    from unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.debits)}::bigint[], ${items.map((i) => i.credits)}::bigint[]) as u(id, debits, credits)
    where a.id = u.id`.execute(trx);
  return { id, replayed: false };
}

/** A two-entry transaction: `amount` debited to one account and credited to the other. */
export function postTransfer(
  trx: Transaction<Database>,
  t: Omit<TransactionDraft, 'entries' | 'accounts'> & { debit: LedgerAccountSpec; credit: LedgerAccountSpec; amount: bigint },
): Promise<{ id: string; replayed: boolean }> {
  const { debit, credit, amount, ...rest } = t;
  return postTransaction(trx, {
    ...rest,
    accounts: [debit, credit],
    entries: [
      { accountCode: debit.code, direction: 'debit', amount },
      { accountCode: credit.code, direction: 'credit', amount },
    ],
  });
}

/** What a transaction credited in all (a transfer's amount). */
export async function transactionCredits(db: Kysely<Database>, tenantId: string, transactionId: string): Promise<bigint> {
  const row = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.sum<string>('amount').as('total'))
    .where('tenant_id', '=', tenantId)
    .where('transaction_id', '=', transactionId)
    .where('direction', '=', 'credit')
    .executeTakeFirst();
  return BigInt(row?.total ?? 0);
}

async function findTransactionByKey(trx: Transaction<Database>, tenantId: string, key: string) {
  return trx.selectFrom('ledger_transactions').select('id').where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
}

/** Creates missing ledger accounts, then locks all of them in id order. */
export async function lockAccounts(trx: Transaction<Database>, tenantId: string, currency: string, specs: LedgerAccountSpec[]): Promise<LedgerAccountRow[]> {
  await trx
    .insertInto('ledger_accounts')
    // In code order, so two postings creating the same accounts take their locks in one order.
    .values([...specs].sort((a, b) => (a.code < b.code ? -1 : 1)).map((s) => ({ tenant_id: tenantId, code: s.code, currency, normal_balance: s.normalBalance, allow_negative: s.allowNegative })))
    .onConflict((oc) => oc.columns(['tenant_id', 'code', 'currency']).doNothing())
    .execute();
  return trx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('currency', '=', currency)
    .where('code', 'in', specs.map((s) => s.code))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** A ledger account's cached totals, if it exists. */
export async function findLedgerAccount(db: Kysely<Database>, tenantId: string, code: string, currency: string): Promise<LedgerAccountRow | undefined> {
  return db.selectFrom('ledger_accounts').selectAll().where('tenant_id', '=', tenantId).where('code', '=', code).where('currency', '=', currency).executeTakeFirst();
}

/**
 * Posts or voids a pending transaction (a reservation) inside the caller's
 * transaction: its entries move from the pending totals to the posted ones,
 * or leave the pending totals. A transaction no longer pending is left as it
 * is (idempotent); returns whether this call changed it.
 */
export async function resolvePending(trx: Transaction<Database>, tenantId: string, transactionId: string, outcome: 'posted' | 'voided'): Promise<boolean> {
  const tx = await trx
    .selectFrom('ledger_transactions')
    .select(['id', 'status', 'currency'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', transactionId)
    .forUpdate()
    .executeTakeFirst();
  if (!tx || tx.status !== 'pending') return false;
  const entries = await trx.selectFrom('ledger_entries').select(['account_id', 'direction', 'amount']).where('transaction_id', '=', transactionId).execute();
  const ids = [...new Set(entries.map((e) => e.account_id))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  await trx.selectFrom('ledger_accounts').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
  const items = ids.map((id) => {
    const mine = entries.filter((e) => e.account_id === id);
    const sum = (dir: string) => mine.filter((e) => e.direction === dir).reduce((s, e) => s + BigInt(e.amount), 0n);
    return { id, debits: sum('debit'), credits: sum('credit') };
  });
  const post = outcome === 'posted' ? 1 : 0;
  await sql`
    update ledger_accounts a set
      pending_debits = a.pending_debits - u.debits,
      pending_credits = a.pending_credits - u.credits,
      posted_debits = a.posted_debits + u.debits * ${post}::int,
      posted_credits = a.posted_credits + u.credits * ${post}::int
    from unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.debits)}::bigint[], ${items.map((i) => i.credits)}::bigint[]) as u(id, debits, credits)
    where a.id = u.id`.execute(trx);
  await trx.updateTable('ledger_transactions').set({ status: outcome }).where('id', '=', transactionId).execute();
  return true;
}
