import { sql } from 'kysely';
import { coveredOldestInvoices } from '../src/billing/dunning.js';
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
    select c.tenant_id, c.account_id, c.invoice_id, c.amount_due, c.balance
    from (${coveredOldestInvoices()}) c
    where c.created_at < ${asOf}::timestamptz - interval '5 minutes'`,
});
