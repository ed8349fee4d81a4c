import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { componentsOfPage, type ComponentRow, type IncidentRow, type PageRow, type UpdateRow } from './store.js';
import type { ComponentStatus } from './table.js';
import { worstStatus } from './status.js';

export interface IncidentData {
  incident: IncidentRow;
  updates: UpdateRow[];
  componentIds: string[];
}

export interface PageData {
  page: PageRow;
  components: ComponentRow[];
  /** The 50 most recent incidents (resolved included), newest first. */
  incidents: IncidentData[];
  /** The 50 most recent maintenances, newest first. */
  maintenances: IncidentData[];
  /** Incidents and maintenances for history pages and detail pages (up to 1,000), newest first. */
  archive: IncidentData[];
  /** Worst status per component per UTC day over the last 90 days (uptime bars). */
  days: Map<string, { day: string; worst: ComponentStatus; downMs: number }[]>;
  loadedAt: Date;
}

const DAY = 86_400_000;
const ARCHIVE_LIMIT = 1000;
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

/** Everything a page shows, in a handful of queries (rendered once per change, then served from memory). */
export async function loadPageData(db: Kysely<Database>, page: PageRow, now: Date, limit = 50): Promise<PageData> {
  // A group shows the worst status of its components.
  const components = rollUpGroups(await componentsOfPage(db, page.id));
  const load = async (kind: 'incident' | 'maintenance'): Promise<IncidentData[]> => {
    const incidents = await db.selectFrom('incidents').selectAll().where('page_id', '=', page.id).where('kind', '=', kind).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return withDetails(db, incidents);
  };
  const archiveRows = await db.selectFrom('incidents').selectAll().where('page_id', '=', page.id).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(ARCHIVE_LIMIT).execute();
  return {
    page,
    components,
    incidents: await load('incident'),
    maintenances: await load('maintenance'),
    archive: await withDetails(db, archiveRows),
    days: await uptimeDays(db, components, now),
    loadedAt: now,
  };
}

function rollUpGroups(components: ComponentRow[]): ComponentRow[] {
  return components.map((c) => {
    if (!c.is_group) return c;
    const children = components.filter((x) => x.group_id === c.id);
    return children.length ? { ...c, status: worstStatus(children.map((x) => x.status)) } : c;
  });
}

export async function withDetails(db: Kysely<Database> | Transaction<Database>, incidents: IncidentRow[]): Promise<IncidentData[]> {
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

/**
 * Per component, the worst status of each of the last 90 UTC days and how
 * long it was not operational, from the status log (one row per change).
 */
async function uptimeDays(db: Kysely<Database>, components: ComponentRow[], now: Date) {
  const out = new Map<string, { day: string; worst: ComponentStatus; downMs: number }[]>();
  const leaves = components.filter((c) => !c.is_group);
  if (leaves.length === 0) return out;
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY;
  const start = end - 90 * DAY;
  const log = await db
    .selectFrom('component_status_log')
    .select(['component_id', 'status', 'at'])
    .where('component_id', 'in', leaves.map((c) => c.id))
    .where('at', '>=', new Date(start))
    .orderBy('at')
    .execute();
  const before = await db
    .selectFrom('component_status_log as l')
    .select(['l.component_id', 'l.status'])
    .where('l.component_id', 'in', leaves.map((c) => c.id))
    .where('l.at', '<', new Date(start))
    .where((eb) => eb('l.id', '=', eb.selectFrom('component_status_log as m').select((m) => m.fn.max('m.id').as('id')).whereRef('m.component_id', '=', 'l.component_id').where('m.at', '<', new Date(start))))
    .execute();
  for (const c of leaves) {
    const created = c.created_at.getTime();
    let status: ComponentStatus = before.find((b) => b.component_id === c.id)?.status ?? 'operational';
    const changes = log.filter((l) => l.component_id === c.id);
    let i = 0;
    const days: { day: string; worst: ComponentStatus; downMs: number }[] = [];
    for (let d = start; d < end; d += DAY) {
      let worst = status;
      let downMs = 0;
      let at = Math.max(d, created);
      const dayEnd = Math.min(d + DAY, now.getTime());
      while (i < changes.length && changes[i]!.at.getTime() < d + DAY) {
        const change = changes[i]!;
        const t = Math.max(change.at.getTime(), d);
        if (status !== 'operational' && status !== 'under_maintenance') downMs += Math.max(0, Math.min(t, dayEnd) - at);
        at = Math.max(t, at);
        status = change.status;
        if (RANK[status] > RANK[worst]) worst = status;
        i++;
      }
      if (status !== 'operational' && status !== 'under_maintenance') downMs += Math.max(0, dayEnd - at);
      if (d + DAY <= created) continue; // before the component existed: no bar
      days.push({ day: new Date(d).toISOString().slice(0, 10), worst, downMs });
    }
    out.set(c.id, days);
  }
  return out;
}
