import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ComponentStatus, ComponentTable } from '../table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type ComponentRow = Selectable<ComponentTable>;

/** A page's components in display order (position within the parent, then age). */
export async function componentsOfPage(db: Db, pageId: string): Promise<ComponentRow[]> {
  return db.selectFrom('components').selectAll().where('page_id', '=', pageId).orderBy('position').orderBy('created_at').execute();
}

export async function componentsOfPages(db: Db, pageIds: string[]): Promise<ComponentRow[]> {
  if (pageIds.length === 0) return [];
  return db.selectFrom('components').selectAll().where('page_id', 'in', pageIds).execute();
}

export async function findComponent(db: Db, id: string): Promise<ComponentRow | undefined> {
  return db.selectFrom('components').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findComponents(db: Db, ids: string[]): Promise<ComponentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('components').selectAll().where('id', 'in', ids).execute();
}

/** Components a monitor feeds (`check:<uuid>`, `expectation:<id>`), each with its page's tenant, in display order. */
export async function componentsOfSource(db: Db, source: string): Promise<(ComponentRow & { page_tenant_id: string | null })[]> {
  return db
    .selectFrom('components')
    .innerJoin('component_sources', 'component_sources.component_id', 'components.id')
    .innerJoin('pages', 'pages.id', 'components.page_id')
    .selectAll('components')
    .select('pages.tenant_id as page_tenant_id')
    .where('component_sources.source', '=', source)
    .orderBy('pages.created_at')
    .orderBy('components.position')
    .orderBy('components.created_at')
    .execute();
}

/** Whether `groupId` is a group of this page. */
export async function isGroupOfPage(trx: Db, pageId: string, groupId: string): Promise<boolean> {
  const group = await trx.selectFrom('components').select(['id']).where('id', '=', groupId).where('page_id', '=', pageId).where('is_group', '=', true).executeTakeFirst();
  return group !== undefined;
}

/** The next position within a parent (the page's top level when `groupId` is null, else the group). */
export async function nextPosition(trx: Db, pageId: string, groupId: string | null): Promise<number> {
  const max = await trx
    .selectFrom('components')
    .select(sql<number>`coalesce(max(position), 0)`.as('p'))
    .where('page_id', '=', pageId)
    .where((eb) => (groupId ? eb('group_id', '=', groupId) : eb('group_id', 'is', null)))
    .executeTakeFirstOrThrow();
  return Number(max.p) + 1;
}

export async function insertComponent(trx: Db, row: Insertable<ComponentTable>): Promise<ComponentRow> {
  return trx.insertInto('components').values(row).returningAll().executeTakeFirstOrThrow();
}

export type ComponentFields = Partial<Pick<ComponentRow, 'name' | 'description' | 'group_id' | 'position' | 'only_show_if_degraded' | 'showcase' | 'auto_incident' | 'publish_after' | 'incident_template'>>;

export async function updateComponent(trx: Db, id: string, set: ComponentFields, now: Date): Promise<void> {
  if (Object.keys(set).length === 0) return;
  await trx.updateTable('components').set({ ...set, updated_at: now }).where('id', '=', id).execute();
}

/** Deletes a component; a group's members move to the top level first. */
export async function deleteComponent(trx: Db, id: string): Promise<void> {
  await trx.updateTable('components').set({ group_id: null }).where('group_id', '=', id).execute();
  await trx.deleteFrom('components').where('id', '=', id).execute();
}

/** Sets a component's status and logs the change (the log feeds the uptime bars). */
export async function setComponentStatus(trx: Db, id: string, status: ComponentStatus, now: Date): Promise<void> {
  await trx.updateTable('components').set({ status, updated_at: now }).where('id', '=', id).execute();
  await logComponentStatus(trx, id, status, now);
}

export async function logComponentStatus(trx: Db, id: string, status: ComponentStatus, now: Date): Promise<void> {
  await trx.insertInto('component_status_log').values({ component_id: id, status, at: now }).execute();
}

/** The monitors (`check:<uuid>`, `expectation:<id>`) each component lists. */
export async function sourcesOfComponents(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('component_sources').selectAll().where('component_id', 'in', ids).execute();
  for (const r of rows) out.get(r.component_id)?.push(r.source);
  return out;
}

export async function addComponentSources(trx: Db, id: string, sources: string[]): Promise<void> {
  if (sources.length === 0) return;
  await trx.insertInto('component_sources').values(sources.map((source) => ({ component_id: id, source }))).execute();
}

export async function replaceComponentSources(trx: Db, id: string, sources: string[]): Promise<void> {
  await trx.deleteFrom('component_sources').where('component_id', '=', id).execute();
  await addComponentSources(trx, id, sources);
}

/** Status changes of these components since `since`, oldest first. */
export async function statusLogSince(db: Db, ids: string[], since: Date): Promise<{ component_id: string; status: ComponentStatus; at: Date }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('component_status_log').select(['component_id', 'status', 'at']).where('component_id', 'in', ids).where('at', '>=', since).orderBy('at').execute();
}

/** Each component's last logged status before `before` (components without one are absent). */
export async function lastStatusesBefore(db: Db, ids: string[], before: Date): Promise<{ component_id: string; status: ComponentStatus }[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('component_status_log as l')
    .select(['l.component_id', 'l.status'])
    .where('l.component_id', 'in', ids)
    .where('l.at', '<', before)
    .where((eb) => eb('l.id', '=', eb.selectFrom('component_status_log as m').select((m) => m.fn.max('m.id').as('id')).whereRef('m.component_id', '=', 'l.component_id').where('m.at', '<', before)))
    .execute();
}
