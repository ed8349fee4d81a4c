import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// A paid renewal must have extended the service to at least the end of its period.
export default defineExpectation({
  id: 'renewal-extends-expiry',
  title: 'Paid renewals extend service',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'major',
  kind: 'invariant',
  schedule: { everyS: 300 },
  unit: 'paid invoices without service',
  failing: () => sql`
    select i.tenant_id, i.subscription_id, i.id as invoice_id, i.period_end, s.service_expires_at
    from invoices i join subscriptions s on s.id = i.subscription_id
    where i.status = 'paid' and (s.service_expires_at is null or s.service_expires_at < i.period_end)`,
});
