import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// The first incident: invoice runs stopped and two days of invoices silently never appeared.
// Every billable subscription must have the invoices of all its periods started by each tenant's
// last invoice-run slot, once that slot is older than the tenant's invoice grace. Subscriptions
// keep their first unbilled period (`next_period_start`), so the lagging ones are one index range
// (up to the newest slot of any tenant), and `weight` counts the invoices each one is missing.
export default defineExpectation({
  id: 'invoices-exist',
  title: 'Every due invoice exists',
  description: "Every active subscription has its invoice for every due period up to its tenant's last invoice-run slot, once that slot is older than the tenant's invoice grace.",
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'major',
  kind: 'slots',
  slots: { schedule: 'tenant-invoice-schedule', grace: 'tenant-invoice-grace' },
  unit: 'invoices',
  remediation: 'invoice-run',
  relatedJob: 'billing.invoice-run:{tenant}',
  missing: ({ tenantIds, slots }) => sql`
    with c as materialized (select * from unnest(${tenantIds}::uuid[], ${slots}::timestamptz[]) as c(tenant_id, slot))
    select s.tenant_id, s.id as subscription_id,
           -- A subscription owes nothing for slots before it existed (a backdated anchor is billed at the next run).
           greatest(s.next_period_start, s.created_at) as since,
           greatest(1, (case when overdue_period_start(s.anchor_local, s.timezone, s.interval, s.interval_count, b.bound) <= c.slot
                             then b.bound else b.bound - 1 end) - s.next_period + 1) as weight
    from subscriptions s
    join c on c.tenant_id = s.tenant_id
    cross join lateral (select overdue_last_period_bound(s.anchor_local, s.timezone, s.interval, s.interval_count, c.slot) as bound) b
    where s.status in ('active', 'past_due') and s.next_period_start <= (select max(slot) from c)
      and s.next_period_start <= c.slot and s.created_at <= c.slot
      and (s.ends_at is null or s.next_period_start < s.ends_at)`,
});
