import type { FeatureParts } from '../feature-module.js';
import type { ServiceDeps } from '../service-deps.js';
import { settlementSweep } from './dunning.js';
import { invoiceRoutes } from './invoice-routes.js';
import { billingJobs } from './jobs.js';
import { ConfirmedPaymentProvider, type PaymentProvider } from './providers.js';
import { billingRoutes } from './routes.js';
import { findTenant } from './tenant-store.js';

/** What billing offers the expectations that verify it: the two repairs. */
export interface BillingRepairs {
  /** The tenant's invoice run for `slot` (idempotent). */
  runInvoices(tenantId: string, slot: Date): Promise<{ created: number; existing: number }>;
  /** The settlement sweep, now. */
  settle(): Promise<{ paid: number }>;
}

/**
 * The billing core, composed: tenants, accounts, ledger, subscriptions and
 * invoices over HTTP; per-tenant invoice runs and the minute jobs on the
 * scheduler; and the repairs expectations may run.
 */
export function billingModule(
  deps: ServiceDeps & {
    /** How external payments are charged; by default, recorded as confirmed outside Overdue. */
    paymentProvider?: PaymentProvider | undefined;
    /** Told when a tenant is created, so its invoice-run job is scheduled. */
    onTenantCreated: () => void;
    /** false: no scheduled jobs (tests of one job); routes and repairs stay. */
    scheduled: boolean;
  },
): FeatureParts & { repairs: BillingRepairs } {
  const { db, clock, logger } = deps;
  const jobs = billingJobs(deps);
  const repairs: BillingRepairs = {
    runInvoices: async (tenantId, slot) => {
      const tenant = await findTenant(db, tenantId);
      if (!tenant) throw new Error(`no tenant ${tenantId}`);
      return jobs.runInvoices(tenant, slot);
    },
    settle: () => settlementSweep({ db, logger }, clock.now()),
  };
  return {
    repairs,
    routes: [
      billingRoutes({ db, clock, logger, onTenantCreated: deps.onTenantCreated }),
      invoiceRoutes({ db, clock, logger, provider: deps.paymentProvider ?? new ConfirmedPaymentProvider(), runInvoices: jobs.runInvoices }),
    ],
    jobs: deps.scheduled ? jobs.fixed : [],
    jobSources: deps.scheduled ? [jobs.perTenant] : [],
  };
}
