import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ComponentStatus, NotificationEventTable } from '../table.js';

type Db = Kysely<Database> | Transaction<Database>;
type Trx = Transaction<Database>;
export type NotificationEventRow = Selectable<NotificationEventTable>;

/**
 * Records what changed on a page (incident created or updated, maintenance
 * moved, component status changed) in the transaction of the change: the
 * notify outbox fans each event out once.
 */
export async function insertEvent(
  trx: Db,
  e: {
    type: string;
    pageId: string;
    incidentId?: string | null;
    updateId?: string | null;
    componentId?: string | null;
    componentIds: string[];
    change?: { from: ComponentStatus; to: ComponentStatus };
    deliver: boolean;
  },
  now: Date,
): Promise<void> {
  await trx
    .insertInto('notification_events')
    .values({
      type: e.type,
      page_id: e.pageId,
      incident_id: e.incidentId ?? null,
      update_id: e.updateId ?? null,
      component_id: e.componentId ?? null,
      component_ids: e.componentIds,
      old_status: e.change?.from ?? null,
      new_status: e.change?.to ?? null,
      deliver: e.deliver,
      created_at: now,
      fanned_out_at: null,
    })
    .execute();
}

/**
 * The oldest event not yet fanned out that no other instance holds (FOR
 * UPDATE SKIP LOCKED): the caller fans it out and marks it in the same
 * transaction.
 */
export async function claimNextEvent(trx: Trx): Promise<NotificationEventRow | undefined> {
  return trx.selectFrom('notification_events').selectAll().where('fanned_out_at', 'is', null).orderBy('id').limit(1).forUpdate().skipLocked().executeTakeFirst();
}

export async function markEventFannedOut(trx: Trx, id: bigint, now: Date): Promise<void> {
  await trx.updateTable('notification_events').set({ fanned_out_at: now }).where('id', '=', id).execute();
}
