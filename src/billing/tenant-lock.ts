import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * The tenant's billing lock, for the transaction. Bulk writers of many
 * subscriptions (invoice runs, lifecycle sweeps) take it exclusively; writers
 * of one account (payments, top-up settlement, cancel) take it shared. So a
 * bulk update and a settlement never hold subscription rows in crossing
 * orders, and settlements still run side by side.
 */
export async function lockTenantBilling(trx: Transaction<Database>, tenantId: string, mode: 'exclusive' | 'shared'): Promise<void> {
  const key = `overdue.billing:${tenantId}`;
  if (mode === 'exclusive') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
  else await sql`select pg_advisory_xact_lock_shared(hashtext(${key}))`.execute(trx);
}
