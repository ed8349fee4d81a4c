import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { olderThan, type ListCursor } from './paging-store.js';
import type { SubscriptionInput } from './subscription-input.js';
import type { SubscriptionTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type SubscriptionRow = Selectable<SubscriptionTable>;

export async function insertSubscription(db: Db, tenant: { id: string; timezone: string; currency: string }, s: SubscriptionInput, now: Date): Promise<SubscriptionRow> {
  return db
    .insertInto('subscriptions')
    .values({
      id: randomUUID(),
      tenant_id: tenant.id,
      account_id: s.accountId,
      description: s.description,
      amount: s.amount,
      currency: tenant.currency,
      interval: s.interval,
      interval_count: s.intervalCount,
      anchor: s.anchor,
      anchor_local: s.anchorLocal,
      timezone: tenant.timezone,
      auto_renew: s.autoRenew,
      status: 'active',
      service_expires_at: null,
      next_period: 0,
      next_period_start: s.anchor,
      ends_at: null,
      canceled_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSubscription(db: Db, tenantId: string, id: string, lock = false): Promise<SubscriptionRow | undefined> {
  let q = db.selectFrom('subscriptions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The start of the subscription's period `n`, computed by the same SQL the invoice run uses. */
export async function periodStartInSql(db: Db, subscriptionId: string, n: number): Promise<Date> {
  const row = await sql<{ start: Date }>`
    select overdue_period_start(anchor_local, timezone, interval, interval_count, ${n}::int) as start
    from subscriptions where id = ${subscriptionId}`.execute(db);
  return row.rows[0]!.start;
}

/**
 * Paid through `periodEnd`: service runs to at least there, and a past-due or
 * expired subscription is active again. Canceled ones stay canceled.
 */
export async function extendService(trx: Transaction<Database>, subscriptionId: string, periodEnd: Date, now: Date): Promise<void> {
  await trx
    .updateTable('subscriptions')
    .set({
      service_expires_at: sql`greatest(coalesce(service_expires_at, ${periodEnd}::timestamptz), ${periodEnd}::timestamptz)`,
      status: sql`case when status in ('past_due', 'expired') then 'active' else status end`,
      updated_at: now,
    })
    .where('id', '=', subscriptionId)
    .execute();
}

/** Stops invoicing from `endsAt` on (at period end), or cancels now. */
export async function cancelSubscription(trx: Transaction<Database>, id: string, cancel: { endsAt: Date; immediately: boolean }, now: Date): Promise<SubscriptionRow> {
  return trx
    .updateTable('subscriptions')
    .set({
      ends_at: cancel.endsAt,
      status: cancel.immediately ? 'canceled' : sql`status`,
      canceled_at: cancel.immediately ? now : null,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A tenant's subscriptions newest first, optionally of one account and in one state. */
export async function pageSubscriptions(
  db: Db,
  tenantId: string,
  filter: { accountId?: string; status?: SubscriptionRow['status'] },
  limit: number,
  cursor?: ListCursor,
): Promise<SubscriptionRow[]> {
  let q = db.selectFrom('subscriptions').selectAll().where('tenant_id', '=', tenantId);
  if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (cursor) q = q.where(olderThan(cursor));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
