import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { NoticeTable } from './table.js';

export type NoticeRow = Selectable<NoticeTable>;

/** The tenant's notices, newest first, after the (created_at, id) cursor. */
export async function listNotices(
  db: Kysely<Database>,
  tenantId: string,
  filter: { invoiceId?: string; accountId?: string },
  limit: number,
  cursor?: { at: Date; id: string },
): Promise<NoticeRow[]> {
  let q = db.selectFrom('notices').selectAll().where('tenant_id', '=', tenantId);
  if (filter.invoiceId) q = q.where('invoice_id', '=', filter.invoiceId);
  if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
  if (cursor) q = q.where(sql<boolean>`(created_at, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * The payload fields every invoice notice carries, so that its mail can say
 * which invoice, for which period, how much and when due, written in the
 * tenant's currency (with its ISO exponent), time zone and name, and how to
 * pay (the account, for a top-up). Amounts are decimal strings of minor units
 * (JSON has no bigint); instants are timestamptz in JSON. The statement must
 * have `i` (invoices), `a` (accounts) and `t` (tenants) in its FROM.
 */
export function invoiceNoticeFields() {
  return sql<Record<string, unknown>>`jsonb_build_object(
    'invoice_id', i.id, 'account_id', i.account_id, 'amount_due', i.amount_due::text, 'currency', i.currency,
    'period_start', i.period_start, 'period_end', i.period_end, 'due_at', i.due_at,
    'email', a.email, 'account_name', a.name,
    'tenant_name', t.name, 'timezone', t.timezone, 'currency_exponent', t.currency_exponent)`;
}

/**
 * A receipt for a paid invoice, queued in the payment's transaction (once per
 * invoice: the notices' unique key).
 */
export async function queueReceipt(trx: Transaction<Database>, invoiceId: string, paymentId: string, now: Date): Promise<void> {
  await sql`
    insert into notices (id, tenant_id, account_id, invoice_id, kind, offset_key, status, payload, created_at)
    select gen_random_uuid(), i.tenant_id, i.account_id, i.id, 'receipt', '', 'queued',
           ${invoiceNoticeFields()} || jsonb_build_object('payment_id', p.id, 'amount_paid', i.amount_paid::text, 'method', p.method,
                              'balance_amount', p.balance_amount::text, 'external_amount', p.external_amount::text, 'paid_at', i.paid_at),
           ${now}::timestamptz
    from invoices i join accounts a on a.id = i.account_id join tenants t on t.id = i.tenant_id join invoice_payments p on p.id = ${paymentId}::uuid
    where i.id = ${invoiceId}::uuid
    on conflict (invoice_id, kind, offset_key) do nothing`.execute(trx);
}
