import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { previousSlot, type JobSchedule } from '../time/slots.js';
import { autoPayCandidates, generateInvoices, recordInsufficientBalanceNotices } from './invoice-run-store.js';
import { settleFromBalance } from './payments.js';
import { lockTenantBilling } from './tenant-lock.js';
import type { TenantRow } from './tenant-store.js';

/** Most periods one subscription gets per run; a longer backlog continues next run (and is logged). */
export const PERIODS_PER_RUN_CAP = 1000;

export interface InvoiceRunResult {
  /** Invoices this run created (catch-up periods included). */
  created: number;
  /** Invoices of this slot's window (periods starting after the previous slot, up to this one) that already existed. */
  existing: number;
  /** New auto-renew invoices paid from balance. */
  paid: number;
  /** Insufficient-balance notices recorded. */
  notices: number;
}

export function tenantSchedule(tenant: TenantRow): JobSchedule {
  return { cron: tenant.invoice_schedule, tz: tenant.timezone };
}

/**
 * One invoice run of a tenant for a slot. Idempotent: run it again, for the
 * same or an older slot, and it creates nothing twice.
 * 1. Under the tenant's exclusive billing lock, every billable subscription
 *    gets the invoices of all its periods started by the slot (set-based).
 * 2. The run's auto-renew invoices are paid from balance where it covers
 *    them (per account, under the customer lock, oldest first).
 * 3. Each of them still open gets one insufficient-balance notice.
 * Step 1 commits before 2 and 3; a crash in between is repaired by running
 * the slot again, which finds the run's invoices by their slot.
 */
export async function runInvoices(deps: { db: Kysely<Database>; logger: Logger }, tenant: TenantRow, slot: Date, now: () => Date): Promise<InvoiceRunResult> {
  const { db, logger } = deps;
  const previous = previousSlot(tenantSchedule(tenant), slot);
  const generated = await db.transaction().execute(async (trx) => {
    await lockTenantBilling(trx, tenant.id, 'exclusive');
    return generateInvoices(trx, { tenantId: tenant.id, slot, dueDays: tenant.due_days, cap: PERIODS_PER_RUN_CAP, window: { after: previous } }, now());
  });
  if (generated.capped > 0) {
    logger.warn({ tenant: tenant.slug, slot: slot.toISOString(), subscriptions: generated.capped, cap: PERIODS_PER_RUN_CAP }, 'invoice run hit the per-subscription period cap; the next run continues');
  }

  let paid = 0;
  for (const accountId of await autoPayCandidates(db, tenant.id, slot)) {
    paid += (await db.transaction().execute((trx) => settleFromBalance(trx, tenant, accountId, 'invoice_run', now(), slot))).length;
  }
  const notices = await db.transaction().execute((trx) => recordInsufficientBalanceNotices(trx, tenant.id, slot, now()));
  return { created: generated.created, existing: generated.existing, paid, notices };
}
