import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { AlertEventTable, AlertSeverity } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface AlertEventDraft {
  /** Whose channels hear it; null: the platform's. */
  tenantId: string | null;
  /** Dotted kind, e.g. `incident.published`, `delivery.dead`, `signal.parked`. */
  kind: string;
  severity: AlertSeverity;
  /** One line for operators; internal names and ids are fine here (it is private). */
  title: string;
  text: string;
  details?: Record<string, unknown>;
}

/**
 * Records a private alert for the owner's channels. Pass the caller's
 * transaction so the alert commits with the change it reports; alerting
 * dispatches it once.
 */
export async function recordAlertEvent(db: Db, draft: AlertEventDraft, now: Date): Promise<void> {
  await db
    .insertInto('alert_events')
    .values({
      tenant_id: draft.tenantId,
      source: null,
      kind: draft.kind,
      severity: draft.severity,
      title: draft.title.slice(0, 300),
      text: draft.text.slice(0, 4000),
      details: JSON.stringify(draft.details ?? {}),
      signal_id: null,
      created_at: now,
      dispatched_at: null,
    })
    .execute();
}

export type AlertEventRow = Selectable<AlertEventTable>;

/** Alert events made from signals: one per signal (`signal_id` is unique), with the monitored source for routing. */
export async function recordSignalAlertEvents(
  trx: Transaction<Database>,
  drafts: (AlertEventDraft & { source: string; signalId: bigint; at: Date })[],
): Promise<void> {
  if (drafts.length === 0) return;
  await trx
    .insertInto('alert_events')
    .values(
      drafts.map((d) => ({
        tenant_id: d.tenantId,
        source: d.source,
        kind: d.kind,
        severity: d.severity,
        title: d.title.slice(0, 300),
        text: d.text.slice(0, 4000),
        details: JSON.stringify(d.details ?? {}),
        signal_id: d.signalId,
        created_at: d.at,
        dispatched_at: null,
      })),
    )
    .onConflict((oc) => oc.column('signal_id').doNothing())
    .execute();
}

/** Locks up to `limit` undispatched alert events, oldest first (SKIP LOCKED: instances take disjoint ones). */
export async function claimUndispatchedAlertEvents(trx: Transaction<Database>, limit: number): Promise<AlertEventRow[]> {
  const { rows } = await sql<AlertEventRow>`select * from alert_events where dispatched_at is null order by id limit ${limit} for update skip locked`.execute(trx);
  return rows;
}

export async function markAlertEventsDispatched(trx: Transaction<Database>, ids: bigint[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('alert_events').set({ dispatched_at: now }).where('id', 'in', ids).execute();
}

/** The newest alert events of an owner (null: the platform), newest first, before `beforeId` when paging. */
export async function listAlertEvents(db: Db, owner: { tenantId: string | null }, beforeId: bigint | null, limit: number): Promise<AlertEventRow[]> {
  let q = db.selectFrom('alert_events').selectAll();
  q = owner.tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', owner.tenantId);
  if (beforeId !== null) q = q.where('id', '<', beforeId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
