import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// The second incident again: reminders never went out. Past a 5-minute tolerance, every open
// invoice past a reminder offset has the reminder of the nearest offset reached, every overdue
// one its overdue notice, and every auto-renewal left open its insufficient-balance notice.
export default defineExpectation({
  id: 'reminders-sent',
  title: 'Reminders and notices are recorded',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'minor',
  kind: 'invariant',
  schedule: { everyS: 300 },
  unit: 'missing notices',
  failing: ({ asOf }) => sql`
    with settled as (select ${asOf}::timestamptz - interval '5 minutes' as at)
    select i.tenant_id, i.id as invoice_id, 'due_reminder ' || r.days || 'd' as missing
    from invoices i
    join tenants t on t.id = i.tenant_id
    cross join settled
    cross join lateral (
      select d as days from unnest(t.reminder_days) d
      where ((i.due_at at time zone t.timezone) - make_interval(days => d)) at time zone t.timezone <= settled.at
      order by d limit 1
    ) r
    where i.status = 'open' and i.due_at > ${asOf}::timestamptz
      and not exists (select 1 from notices n where n.invoice_id = i.id and n.kind = 'due_reminder' and n.offset_key in (r.days || 'd'))
      and not exists (select 1 from notices n where n.invoice_id = i.id and n.kind = 'due_reminder'
                      and n.offset_key ~ '^[0-9]+d$' and left(n.offset_key, -1)::int < r.days)
    union all
    select i.tenant_id, i.id, 'overdue'
    from invoices i cross join settled
    where i.status = 'open' and i.due_at <= settled.at
      and not exists (select 1 from notices n where n.invoice_id = i.id and n.kind = 'overdue')
    union all
    select i.tenant_id, i.id, 'insufficient_balance'
    from invoices i cross join settled
    where i.status = 'open' and i.auto_pay and i.created_at <= settled.at
      and not exists (select 1 from notices n where n.invoice_id = i.id and n.kind = 'insufficient_balance')`,
});
