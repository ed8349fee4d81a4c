import { sql, type Kysely } from 'kysely';

// Billing core, part 2: subscriptions, invoices, payments and the notices queue. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Period n of a subscription starts at its anchor's local wall time + n intervals, on the local
  // calendar (month steps clamp to the month's end, from the anchor, never from the previous
  // period), read in the tenant's zone. Inlined by the planner; src/billing/periods.ts is the same rule.
  await sql`
    create function overdue_period_start(anchor_local timestamp, tz text, unit text, unit_count integer, n integer)
    returns timestamptz language sql stable parallel safe as $$
      select (anchor_local + case unit
        when 'day' then make_interval(days => n * unit_count)
        when 'week' then make_interval(days => 7 * n * unit_count)
        when 'month' then make_interval(months => n * unit_count)
        else make_interval(months => 12 * n * unit_count) end) at time zone tz
    $$`.execute(db);
  // The last period that can start by `as_of`, or one more (its start may be later that day or
  // month): start(n) falls on the anchor's date + n intervals, never after as_of's local date.
  await sql`
    create function overdue_last_period_bound(anchor_local timestamp, tz text, unit text, unit_count integer, as_of timestamptz)
    returns integer language sql stable parallel safe as $$
      select case unit
        when 'day' then ((as_of at time zone tz)::date - anchor_local::date) / unit_count
        when 'week' then ((as_of at time zone tz)::date - anchor_local::date) / (7 * unit_count)
        when 'month' then ((extract(year from as_of at time zone tz)::int - extract(year from anchor_local)::int) * 12
          + extract(month from as_of at time zone tz)::int - extract(month from anchor_local)::int) / unit_count
        else ((extract(year from as_of at time zone tz)::int - extract(year from anchor_local)::int) * 12
          + extract(month from as_of at time zone tz)::int - extract(month from anchor_local)::int) / (12 * unit_count)
      end
    $$`.execute(db);

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('interval', 'text', (c) => c.notNull().check(sql`interval in ('day', 'week', 'month', 'year')`))
    .addColumn('interval_count', 'integer', (c) => c.notNull().check(sql`interval_count between 1 and 1000`))
    .addColumn('anchor', 'timestamptz', (c) => c.notNull())
    // The anchor's wall time in `timezone`: what period arithmetic runs on.
    .addColumn('anchor_local', 'timestamp', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('auto_renew', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'past_due', 'canceled', 'expired')`))
    .addColumn('service_expires_at', 'timestamptz')
    .addColumn('next_period', 'integer', (c) => c.notNull())
    .addColumn('next_period_start', 'timestamptz', (c) => c.notNull())
    // Periods starting at or after this are never billed (cancel at period end).
    .addColumn('ends_at', 'timestamptz')
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index subscriptions_billable_idx on subscriptions (tenant_id, next_period_start) where status in ('active', 'past_due')`.execute(db);
  await db.schema.createIndex('subscriptions_account_idx').on('subscriptions').columns(['account_id']).execute();
  // Subscriptions whose next unbilled period has started, across tenants (what invoices-exist looks for).
  await sql`create index subscriptions_lagging_idx on subscriptions (next_period_start) where status in ('active', 'past_due')`.execute(db);

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('subscription_id', 'uuid', (c) => c.notNull().references('subscriptions.id'))
    .addColumn('period_index', 'integer', (c) => c.notNull())
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull().check(sql`amount_due > 0`))
    .addColumn('amount_paid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'open', 'paid', 'void', 'uncollectible')`))
    .addColumn('issued_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('paid_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    // The invoice-run slot that created it (null when created otherwise).
    .addColumn('run_slot', 'timestamptz')
    // Created for an auto-renew subscription: the run pays it from balance or records a notice.
    .addColumn('auto_pay', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('invoices_period_uq', ['subscription_id', 'period_start'])
    .addCheckConstraint('invoices_paid_amount', sql`amount_paid between 0 and amount_due and (status <> 'paid' or amount_paid = amount_due)`)
    .execute();
  // Lists (newest period first) and the invoices of a run slot's window.
  await db.schema.createIndex('invoices_tenant_period_idx').on('invoices').columns(['tenant_id', 'period_start', 'id']).execute();
  // Settlement walks an account's payable invoices by due date; reminders scan open ones by due date.
  await sql`create index invoices_payable_idx on invoices (account_id, due_at, created_at, id) where status in ('open', 'uncollectible')`.execute(db);
  await sql`create index invoices_open_due_idx on invoices (due_at) where status = 'open'`.execute(db);
  // A run's second step (auto-pay, insufficient-balance notices) finds the run's open auto-pay invoices.
  await sql`create index invoices_auto_pay_idx on invoices (tenant_id, run_slot) where status = 'open' and auto_pay`.execute(db);

  await db.schema
    .createTable('invoice_payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('invoice_id', 'uuid', (c) => c.notNull().references('invoices.id'))
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('balance', 'external', 'combined')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'succeeded', 'failed')`))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('balance_amount', 'bigint', (c) => c.notNull().check(sql`balance_amount >= 0`))
    .addColumn('external_amount', 'bigint', (c) => c.notNull().check(sql`external_amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('external_reference', 'text')
    .addColumn('balance_transaction_id', 'uuid')
    .addColumn('external_transaction_id', 'uuid')
    // What triggered it: api, top_up (settlement), invoice_run (auto-renew), sweep.
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addCheckConstraint('invoice_payments_parts', sql`balance_amount + external_amount = amount`)
    .execute();
  // At most one payment in flight per invoice, and an invoice is paid once.
  await sql`create unique index invoice_payments_in_flight_uq on invoice_payments (invoice_id) where status = 'pending'`.execute(db);
  await sql`create unique index invoice_payments_succeeded_uq on invoice_payments (invoice_id) where status = 'succeeded'`.execute(db);
  await sql`create unique index invoice_payments_reference_uq on invoice_payments (tenant_id, provider, external_reference) where external_reference is not null and status <> 'failed'`.execute(db);
  await db.schema.createIndex('invoice_payments_invoice_idx').on('invoice_payments').columns(['invoice_id', 'created_at']).execute();

  // Billing notices (insufficient balance, due reminders, overdue, receipts), queued for delivery.
  await db.schema
    .createTable('notices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('invoice_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('insufficient_balance', 'due_reminder', 'overdue', 'receipt')`))
    // Which occurrence: '' for one-off kinds, '7d' for the reminder 7 days before due.
    .addColumn('offset_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'sent', 'skipped', 'failed')`))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('notices_dedupe_uq', ['invoice_id', 'kind', 'offset_key'])
    .execute();
  await db.schema.createIndex('notices_tenant_idx').on('notices').columns(['tenant_id', 'created_at', 'id']).execute();
}
