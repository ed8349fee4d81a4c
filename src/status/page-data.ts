import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import {
  componentsOfPage,
  lastStatusesBefore,
  recentOfPage,
  statusLogSince,
  withDetails,
  worstStatus,
  type ComponentRow,
  type IncidentData,
  type PageRow,
} from '../incidents/index.js';
import { uptimeDays, uptimeStart, type UptimeDay } from './uptime.js';

export type { IncidentData };

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
  days: Map<string, UptimeDay[]>;
  loadedAt: Date;
}

const ARCHIVE_LIMIT = 1000;

/** Everything a page shows, in a handful of queries (rendered once per change, then served from memory). */
export async function loadPageData(db: Kysely<Database>, page: PageRow, now: Date, limit = 50): Promise<PageData> {
  // A group shows the worst status of its components.
  const components = rollUpGroups(await componentsOfPage(db, page.id));
  const incidents = await withDetails(db, await recentOfPage(db, page.id, 'incident', limit));
  const maintenances = await withDetails(db, await recentOfPage(db, page.id, 'maintenance', limit));
  const archive = await withDetails(db, await recentOfPage(db, page.id, undefined, ARCHIVE_LIMIT));
  const leaves = components.filter((c) => !c.is_group);
  const ids = leaves.map((c) => c.id);
  const start = uptimeStart(now);
  const days = ids.length === 0 ? new Map<string, UptimeDay[]>() : uptimeDays(leaves, await statusLogSince(db, ids, start), await lastStatusesBefore(db, ids, start), now);
  return { page, components, incidents, maintenances, archive, days, loadedAt: now };
}

function rollUpGroups(components: ComponentRow[]): ComponentRow[] {
  return components.map((c) => {
    if (!c.is_group) return c;
    const children = components.filter((x) => x.group_id === c.id);
    return children.length ? { ...c, status: worstStatus(children.map((x) => x.status)) } : c;
  });
}
