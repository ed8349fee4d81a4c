import { randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { AlertPayload, DeliveryState, DeliveryTable, EmailPayload, SubscriberTable, WebhookPayload } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type SubscriberRow = Selectable<SubscriberTable>;
export type DeliveryRow = Selectable<DeliveryTable>;

export interface DeliveryDraft {
  eventKey: string;
  recipient: string;
  channel: 'email' | 'webhook' | 'alert';
  subscriberId: string | null;
  /** An operator's alert channel (channel 'alert'). */
  channelId?: string | null;
  payload: EmailPayload | WebhookPayload | AlertPayload;
}

// Subscribers

/** Confirmed, active subscribers of a page whose component selection (none = all) meets these components. */
export async function subscribersFor(db: Db, pageId: string, componentIds: string[]): Promise<SubscriberRow[]> {
  return db
    .selectFrom('subscribers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('confirmed_at', 'is not', null)
    .where('unsubscribed_at', 'is', null)
    .where('quarantined_at', 'is', null)
    .where(sql<boolean>`(cardinality(component_ids) = 0 or component_ids && ${componentIds}::uuid[])`)
    .execute();
}

export async function findSubscriber(db: Db, id: string): Promise<SubscriberRow | undefined> {
  return db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A page's email subscriber by address (case-insensitive), locked for the caller's transaction. */
export async function lockEmailSubscriber(trx: Transaction<Database>, pageId: string, email: string): Promise<SubscriberRow | undefined> {
  return trx
    .selectFrom('subscribers')
    .selectAll()
    .where('page_id', '=', pageId)
    .where('channel', '=', 'email')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .forUpdate()
    .executeTakeFirst();
}

export async function insertSubscriber(db: Db, s: Insertable<SubscriberTable>): Promise<void> {
  await db.insertInto('subscribers').values(s).execute();
}

/** An unconfirmed or unsubscribed address asks again: it must confirm again, with its new selection. */
export async function resetSubscriber(db: Db, id: string, componentIds: string[], now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ component_ids: componentIds, unsubscribed_at: null, confirmed_at: null, updated_at: now }).where('id', '=', id).execute();
}

/** Guarded: a second click changes nothing. */
export async function confirmSubscriber(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ confirmed_at: now, updated_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).execute();
}

/** Guarded: keeps the first unsubscribe time. */
export async function unsubscribeSubscriber(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ unsubscribed_at: now, updated_at: now }).where('id', '=', id).where('unsubscribed_at', 'is', null).execute();
}

export async function setSubscriberComponents(db: Db, id: string, componentIds: string[], now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ component_ids: componentIds, updated_at: now }).where('id', '=', id).execute();
}

/** A receiver answered 410 Gone: no more deliveries to it. */
export async function disableSubscriber(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ unsubscribed_at: now, updated_at: now }).where('id', '=', id).execute();
}

/** Guarded: the first failure of a run of failures sets it. */
export async function markSubscriberFailing(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('subscribers').set({ failing_since: now }).where('id', '=', id).where('failing_since', 'is', null).execute();
}

export async function clearSubscriberFailing(db: Db, id: string): Promise<void> {
  await db.updateTable('subscribers').set({ failing_since: null }).where('id', '=', id).execute();
}

/** Quarantines a subscriber and skips its queued deliveries; pass a transaction so both happen. */
export async function quarantineSubscriber(trx: Transaction<Database>, id: string, reason: string, now: Date): Promise<void> {
  await trx.updateTable('subscribers').set({ quarantined_at: now, updated_at: now }).where('id', '=', id).where('quarantined_at', 'is', null).execute();
  await trx.updateTable('deliveries').set({ state: 'skipped', last_error: reason }).where('subscriber_id', '=', id).where('state', 'in', ['pending', 'failed']).execute();
}

// Deliveries (the outbox)

/** Inserts deliveries in one statement; an (event, recipient) already there is kept. Returns how many are new. */
export async function insertDeliveries(db: Db, drafts: DeliveryDraft[], now: Date): Promise<number> {
  if (drafts.length === 0) return 0;
  const rows = await db
    .insertInto('deliveries')
    .values(
      drafts.map((d) => ({ id: randomUUID(), event_key: d.eventKey, recipient: d.recipient, channel: d.channel, subscriber_id: d.subscriberId, channel_id: d.channelId ?? null, payload: JSON.stringify(d.payload), state: 'pending' as const, attempts: 0, next_attempt_at: now, lease_until: null, last_error: null, sent_at: null, created_at: now })),
    )
    .onConflict((oc) => oc.columns(['event_key', 'recipient']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * Claims up to `batch` due deliveries (pending or failed and due, or sending
 * with an expired lease) under a lease until `leaseUntil`, counting the
 * attempt. SKIP LOCKED: instances claim disjoint rows.
 */
export async function claimDeliveries(db: Db, now: Date, leaseUntil: Date, batch: number): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>`
    update deliveries d set state = 'sending', attempts = d.attempts + 1, lease_until = ${leaseUntil}::timestamptz
    from (
      select id from deliveries
      where ((state in ('pending', 'failed') and next_attempt_at <= ${now}::timestamptz) or (state = 'sending' and lease_until < ${now}::timestamptz))
      order by next_attempt_at limit ${batch} for update skip locked
    ) due
    where d.id = due.id
    returning d.*`.execute(db);
  return rows;
}

/** Records an attempt's outcome, guarded by the claim: a row whose lease another worker took over is not overwritten. */
export async function recordOutcome(db: Db, d: Pick<DeliveryRow, 'id' | 'attempts'>, o: { state: Exclude<DeliveryState, 'pending' | 'sending'>; error?: string; next?: Date }, now: Date): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ state: o.state, last_error: o.error ?? null, lease_until: null, ...(o.next && { next_attempt_at: o.next }), ...(o.state === 'sent' && { sent_at: now }) })
    .where('id', '=', d.id)
    .where('state', '=', 'sending')
    .where('attempts', '=', d.attempts)
    .execute();
}

/** The newest 200 deliveries, optionally in one state (the operator's view: no payloads). */
export async function listDeliveries(db: Db, state: DeliveryState | undefined) {
  let q = db.selectFrom('deliveries').select(['id', 'event_key', 'recipient', 'channel', 'subscriber_id', 'channel_id', 'state', 'attempts', 'next_attempt_at', 'last_error', 'sent_at', 'created_at']);
  if (state) q = q.where('state', '=', state);
  return q.orderBy('created_at', 'desc').limit(200).execute();
}

/** Deliveries newest first after the (created_at, id) cursor, optionally in one state (the (state, created_at) index). */
export async function pageDeliveries(db: Db, state: DeliveryState | undefined, limit: number, cursor?: { at: Date; id: string }) {
  let q = db.selectFrom('deliveries').select(['id', 'event_key', 'recipient', 'channel', 'subscriber_id', 'channel_id', 'state', 'attempts', 'next_attempt_at', 'last_error', 'sent_at', 'created_at']);
  if (state) q = q.where('state', '=', state);
  if (cursor) q = q.where(sql<boolean>`(created_at, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** How many deliveries are in each state. */
export async function deliveryStateCounts(db: Db): Promise<Partial<Record<DeliveryState, number>>> {
  const rows = await db.selectFrom('deliveries').select(['state', sql<number>`count(*)::int`.as('n')]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** Queues a failed, dead or skipped delivery again, due now; undefined when there is no such delivery. */
export async function retryDelivery(db: Db, id: string, now: Date): Promise<{ id: string; state: DeliveryState } | undefined> {
  return db
    .updateTable('deliveries')
    .set({ state: 'pending', next_attempt_at: now, last_error: null })
    .where('id', '=', id)
    .where('state', 'in', ['failed', 'dead', 'skipped'])
    .returning(['id', 'state'])
    .executeTakeFirst();
}

// Billing notices. The table is billing's (it queues them); notify reads the
// queued ones and marks them sent. They belong behind billing's service once
// it has one for this.

/** Queued notices that have no delivery yet (at most `limit`). */
export async function queuedNotices(db: Db, limit: number): Promise<{ id: string; kind: string; payload: unknown }[]> {
  return db
    .selectFrom('notices')
    .select(['id', 'kind', 'payload'])
    .where('status', '=', 'queued')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.event_key', '=', sql`'notice:' || notices.id`))))
    .limit(limit)
    .execute();
}

export async function markNoticeSent(db: Db, noticeId: string): Promise<void> {
  await db.updateTable('notices').set({ status: 'sent' }).where('id', '=', noticeId).execute();
}

// The local mailbox (mail without SMTP_URL)

export async function insertMail(db: Db, m: { deliveryId: string; to: string; subject: string; text: string; html: string; headers: Record<string, string> }, now: Date): Promise<void> {
  await db.insertInto('mailbox').values({ delivery_id: m.deliveryId, to: m.to, subject: m.subject, text: m.text, html: m.html, headers: JSON.stringify(m.headers), created_at: now }).execute();
}

export async function listMailbox(db: Db, limit: number) {
  return db.selectFrom('mailbox').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
