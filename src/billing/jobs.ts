import type { Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { JobDefinition } from '../scheduler/index.js';
import { advanceSubscriptionStates, recordReminders, settlementSweep } from './dunning.js';
import { runInvoices, tenantSchedule, type InvoiceRunResult } from './invoice-run.js';
import { listTenants, type TenantRow } from './tenant-store.js';

export const invoiceRunJobKey = (tenant: { slug: string }) => `billing.invoice-run:${tenant.slug}`;

interface Deps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  meter: Meter;
}

/**
 * The billing core's scheduled work: one invoice run per tenant on the
 * tenant's schedule (loaded from the tenants table), and the minute jobs
 * that keep invoices, notices and subscription states moving.
 */
export function billingJobs(deps: Deps): { fixed: JobDefinition[]; perTenant: () => Promise<JobDefinition[]>; runInvoices: (tenant: TenantRow, slot: Date) => Promise<InvoiceRunResult> } {
  const { db, clock, logger, meter } = deps;
  const created = meter.createCounter('overdue_invoices_created_total', { description: 'Invoices created by invoice runs' });
  const notices = meter.createCounter('overdue_billing_notices_total', { description: 'Billing notices recorded, by kind' });
  const autoPaid = meter.createCounter('overdue_invoices_auto_paid_total', { description: 'Invoices paid from balance by an invoice run or the settlement sweep' });

  const run = async (tenant: TenantRow, slot: Date): Promise<InvoiceRunResult> => {
    const result = await runInvoices({ db, logger }, tenant, slot, () => clock.now());
    created.add(result.created, { tenant: tenant.slug });
    autoPaid.add(result.paid, { source: 'invoice_run' });
    notices.add(result.notices, { kind: 'insufficient_balance' });
    logger.info({ tenant: tenant.slug, slot: slot.toISOString(), ...result }, 'invoice run finished');
    return result;
  };

  const perTenant = async (): Promise<JobDefinition[]> =>
    (await listTenants(db)).map((tenant) => ({
      key: invoiceRunJobKey(tenant),
      tenantId: tenant.id,
      schedule: tenantSchedule(tenant),
      // Every missed slot gets its own run (each catches up all due periods anyway),
      // so each slot has a run record the expectations can check.
      catchUp: 'all',
      catchUpCap: 100,
      maxRunS: 900,
      handler: async ({ slot }) => void (await run(tenant, slot)),
    }));

  const fixed: JobDefinition[] = [
    {
      key: 'billing.settlement-sweep',
      schedule: { intervalS: 60 },
      catchUp: 'latest',
      maxRunS: 300,
      handler: async ({ signal }) => {
        const r = await settlementSweep({ db, logger }, clock.now(), signal);
        autoPaid.add(r.paid, { source: 'sweep' });
      },
    },
    {
      key: 'billing.reminders',
      schedule: { intervalS: 60 },
      catchUp: 'latest',
      maxRunS: 300,
      handler: async () => {
        const r = await recordReminders(db, clock.now());
        notices.add(r.reminders, { kind: 'due_reminder' });
        notices.add(r.overdue, { kind: 'overdue' });
      },
    },
    {
      key: 'billing.subscription-states',
      schedule: { intervalS: 60 },
      catchUp: 'latest',
      maxRunS: 300,
      handler: async () => {
        const r = await advanceSubscriptionStates(db, clock.now());
        if (r.canceled + r.pastDue + r.expired > 0) logger.info(r, 'subscription states advanced');
      },
    },
  ];
  return { fixed, perTenant, runInvoices: run };
}
