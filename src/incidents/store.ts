import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { AffectedComponent, ComponentStatus, ComponentTable, IncidentTable, IncidentUpdateTable, PageTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type PageRow = Selectable<PageTable>;
export type ComponentRow = Selectable<ComponentTable>;
export type IncidentRow = Selectable<IncidentTable>;
export type UpdateRow = Selectable<IncidentUpdateTable>;

export const DEFAULT_PAGE = 'default';

/** The default page (slug `default`, served at `/`), created once. */
export async function ensureDefaultPage(db: Db, now: Date): Promise<PageRow> {
  await db
    .insertInto('pages')
    .values({ id: randomUUID(), slug: DEFAULT_PAGE, name: 'Overdue', time_zone: 'UTC', tenant_id: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  return (await findPageBySlug(db, DEFAULT_PAGE))!;
}

export async function findPageBySlug(db: Db, slug: string): Promise<PageRow | undefined> {
  return db.selectFrom('pages').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findPage(db: Db, id: string): Promise<PageRow | undefined> {
  return db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks what a page shows as changed: caches on every instance compare this version. */
export async function touchPages(trx: Db, pageIds: string[], now: Date): Promise<void> {
  if (pageIds.length === 0) return;
  await trx.updateTable('pages').set({ version: sql`version + 1`, updated_at: now }).where('id', 'in', [...new Set(pageIds)]).execute();
}

export async function pageVersions(db: Db): Promise<Map<string, bigint>> {
  const rows = await db.selectFrom('pages').select(['slug', 'version']).execute();
  return new Map(rows.map((r) => [r.slug, BigInt(r.version)]));
}

export async function componentsOfPage(db: Db, pageId: string): Promise<ComponentRow[]> {
  return db.selectFrom('components').selectAll().where('page_id', '=', pageId).orderBy('position').orderBy('created_at').execute();
}

export async function findComponents(db: Db, ids: string[]): Promise<ComponentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('components').selectAll().where('id', 'in', ids).execute();
}

/** Components a monitor feeds (`check:<uuid>`, `expectation:<id>`). */
export async function componentsOfSource(db: Db, source: string): Promise<ComponentRow[]> {
  return db.selectFrom('components').selectAll('components').innerJoin('component_sources', 'component_sources.component_id', 'components.id').where('component_sources.source', '=', source).execute();
}

export function shortlink(): string {
  return randomBytes(5).toString('base64url');
}

export async function insertIncident(trx: Db, i: Omit<IncidentRow, 'id' | 'shortlink'>): Promise<IncidentRow> {
  return trx.insertInto('incidents').values({ ...i, id: randomUUID(), shortlink: shortlink() }).returningAll().executeTakeFirstOrThrow();
}

export async function findIncident(db: Db, id: string, lock = false): Promise<IncidentRow | undefined> {
  let q = db.selectFrom('incidents').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
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

/**
 * The status each component should have now: the worst status any open
 * incident gives it, under_maintenance while a maintenance on it is in
 * progress (unless an outage is worse), else operational.
 */
export async function derivedStatuses(db: Db, componentIds: string[]): Promise<Map<string, ComponentStatus[]>> {
  const out = new Map<string, ComponentStatus[]>(componentIds.map((id) => [id, []]));
  if (componentIds.length === 0) return out;
  const rows = await db
    .selectFrom('incident_components as ic')
    .innerJoin('incidents as i', 'i.id', 'ic.incident_id')
    .select(['ic.component_id', 'ic.status'])
    .where('ic.component_id', 'in', componentIds)
    .where('i.status', 'in', ['investigating', 'identified', 'monitoring', 'in_progress', 'verifying'])
    .execute();
  for (const r of rows) out.get(r.component_id)!.push(r.status);
  return out;
}

export async function setComponentStatus(trx: Db, id: string, status: ComponentStatus, now: Date): Promise<void> {
  await trx.updateTable('components').set({ status, updated_at: now }).where('id', '=', id).execute();
  await trx.insertInto('component_status_log').values({ component_id: id, status, at: now }).execute();
}

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

/** The open incident a source is attached to, if any. */
export async function openIncidentOfSource(db: Db, source: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll('incidents').innerJoin('incident_sources', 'incident_sources.incident_id', 'incidents.id').where('incident_sources.source', '=', source).where('incident_sources.open', '=', true).executeTakeFirst();
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
