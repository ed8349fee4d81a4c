import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// Consecutive invoices of a subscription tile: each period starts where the previous one ended.
export default defineExpectation({
  id: 'invoice-continuity',
  title: 'No gaps between invoice periods',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'major',
  kind: 'invariant',
  schedule: { everyS: 3600 },
  unit: 'gaps',
  failing: () => sql`
    select tenant_id, subscription_id, previous_end as since, previous_end, period_start
    from (
      select tenant_id, subscription_id, period_start, lag(period_end) over (partition by subscription_id order by period_start) as previous_end
      from invoices
    ) x
    where previous_end is not null and previous_end <> period_start`,
});
