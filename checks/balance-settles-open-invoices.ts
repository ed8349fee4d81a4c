import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// The second incident: customers topped up and their invoices stayed unpaid. Settlement pays an
// account's payable invoices oldest first while the balance covers each, so the account's oldest
// payable invoice must never stay open (past a 5-minute tolerance) while its balance covers it.
export default defineExpectation({
  id: 'balance-settles-open-invoices',
  title: 'Balances settle open invoices',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'major',
  kind: 'invariant',
  unit: 'invoices left unpaid while covered',
  remediation: 'settle',
  failing: ({ asOf }) => sql`
    select o.tenant_id, o.account_id, o.id as invoice_id, o.amount_due::text as amount_due,
           (la.posted_credits - la.posted_debits - la.pending_debits)::text as balance
    from (
      select distinct on (i.account_id) i.*
      from invoices i
      where i.status in ('open', 'uncollectible')
        and not exists (select 1 from invoice_payments p where p.invoice_id = i.id and p.status = 'pending')
      order by i.account_id, i.due_at, i.created_at, i.id
    ) o
    join ledger_accounts la on la.tenant_id = o.tenant_id and la.code = 'customer:' || o.account_id || ':prepaid' and la.currency = o.currency
    where la.posted_credits - la.posted_debits - la.pending_debits >= o.amount_due
      and o.created_at < ${asOf}::timestamptz - interval '5 minutes'`,
});
