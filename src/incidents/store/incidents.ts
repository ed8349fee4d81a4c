import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Database } from '../../db/database.js';
import type { AffectedComponent, ComponentStatus, Impact, IncidentTable, IncidentUpdateTable } from '../table.js';
import { OPEN_INCIDENT } from '../status.js';

type Db = Kysely<Database> | Transaction<Database>;
export type IncidentRow = Selectable<IncidentTable>;
export type UpdateRow = Selectable<IncidentUpdateTable>;
export type IncidentKind = IncidentRow['kind'];

/** An incident (or maintenance) with its updates, newest first, and the components it names. */
export interface IncidentData {
  incident: IncidentRow;
  updates: UpdateRow[];
  componentIds: string[];
}

/** Statuses in which an incident or maintenance acts on its components. */
const ACTIVE = ['investigating', 'identified', 'monitoring', 'in_progress', 'verifying'] as const;

export function shortlink(): string {
  return randomBytes(5).toString('base64url');
}

export async function insertIncident(trx: Db, i: Omit<IncidentRow, 'id' | 'shortlink'>): Promise<IncidentRow> {
  return trx.insertInto('incidents').values({ ...i, id: randomUUID(), shortlink: shortlink() }).returningAll().executeTakeFirstOrThrow();
}

/** `lock`: FOR UPDATE, for a caller that decides on the row inside its transaction. */
export async function findIncident(db: Db, id: string, lock = false): Promise<IncidentRow | undefined> {
  let q = db.selectFrom('incidents').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateIncident(trx: Db, id: string, set: Updateable<IncidentTable>): Promise<IncidentRow> {
  return trx.updateTable('incidents').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteIncidentRow(trx: Db, id: string): Promise<void> {
  await trx.deleteFrom('incidents').where('id', '=', id).execute();
}

/** The newest published incidents or maintenances (`kind` undefined: both) of a page, newest first (drafts are never public). */
export async function recentOfPage(db: Db, pageId: string, kind: IncidentKind | undefined, limit: number): Promise<IncidentRow[]> {
  let q = db.selectFrom('incidents').selectAll().where('page_id', '=', pageId).where('published_at', 'is not', null);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Incidents (newest created first) or maintenances (latest window first) of
 * these pages, optionally of one status; at most `limit`.
 */
export async function listOfPages(db: Db, kind: IncidentKind, pageIds: string[], status: string | undefined, limit: number): Promise<IncidentRow[]> {
  if (pageIds.length === 0) return [];
  let q = db.selectFrom('incidents').selectAll().where('kind', '=', kind).where('page_id', 'in', pageIds);
  if (status) q = q.where('status', '=', status as IncidentRow['status']);
  return q.orderBy(kind === 'maintenance' ? 'scheduled_for' : 'created_at', 'desc').limit(limit).execute();
}

/** The open incidents (published or draft) of these pages, newest first; at most `limit`. */
export async function openOfPages(db: Db, pageIds: string[], limit: number): Promise<IncidentRow[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('incidents').selectAll().where('kind', '=', 'incident').where('page_id', 'in', pageIds).where('status', 'in', [...OPEN_INCIDENT]).orderBy('created_at', 'desc').limit(limit).execute();
}

/** The published incidents and maintenances of a page that act on its components now. */
export async function activeOfPage(db: Db, pageId: string): Promise<Pick<IncidentRow, 'kind' | 'status' | 'impact'>[]> {
  return db.selectFrom('incidents').select(['kind', 'status', 'impact']).where('page_id', '=', pageId).where('status', 'in', [...ACTIVE]).where('published_at', 'is not', null).execute();
}

/** Maintenances to start (window begun) or complete (window ended) at `now`. */
export async function dueMaintenances(db: Db, now: Date): Promise<Pick<IncidentRow, 'id' | 'status' | 'scheduled_for' | 'scheduled_until'>[]> {
  return db
    .selectFrom('incidents')
    .select(['id', 'status', 'scheduled_for', 'scheduled_until'])
    .where('kind', '=', 'maintenance')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_for', '<=', now)]),
        eb.and([eb('status', 'in', ['scheduled', 'in_progress', 'verifying']), eb('scheduled_until', '<=', now)]),
      ]),
    )
    .execute();
}

/** Updates and component links of these incidents, in two queries. */
export async function withDetails(db: Db, incidents: IncidentRow[]): Promise<IncidentData[]> {
  if (incidents.length === 0) return [];
  const ids = incidents.map((i) => i.id);
  const updates = await db.selectFrom('incident_updates').selectAll().where('incident_id', 'in', ids).orderBy('display_at', 'desc').orderBy('created_at', 'desc').execute();
  const links = await db.selectFrom('incident_components').select(['incident_id', 'component_id']).where('incident_id', 'in', ids).execute();
  return incidents.map((incident) => ({
    incident,
    updates: updates.filter((u) => u.incident_id === incident.id),
    componentIds: links.filter((l) => l.incident_id === incident.id).map((l) => l.component_id),
  }));
}

export async function insertUpdate(
  trx: Db,
  u: { incidentId: string; status: string; body: string; affected: AffectedComponent[] | null; deliver: boolean; at: Date },
): Promise<UpdateRow> {
  return trx
    .insertInto('incident_updates')
    .values({
      id: randomUUID(),
      incident_id: u.incidentId,
      status: u.status as UpdateRow['status'],
      body: u.body,
      affected_components: u.affected ? JSON.stringify(u.affected) : null,
      deliver_notifications: u.deliver,
      display_at: u.at,
      created_at: u.at,
      updated_at: u.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Edits an update's text or display time; false when the incident has no such update. */
export async function editUpdate(trx: Db, incidentId: string, updateId: string, set: { body?: string; display_at?: Date }, now: Date): Promise<boolean> {
  const r = await trx.updateTable('incident_updates').set({ ...set, updated_at: now }).where('id', '=', updateId).where('incident_id', '=', incidentId).executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** What each incident does to its components now. */
export async function setIncidentComponent(trx: Db, incidentId: string, componentId: string, status: ComponentStatus): Promise<void> {
  await trx
    .insertInto('incident_components')
    .values({ incident_id: incidentId, component_id: componentId, status })
    .onConflict((oc) => oc.columns(['incident_id', 'component_id']).doUpdateSet({ status }))
    .execute();
}

export async function incidentComponentIds(db: Db, incidentId: string): Promise<string[]> {
  return (await db.selectFrom('incident_components').select('component_id').where('incident_id', '=', incidentId).execute()).map((r) => r.component_id);
}

/** The statuses an incident gives its components. */
export async function heldStatuses(db: Db, incidentId: string): Promise<ComponentStatus[]> {
  return (await db.selectFrom('incident_components').select('status').where('incident_id', '=', incidentId).execute()).map((r) => r.status);
}

export async function setImpact(trx: Db, incidentId: string, impact: Impact): Promise<void> {
  await trx.updateTable('incidents').set({ impact }).where('id', '=', incidentId).execute();
}

/**
 * The statuses open incidents and active maintenances give each component;
 * a component's status is the worst of them (operational when none).
 */
export async function derivedStatuses(db: Db, componentIds: string[]): Promise<Map<string, ComponentStatus[]>> {
  const out = new Map<string, ComponentStatus[]>(componentIds.map((id) => [id, []]));
  if (componentIds.length === 0) return out;
  const rows = await db
    .selectFrom('incident_components as ic')
    .innerJoin('incidents as i', 'i.id', 'ic.incident_id')
    .select(['ic.component_id', 'ic.status'])
    .where('ic.component_id', 'in', componentIds)
    .where('i.status', 'in', [...ACTIVE])
    // A draft acts on nothing until it is published.
    .where('i.published_at', 'is not', null)
    .execute();
  for (const r of rows) out.get(r.component_id)!.push(r.status);
  return out;
}

/** The open incidents a source holds (at most one per page), each with its page's tenant, oldest first. */
export async function openIncidentsOfSource(db: Db, source: string): Promise<(IncidentRow & { page_tenant_id: string | null })[]> {
  return db
    .selectFrom('incidents')
    .innerJoin('incident_sources', 'incident_sources.incident_id', 'incidents.id')
    .innerJoin('pages', 'pages.id', 'incidents.page_id')
    .selectAll('incidents')
    .select('pages.tenant_id as page_tenant_id')
    .where('incident_sources.source', '=', source)
    .where('incident_sources.open', '=', true)
    .orderBy('incidents.created_at')
    .orderBy('incidents.id')
    .execute();
}

/** An open incident on any of these components (related sources join it). */
export async function openIncidentOnComponents(db: Db, componentIds: string[]): Promise<IncidentRow | undefined> {
  if (componentIds.length === 0) return undefined;
  return db
    .selectFrom('incidents')
    .selectAll('incidents')
    .innerJoin('incident_components', 'incident_components.incident_id', 'incidents.id')
    .where('incident_components.component_id', 'in', componentIds)
    .where('incidents.kind', '=', 'incident')
    .where('incidents.status', 'in', ['investigating', 'identified', 'monitoring'])
    .orderBy('incidents.created_at')
    .executeTakeFirst();
}

/** Delayed drafts whose time to publish has come (`publish_at` passed), oldest first. */
export async function dueDrafts(db: Db, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('incidents')
    .select('id')
    .where('published_at', 'is', null)
    .where('publish_at', '<=', now)
    // Resolved by hand before it was due: it was not still failing, so it stays a draft.
    .where('status', 'in', ['investigating', 'identified', 'monitoring'])
    .orderBy('publish_at')
    .limit(100)
    .execute();
  return rows.map((r) => r.id);
}

/** Replaces what an incident does to its components with `components` (id → status). */
export async function replaceIncidentComponents(trx: Db, incidentId: string, components: Record<string, ComponentStatus>): Promise<void> {
  const ids = Object.keys(components);
  let q = trx.deleteFrom('incident_components').where('incident_id', '=', incidentId);
  if (ids.length > 0) q = q.where('component_id', 'not in', ids);
  await q.execute();
  for (const [id, status] of Object.entries(components)) await setIncidentComponent(trx, incidentId, id, status);
}

/** The newest update of an incident (the one a publication announces). */
export async function newestUpdate(db: Db, incidentId: string): Promise<UpdateRow | undefined> {
  return db.selectFrom('incident_updates').selectAll().where('incident_id', '=', incidentId).orderBy('display_at', 'desc').orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** Records which components an update changed (old → new), for an update written while its incident was a draft. */
export async function setUpdateAffected(trx: Db, updateId: string, affected: AffectedComponent[]): Promise<void> {
  await trx.updateTable('incident_updates').set({ affected_components: JSON.stringify(affected) }).where('id', '=', updateId).execute();
}
