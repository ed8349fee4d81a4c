import type { Kysely } from 'kysely';
import { generateApiKey, hashApiKey, keyPrefix } from '../auth/keys.js';
import { tryInsertApiKey } from '../auth/store.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { ensurePingKey } from '../heartbeats/index.js';
import { ledgerAccounts, postedBalance } from './ledger.js';
import { findLedgerAccount, postTransfer, transactionCredits } from './ledger-store.js';
import { settleFromBalance } from './payments.js';
import { lockTenantBilling } from './tenant-lock.js';
import type { TenantInput } from './tenant-input.js';
import { findAccount, findTenant, ledgerEntries, tryInsertAccount, tryInsertTenant, type AccountRow, type TenantRow } from './tenant-store.js';

/**
 * Creates a tenant with its API key (returned once, stored hashed) and its
 * ping key, in one transaction. A taken slug is a 409.
 */
export async function createTenant(db: Kysely<Database>, input: TenantInput, now: Date): Promise<{ tenant: TenantRow; apiKey: string; pingKey: string }> {
  return db.transaction().execute(async (trx) => {
    const tenant = await tryInsertTenant(trx, input, now);
    if (!tenant) throw new AppError('conflict', `a tenant with slug ${input.slug} exists`);
    const apiKey = generateApiKey('tenant');
    await tryInsertApiKey(trx, { kind: 'tenant', tenantId: tenant.id, name: `${tenant.slug} (created with the tenant)`, prefix: keyPrefix(apiKey), hash: hashApiKey(apiKey), now });
    const pingKey = await ensurePingKey(trx, tenant.id, now);
    return { tenant, apiKey, pingKey };
  });
}

export async function createAccount(
  db: Kysely<Database>,
  tenantId: string,
  a: { name: string; email: string; externalId: string | null },
  now: Date,
): Promise<AccountRow> {
  const account = await tryInsertAccount(db, { tenantId, ...a }, now);
  if (!account) throw new AppError('conflict', `an account with external_id ${a.externalId} exists`);
  return account;
}

/** The account's prepaid balance (0 before its first movement). */
export async function accountBalance(db: Kysely<Database>, tenant: TenantRow, accountId: string): Promise<bigint> {
  const ledger = await findLedgerAccount(db, tenant.id, ledgerAccounts.prepaid(accountId).code, tenant.currency);
  if (!ledger) return 0n;
  return postedBalance('credit', { postedDebits: ledger.posted_debits, postedCredits: ledger.posted_credits, pendingDebits: 0n, pendingCredits: 0n });
}

/**
 * Credits an account's balance from an external payment and, in the same
 * transaction, settles its open invoices oldest first while the balance
 * covers each whole invoice. The reference (the payment provider's id) makes
 * it idempotent: the same reference never credits twice.
 */
export async function topUp(
  db: Kysely<Database>,
  tenant: TenantRow,
  accountId: string,
  t: { amount: bigint; reference: string },
  now: Date,
): Promise<{ transactionId: string; replayed: boolean; balance: bigint; settled: string[] }> {
  if (!(await findAccount(db, tenant.id, accountId))) throw new AppError('not_found', `no account ${accountId}`);
  const { posted, settled } = await db.transaction().execute(async (trx) => {
    await lockTenantBilling(trx, tenant.id, 'shared');
    const posted = await postTransfer(trx, {
      tenantId: tenant.id,
      idempotencyKey: `top-up:${accountId}:${t.reference}`,
      kind: 'top_up',
      status: 'posted',
      currency: tenant.currency,
      debit: ledgerAccounts.pspClearing('external'),
      credit: ledgerAccounts.prepaid(accountId),
      amount: t.amount,
      reference: { type: 'top_up', id: t.reference },
      effectiveAt: now,
    });
    if (posted.replayed) {
      const first = await transactionCredits(trx, tenant.id, posted.id);
      if (first !== t.amount) {
        throw new AppError('idempotency_conflict', `the top-up reference ${JSON.stringify(t.reference)} was already used with the amount ${first}; a new payment needs a new reference`);
      }
    }
    return { posted, settled: await settleFromBalance(trx, tenant, accountId, 'top_up', now) };
  });
  return { transactionId: posted.id, replayed: posted.replayed, balance: await accountBalance(db, tenant, accountId), settled };
}

/** Movements of the account's balance, newest first, before the entry id `cursor`. */
export function balanceHistory(db: Kysely<Database>, tenant: TenantRow, accountId: string, limit: number, cursor?: bigint) {
  return ledgerEntries(db, tenant.id, ledgerAccounts.prepaid(accountId).code, limit, cursor);
}

export { findTenant, findAccount };
