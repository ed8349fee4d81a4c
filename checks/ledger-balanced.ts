import { sql } from 'kysely';
import { defineExpectation } from '../src/expectations/define.js';

// Double entry holds: every transaction's entries sum to zero, and every account's cached
// totals equal its entries (posted totals from posted transactions, pending from pending ones).
export default defineExpectation({
  id: 'ledger-balanced',
  title: 'The ledger balances',
  component: 'billing',
  scope: 'forEachTenant',
  severity: 'critical',
  kind: 'invariant',
  schedule: { everyS: 600 },
  unit: 'ledger violations',
  failing: () => sql`
    select t.tenant_id, 'transaction' as what, t.id::text as ref,
           sum(case when e.direction = 'debit' then e.amount else -e.amount end)::text as difference
    from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
    group by t.tenant_id, t.id
    having sum(case when e.direction = 'debit' then e.amount else -e.amount end) <> 0
    union all
    select a.tenant_id, 'account', a.code, null
    from ledger_accounts a
    left join (
      select e.account_id,
             coalesce(sum(e.amount) filter (where e.direction = 'debit' and t.status = 'posted'), 0) as pd,
             coalesce(sum(e.amount) filter (where e.direction = 'credit' and t.status = 'posted'), 0) as pc,
             coalesce(sum(e.amount) filter (where e.direction = 'debit' and t.status = 'pending'), 0) as qd,
             coalesce(sum(e.amount) filter (where e.direction = 'credit' and t.status = 'pending'), 0) as qc
      from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
      group by e.account_id
    ) s on s.account_id = a.id
    where a.posted_debits <> coalesce(s.pd, 0) or a.posted_credits <> coalesce(s.pc, 0)
       or a.pending_debits <> coalesce(s.qd, 0) or a.pending_credits <> coalesce(s.qc, 0)`,
});
