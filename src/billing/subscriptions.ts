import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { lockFutureInvoices, markVoid } from './invoice-store.js';
import { periodStart } from './periods.js';
import type { SubscriptionInput } from './subscription-input.js';
import { cancelSubscription, findSubscription, insertSubscription, type SubscriptionRow } from './subscription-store.js';
import { lockTenantBilling } from './tenant-lock.js';
import { findAccount, type TenantRow } from './tenant-store.js';

export async function createSubscription(db: Kysely<Database>, tenant: TenantRow, input: SubscriptionInput, now: Date): Promise<SubscriptionRow> {
  if (!(await findAccount(db, tenant.id, input.accountId))) throw new AppError('not_found', `no account ${input.accountId}`);
  return insertSubscription(db, tenant, input, now);
}

/** The first period start after `now`: where "at period end" cancels. */
export function currentPeriodEnd(sub: SubscriptionRow, now: Date): Date {
  const cycle = { anchor: sub.anchor, interval: sub.interval, intervalCount: sub.interval_count, tz: sub.timezone };
  let n = Math.max(0, sub.next_period - 1);
  // next_period may trail now (the run has not come yet) or lead it; walk forward from just before it.
  while (n > 0 && periodStart(cycle, n) > now) n--;
  while (periodStart(cycle, n) <= now) n++;
  return periodStart(cycle, n);
}

/**
 * Cancels a subscription. At period end: no invoice for any period starting
 * from the end of the current one; the subscription stays active until then.
 * Immediately: canceled now, and open invoices for periods not yet started
 * are voided.
 */
export async function cancel(db: Kysely<Database>, tenant: TenantRow, id: string, atPeriodEnd: boolean, now: Date): Promise<{ subscription: SubscriptionRow; voided: number }> {
  return db.transaction().execute(async (trx) => {
    await lockTenantBilling(trx, tenant.id, 'shared');
    const sub = await findSubscription(trx, tenant.id, id, true);
    if (!sub) throw new AppError('not_found', `no subscription ${id}`);
    if (sub.status === 'canceled' || sub.status === 'expired') throw new AppError('invalid_state', `subscription ${id} is already ${sub.status}`);
    if (atPeriodEnd) {
      const subscription = await cancelSubscription(trx, id, { endsAt: currentPeriodEnd(sub, now), immediately: false }, now);
      return { subscription, voided: 0 };
    }
    const future = await lockFutureInvoices(trx, id, now);
    const inFlight = await trx.selectFrom('invoice_payments').select('invoice_id').where('invoice_id', 'in', future.length ? future.map((i) => i.id) : ['00000000-0000-0000-0000-000000000000']).where('status', '=', 'pending').execute();
    if (inFlight.length > 0) throw new AppError('payment_in_progress', `a payment of invoice ${inFlight[0]!.invoice_id} is in progress`);
    const voided = await markVoid(trx, future.map((i) => i.id), now);
    const subscription = await cancelSubscription(trx, id, { endsAt: now, immediately: true }, now);
    return { subscription, voided };
  });
}

export { findSubscription };
