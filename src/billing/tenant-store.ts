import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { olderThan, type ListCursor } from './paging-store.js';
import type { TenantInput } from './tenant-input.js';
import type { AccountTable, TenantTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type TenantRow = Selectable<TenantTable>;
export type AccountRow = Selectable<AccountTable>;

/** Inserts a tenant unless the slug is taken; undefined when it is. */
export async function tryInsertTenant(db: Db, input: TenantInput, now: Date): Promise<TenantRow | undefined> {
  return db
    .insertInto('tenants')
    .values({
      id: randomUUID(),
      slug: input.slug,
      name: input.name,
      timezone: input.timezone,
      currency: input.currency,
      currency_exponent: input.currencyExponent,
      invoice_schedule: input.invoiceSchedule,
      invoice_grace_s: input.invoiceGraceS,
      due_days: input.dueDays,
      reminder_days: input.reminderDays,
      expiry_grace_days: input.expiryGraceDays,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findTenant(db: Db, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an account unless its external id is taken in the tenant; undefined when it is. */
export async function tryInsertAccount(
  db: Db,
  a: { tenantId: string; name: string; email: string; externalId: string | null },
  now: Date,
): Promise<AccountRow | undefined> {
  return db
    .insertInto('accounts')
    .values({ id: randomUUID(), tenant_id: a.tenantId, name: a.name, email: a.email, external_id: a.externalId, created_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'external_id']).where('external_id', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** An account of this tenant only: another tenant's ids are simply not found. */
export async function findAccount(db: Db, tenantId: string, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Entries of one ledger account, newest first, before the entry id `cursor`. */
export async function ledgerEntries(db: Db, tenantId: string, ledgerAccountCode: string, limit: number, cursor?: bigint) {
  let q = db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_accounts as a', 'a.id', 'e.account_id')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .select(['e.id', 'e.direction', 'e.amount', 'e.currency', 't.id as transaction_id', 't.kind', 't.status', 't.reference_type', 't.reference_id', 't.effective_at'])
    .where('e.tenant_id', '=', tenantId)
    .where('a.tenant_id', '=', tenantId)
    .where('a.code', '=', ledgerAccountCode);
  if (cursor !== undefined) q = q.where('e.id', '<', cursor);
  return q.orderBy('e.id', 'desc').limit(limit).execute();
}

export async function listTenants(db: Db): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('slug').execute();
}

export async function findTenantBySlug(db: Db, slug: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** Tenants newest first, optionally only the one with `slug` or `id` (a tenant key sees its own). */
export async function pageTenants(db: Db, filter: { slug?: string; id?: string }, limit: number, cursor?: ListCursor): Promise<TenantRow[]> {
  let q = db.selectFrom('tenants').selectAll();
  if (filter.slug !== undefined) q = q.where('slug', '=', filter.slug);
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  if (cursor) q = q.where(olderThan(cursor));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** A tenant's accounts newest first, with their balances (one query), optionally by e-mail (any case) or external id. */
export async function pageAccounts(
  db: Db,
  tenant: { id: string; currency: string },
  filter: { email?: string; externalId?: string },
  limit: number,
  cursor?: ListCursor,
): Promise<(AccountRow & { balance: string | null })[]> {
  let q = db
    .selectFrom('accounts as a')
    .leftJoin('ledger_accounts as l', (j) =>
      j
        .on('l.tenant_id', '=', tenant.id)
        .on('l.currency', '=', tenant.currency)
        .on('l.code', '=', sql<string>`'customer:' || a.id || ':prepaid'`),
    )
    .selectAll('a')
    // A prepaid balance is a credit-normal account: credits minus debits.
    .select(sql<string | null>`(l.posted_credits - l.posted_debits)::text`.as('balance'))
    .where('a.tenant_id', '=', tenant.id);
  if (filter.email !== undefined) q = q.where(sql<string>`lower(a.email)`, '=', filter.email.toLowerCase());
  if (filter.externalId !== undefined) q = q.where('a.external_id', '=', filter.externalId);
  if (cursor) q = q.where(olderThan(cursor, 'a.created_at', 'a.id'));
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc').limit(limit).execute();
}
