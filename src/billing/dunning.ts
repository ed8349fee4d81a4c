import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { invoiceNoticeFields } from './notice-store.js';
import { expireStalePayments, settleFromBalance } from './payments.js';
import { findTenant } from './tenant-store.js';

/**
 * Due-date reminders and overdue notices, set-based across all tenants. For
 * each open invoice not yet due, the nearest reminder offset that has come
 * (due − d days on the tenant's local calendar) is recorded once per
 * (invoice, offset); a job that was down does not send the older offsets it
 * missed. Each open invoice past due gets one overdue notice.
 */
export async function recordReminders(db: Kysely<Database>, now: Date): Promise<{ reminders: number; overdue: number }> {
  const { rows } = await sql<{ reminders: bigint; overdue: bigint }>`
    with reminders as (
      insert into notices (id, tenant_id, account_id, invoice_id, kind, offset_key, status, payload, created_at)
      select gen_random_uuid(), i.tenant_id, i.account_id, i.id, 'due_reminder', r.days || 'd', 'queued',
             ${invoiceNoticeFields()} || jsonb_build_object('days_before_due', r.days),
             ${now}::timestamptz
      from invoices i
      join tenants t on t.id = i.tenant_id
      join accounts a on a.id = i.account_id
      cross join lateral (
        select d as days from unnest(t.reminder_days) as d
        where ((i.due_at at time zone t.timezone) - make_interval(days => d)) at time zone t.timezone <= ${now}::timestamptz
        order by d limit 1
      ) r
      where i.status = 'open' and i.due_at > ${now}::timestamptz and i.due_at <= ${now}::timestamptz + interval '366 days'
      on conflict (invoice_id, kind, offset_key) do nothing
      returning 1
    ),
    overdue as (
      insert into notices (id, tenant_id, account_id, invoice_id, kind, offset_key, status, payload, created_at)
      select gen_random_uuid(), i.tenant_id, i.account_id, i.id, 'overdue', '', 'queued',
             ${invoiceNoticeFields()},
             ${now}::timestamptz
      from invoices i
      join tenants t on t.id = i.tenant_id
      join accounts a on a.id = i.account_id
      where i.status = 'open' and i.due_at <= ${now}::timestamptz
      on conflict (invoice_id, kind, offset_key) do nothing
      returning 1
    )
    select (select count(*) from reminders) as reminders, (select count(*) from overdue) as overdue`.execute(db);
  return { reminders: Number(rows[0]!.reminders), overdue: Number(rows[0]!.overdue) };
}

/**
 * Subscription states that follow from time, set-based; rows another
 * transaction holds are skipped (SKIP LOCKED) and taken next pass, so this
 * never waits on, or deadlocks with, a payment.
 * - canceled at period end: `ends_at` has passed;
 * - past_due: the paid service has run out (never paid: since the anchor)
 *   and an invoice of a started period is unpaid;
 * - expired: past due for longer than the tenant's expiry grace.
 */
export async function advanceSubscriptionStates(db: Kysely<Database>, now: Date): Promise<{ canceled: number; pastDue: number; expired: number }> {
  const { rows } = await sql<{ canceled: bigint; past_due: bigint; expired: bigint }>`
    with ending as (
      select id from subscriptions
      where status in ('active', 'past_due') and ends_at <= ${now}::timestamptz
      for update skip locked
    ),
    canceled as (
      update subscriptions s set status = 'canceled', canceled_at = s.ends_at, updated_at = ${now}::timestamptz
      from ending e where s.id = e.id returning 1
    ),
    lapsing as (
      select s.id from subscriptions s
      where s.status = 'active' and coalesce(s.service_expires_at, s.anchor) <= ${now}::timestamptz
        and (s.ends_at is null or s.ends_at > ${now}::timestamptz)
        and exists (select 1 from invoices i where i.subscription_id = s.id and i.status in ('open', 'uncollectible') and i.period_start <= ${now}::timestamptz)
      for update of s skip locked
    ),
    past_due as (
      update subscriptions s set status = 'past_due', updated_at = ${now}::timestamptz
      from lapsing l where s.id = l.id returning 1
    ),
    expiring as (
      select s.id from subscriptions s join tenants t on t.id = s.tenant_id
      where s.status = 'past_due'
        and ((coalesce(s.service_expires_at, s.anchor) at time zone t.timezone) + make_interval(days => t.expiry_grace_days)) at time zone t.timezone <= ${now}::timestamptz
        and (s.ends_at is null or s.ends_at > ${now}::timestamptz)
      for update of s skip locked
    ),
    expired as (
      update subscriptions s set status = 'expired', updated_at = ${now}::timestamptz
      from expiring x where s.id = x.id returning 1
    )
    select (select count(*) from canceled) as canceled, (select count(*) from past_due) as past_due, (select count(*) from expired) as expired`.execute(db);
  const r = rows[0]!;
  return { canceled: Number(r.canceled), pastDue: Number(r.past_due), expired: Number(r.expired) };
}

/**
 * Each account's oldest payable invoice (settlement order, none with a payment
 * in flight) that its available balance covers: what settlement should have
 * paid already. Shared by the settlement sweep and the
 * balance-settles-open-invoices expectation.
 */
export function coveredOldestInvoices() {
  return sql<{ tenant_id: string; account_id: string; invoice_id: string; amount_due: string; balance: string; created_at: Date }>`
    select o.tenant_id, o.account_id, o.id as invoice_id, o.amount_due::text as amount_due, o.created_at,
           (la.posted_credits - la.posted_debits - la.pending_debits)::text as balance
    from (
      select distinct on (i.account_id) i.*
      from invoices i
      where i.status in ('open', 'uncollectible')
        and not exists (select 1 from invoice_payments p where p.invoice_id = i.id and p.status = 'pending')
      order by i.account_id, i.due_at, i.created_at, i.id
    ) o
    join ledger_accounts la on la.tenant_id = o.tenant_id and la.code = 'customer:' || o.account_id || ':prepaid' and la.currency = o.currency
    where la.posted_credits - la.posted_debits - la.pending_debits >= o.amount_due`;
}

/**
 * How long a covered invoice may stay open before its staying open is a gap:
 * the tolerance the balance-settles-open-invoices expectation allows, and far
 * more than an invoice run takes from creating its invoices to auto-paying them.
 */
export const SETTLE_TOLERANCE_MS = 5 * 60_000;

/**
 * Safety net for top-up settlement: accounts whose balance covers their
 * oldest payable invoice are settled (each under its customer lock), and
 * reservations of payments abandoned mid-flight are released.
 *
 * It warns only about gaps: the invoice existed when a top-up was posted (so
 * that top-up's settlement should have paid it), or it has been open longer
 * than SETTLE_TOLERANCE_MS. Otherwise the sweep merely got there first, e.g.
 * between an invoice run committing its invoices and auto-paying them; it
 * still pays (the customer lock makes either payer pay once), and says so at info.
 */
export async function settlementSweep(deps: { db: Kysely<Database>; logger: Logger }, now: Date, signal?: AbortSignal): Promise<{ accounts: number; paid: number; released: number }> {
  const { db, logger } = deps;
  const released = await expireStalePayments(db, new Date(now.getTime() - 15 * 60_000), now, logger);
  // Top-ups are the only credits to a prepaid balance, and each settles in its own transaction.
  const { rows } = await sql<{ tenant_id: string; account_id: string; gap: 'top_up' | 'stale' | null }>`
    select c.tenant_id, c.account_id,
           case
             when exists (
               select 1
               from ledger_accounts la
               join ledger_entries e on e.tenant_id = la.tenant_id and e.account_id = la.id and e.direction = 'credit'
               join ledger_transactions t on t.id = e.transaction_id and t.status = 'posted'
               where la.tenant_id = c.tenant_id and la.code = 'customer:' || c.account_id || ':prepaid' and t.created_at >= c.created_at
             ) then 'top_up'
             when c.created_at < ${new Date(now.getTime() - SETTLE_TOLERANCE_MS)}::timestamptz then 'stale'
           end as gap
    from (${coveredOldestInvoices()}) c limit 1000`.execute(db);
  let paid = 0;
  const tenants = new Map<string, Awaited<ReturnType<typeof findTenant>>>();
  for (const r of rows) {
    if (signal?.aborted) break;
    if (!tenants.has(r.tenant_id)) tenants.set(r.tenant_id, await findTenant(db, r.tenant_id));
    const tenant = tenants.get(r.tenant_id);
    if (!tenant) continue;
    const settled = await db.transaction().execute((trx) => settleFromBalance(trx, tenant, r.account_id, 'sweep', now));
    if (settled.length > 0) {
      const fields = { tenant: tenant.slug, account: r.account_id, invoices: settled.length };
      if (r.gap === 'top_up') logger.warn(fields, 'settlement sweep paid invoices that top-up settlement had left open');
      else if (r.gap === 'stale') logger.warn(fields, `settlement sweep paid invoices left open for more than ${SETTLE_TOLERANCE_MS / 60_000} minutes while the balance covered them`);
      else logger.info(fields, 'settlement sweep paid new invoices the balance already covered (no settlement had missed them yet)');
    }
    paid += settled.length;
  }
  return { accounts: rows.length, paid, released };
}
