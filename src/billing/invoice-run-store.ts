import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { invoiceNoticeFields } from './notice-store.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface GeneratedInvoices {
  /** Invoices inserted now. */
  created: number;
  /** Invoices that existed before, with a period starting in `window` (the slot's own periods). */
  existing: number;
  /** Due periods (from each subscription's next unbilled period to the slot) whose invoice already existed. */
  conflicted: number;
  /** Subscriptions that hit the per-run period cap (more remain; the next run continues). */
  capped: number;
}

/**
 * Creates, in one set-based statement, the invoice of every period that has
 * started by `slot` for each billable subscription of the tenant: from the
 * subscription's next unbilled period up to the slot, so a run after downtime
 * catches up every missed period. The unique (subscription, period_start)
 * makes a repeat a no-op; `next_period` then moves past what exists so the
 * next run starts there. At most `cap` periods per subscription per run.
 */
export async function generateInvoices(
  trx: Transaction<Database>,
  run: { tenantId: string; slot: Date; dueDays: number; cap: number; window: { after: Date } },
  now: Date,
): Promise<GeneratedInvoices> {
  // generate_series is estimated at 1,000 rows per subscription, which switches JIT on;
  // compiling costs more than this statement ever runs.
  await sql`set local jit = off`.execute(trx);
  const { rows } = await sql<{ created: bigint; billable: bigint; capped: bigint; existing: bigint }>`
    with due as (
      select s.id as subscription_id, s.account_id, s.amount, s.currency, s.timezone, s.ends_at, s.auto_renew, n.idx,
             s.next_period + ${run.cap}::int - 1 as cap_idx,
             overdue_period_start(s.anchor_local, s.timezone, s.interval, s.interval_count, n.idx) as period_start,
             overdue_period_start(s.anchor_local, s.timezone, s.interval, s.interval_count, n.idx + 1) as period_end
      from subscriptions s
      cross join lateral generate_series(
        s.next_period,
        least(overdue_last_period_bound(s.anchor_local, s.timezone, s.interval, s.interval_count, ${run.slot}::timestamptz), s.next_period + ${run.cap}::int - 1)
      ) as n(idx)
      where s.tenant_id = ${run.tenantId} and s.status in ('active', 'past_due') and s.next_period_start <= ${run.slot}::timestamptz
    ),
    billable as (
      select * from due where period_start <= ${run.slot}::timestamptz and (ends_at is null or period_start < ends_at)
    ),
    inserted as (
      insert into invoices (id, tenant_id, account_id, subscription_id, period_index, period_start, period_end, currency,
                            amount_due, amount_paid, status, issued_at, due_at, run_slot, auto_pay, created_at, updated_at)
      select gen_random_uuid(), ${run.tenantId}, b.account_id, b.subscription_id, b.idx, b.period_start, b.period_end, b.currency,
             b.amount, 0, 'open', ${now}::timestamptz,
             ((b.period_start at time zone b.timezone) + make_interval(days => ${run.dueDays}::int)) at time zone b.timezone,
             ${run.slot}::timestamptz, b.auto_renew, ${now}::timestamptz, ${now}::timestamptz
      from billable b
      on conflict (subscription_id, period_start) do nothing
      returning 1
    ),
    advanced as (
      update subscriptions s
      set next_period = m.next_period,
          next_period_start = overdue_period_start(s.anchor_local, s.timezone, s.interval, s.interval_count, m.next_period),
          updated_at = ${now}::timestamptz
      from (select subscription_id, max(idx) + 1 as next_period, bool_or(idx = cap_idx) as capped from billable group by subscription_id) m
      where s.tenant_id = ${run.tenantId} and s.id = m.subscription_id and s.next_period < m.next_period
      returning m.capped
    )
    -- Every part of one statement sees the same snapshot: this counts what existed before the insert.
    select (select count(*) from invoices where tenant_id = ${run.tenantId}
              and period_start > ${run.window.after}::timestamptz and period_start <= ${run.slot}::timestamptz) as existing,
           (select count(*) from inserted) as created,
           (select count(*) from billable) as billable,
           (select count(*) from advanced where capped) as capped`.execute(trx);
  const r = rows[0]!;
  return { created: Number(r.created), existing: Number(r.existing), conflicted: Number(r.billable) - Number(r.created), capped: Number(r.capped) };
}

/** Accounts with an open auto-renew invoice from this run slot and some available prepaid balance. */
export async function autoPayCandidates(trx: Db, tenantId: string, slot: Date): Promise<string[]> {
  const { rows } = await sql<{ account_id: string }>`
    select distinct i.account_id
    from invoices i
    join ledger_accounts la on la.tenant_id = i.tenant_id and la.code = 'customer:' || i.account_id || ':prepaid' and la.currency = i.currency
    where i.tenant_id = ${tenantId} and i.run_slot = ${slot}::timestamptz and i.status = 'open' and i.auto_pay
      and la.posted_credits - la.posted_debits - la.pending_debits > 0`.execute(trx);
  return rows.map((r) => r.account_id);
}

/**
 * One insufficient-balance notice for each auto-renew invoice of this run
 * slot that is still open (the balance did not cover it). The unique
 * (invoice, kind, offset) makes a repeat a no-op. Returns how many were new.
 */
export async function recordInsufficientBalanceNotices(trx: Transaction<Database>, tenantId: string, slot: Date, now: Date): Promise<number> {
  const { rows } = await sql<{ n: bigint }>`
    with inserted as (
      insert into notices (id, tenant_id, account_id, invoice_id, kind, offset_key, status, payload, created_at)
      select gen_random_uuid(), i.tenant_id, i.account_id, i.id, 'insufficient_balance', '', 'queued',
             ${invoiceNoticeFields()} || jsonb_build_object(
               'subscription_id', i.subscription_id,
               'balance', coalesce(la.posted_credits - la.posted_debits - la.pending_debits, 0)::text),
             ${now}::timestamptz
      from invoices i
      join tenants t on t.id = i.tenant_id
      join accounts a on a.id = i.account_id
      left join ledger_accounts la on la.tenant_id = i.tenant_id and la.code = 'customer:' || i.account_id || ':prepaid' and la.currency = i.currency
      where i.tenant_id = ${tenantId} and i.run_slot = ${slot}::timestamptz and i.status = 'open' and i.auto_pay
      on conflict (invoice_id, kind, offset_key) do nothing
      returning 1
    )
    select count(*) as n from inserted`.execute(trx);
  return Number(rows[0]!.n);
}
