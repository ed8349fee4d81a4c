import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { InvoiceStatus } from './table.js';
import type { TenantRow } from './tenant-store.js';

/** A tenant with how many accounts and open invoices it has (the admin's list in the console). */
export type TenantSummaryRow = TenantRow & { accounts: number; open_invoices: number };

/** Tenants by slug after `afterSlug`, each with its counts (two correlated counts on indexed tenant_id). */
export async function tenantSummaries(db: Kysely<Database>, limit: number, afterSlug?: string): Promise<TenantSummaryRow[]> {
  let q = db
    .selectFrom('tenants as t')
    .selectAll('t')
    .select((eb) => [
      eb.selectFrom('accounts as a').whereRef('a.tenant_id', '=', 't.id').select(sql<number>`count(*)::int`.as('n')).as('accounts'),
      eb.selectFrom('invoices as i').whereRef('i.tenant_id', '=', 't.id').where('i.status', '=', 'open').select(sql<number>`count(*)::int`.as('n')).as('open_invoices'),
    ]);
  if (afterSlug !== undefined) q = q.where('t.slug', '>', afterSlug);
  const rows = await q.orderBy('t.slug').limit(limit).execute();
  return rows.map((r) => ({ ...r, accounts: Number(r.accounts ?? 0), open_invoices: Number(r.open_invoices ?? 0) }));
}

/** Per account of the tenant (only `accountIds`): its open invoices and what they still owe. */
export async function openInvoicesByAccount(db: Kysely<Database>, tenantId: string, accountIds: string[]): Promise<Map<string, { count: number; owed: bigint }>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('invoices')
    .select(['account_id', sql<number>`count(*)::int`.as('count'), sql<string>`sum(amount_due - amount_paid)::text`.as('owed')])
    .where('tenant_id', '=', tenantId)
    .where('account_id', 'in', accountIds)
    .where('status', '=', 'open')
    .groupBy('account_id')
    .execute();
  return new Map(rows.map((r) => [r.account_id, { count: Number(r.count), owed: BigInt(r.owed) }]));
}

/** How many of the tenant's invoices are in each status. */
export async function invoiceStatusCounts(db: Kysely<Database>, tenantId: string): Promise<Partial<Record<InvoiceStatus, number>>> {
  const rows = await db.selectFrom('invoices').select(['status', sql<number>`count(*)::int`.as('n')]).where('tenant_id', '=', tenantId).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function countAccounts(db: Kysely<Database>, tenantId: string): Promise<number> {
  const row = await db.selectFrom('accounts').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Slugs and names of these tenants (the console names the failing tenants of an expectation). */
export async function tenantNames(db: Kysely<Database>, ids: string[]): Promise<{ id: string; slug: string; name: string }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('tenants').select(['id', 'slug', 'name']).where('id', 'in', ids).execute();
}

/** Names of these accounts of the tenant (another tenant's ids are simply absent). */
export async function accountNames(db: Kysely<Database>, tenantId: string, ids: string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('accounts').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}
