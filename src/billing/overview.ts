import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { listInvoices, type InvoiceRow } from './invoice-store.js';
import { listNotices, type NoticeRow } from './notice-store.js';
import { accountNames, countAccounts, invoiceStatusCounts, openInvoicesByAccount, tenantNames, tenantSummaries, type TenantSummaryRow } from './overview-store.js';
import type { ListCursor } from './paging-store.js';
import type { InvoiceStatus } from './table.js';
import { findTenant, pageAccounts, type AccountRow, type TenantRow } from './tenant-store.js';

export type { InvoiceRow, NoticeRow, TenantRow, TenantSummaryRow, ListCursor, InvoiceStatus };

export interface AccountSummary extends AccountRow {
  /** Prepaid balance in minor units. */
  balance: bigint;
  openInvoices: number;
  /** What the open invoices still owe, in minor units. */
  owed: bigint;
}

/**
 * Billing as the operator console reads it: tenants with their counts,
 * a tenant's accounts with balances and open invoices, its invoices by
 * status and the notices it sent. Reads only, through billing's stores (the
 * same invoice and notice lists the API pages through).
 */
export interface BillingOverview {
  tenants(limit: number, afterSlug?: string): Promise<TenantSummaryRow[]>;
  tenant(id: string): Promise<TenantRow | undefined>;
  /** id → slug and name, for the tenants that exist. */
  names(ids: string[]): Promise<Map<string, { slug: string; name: string }>>;
  accounts(tenant: TenantRow, limit: number): Promise<{ total: number; rows: AccountSummary[] }>;
  /** id → name of these accounts of the tenant. */
  accountNames(tenantId: string, ids: string[]): Promise<Map<string, string>>;
  invoiceCounts(tenantId: string): Promise<Partial<Record<InvoiceStatus, number>>>;
  invoices(tenantId: string, status: InvoiceStatus | undefined, limit: number, cursor?: ListCursor): Promise<InvoiceRow[]>;
  notices(tenantId: string, limit: number, cursor?: ListCursor): Promise<NoticeRow[]>;
}

export function billingOverview(db: Kysely<Database>): BillingOverview {
  return {
    tenants: (limit, afterSlug) => tenantSummaries(db, limit, afterSlug),
    tenant: (id) => findTenant(db, id),
    names: async (ids) => new Map((await tenantNames(db, ids)).map((t) => [t.id, { slug: t.slug, name: t.name }])),
    async accounts(tenant, limit) {
      const [total, rows] = await Promise.all([countAccounts(db, tenant.id), pageAccounts(db, tenant, {}, limit)]);
      const open = await openInvoicesByAccount(db, tenant.id, rows.map((r) => r.id));
      return { total, rows: rows.map((r) => ({ ...r, balance: BigInt(r.balance ?? 0), openInvoices: open.get(r.id)?.count ?? 0, owed: open.get(r.id)?.owed ?? 0n })) };
    },
    accountNames: async (tenantId, ids) => new Map((await accountNames(db, tenantId, [...new Set(ids)])).map((a) => [a.id, a.name])),
    invoiceCounts: (tenantId) => invoiceStatusCounts(db, tenantId),
    invoices: (tenantId, status, limit, cursor) => listInvoices(db, tenantId, status ? { status } : {}, limit, cursor),
    notices: (tenantId, limit, cursor) => listNotices(db, tenantId, {}, limit, cursor),
  };
}
