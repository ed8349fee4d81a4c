import type { Transaction } from 'kysely';
import { lockForTransaction } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';

/**
 * The tenant's billing lock, for the transaction. Bulk writers of many
 * subscriptions (invoice runs, lifecycle sweeps) take it exclusively; writers
 * of one account (payments, top-up settlement, cancel) take it shared. So a
 * bulk update and a settlement never hold subscription rows in crossing
 * orders, and settlements still run side by side.
 */
export async function lockTenantBilling(trx: Transaction<Database>, tenantId: string, mode: 'exclusive' | 'shared'): Promise<void> {
  await lockForTransaction(trx, `overdue.billing:${tenantId}`, mode);
}
