import { isOpenIncident, pageIndicator } from './status.js';
import type { IncidentData, PageData } from './page-data.js';
import type { ComponentRow, UpdateRow } from './store.js';
import type { ComponentStatus, Impact } from './table.js';

/** Statuspage writes milliseconds and an explicit offset; we write UTC `Z`. */
const ts = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function pageUrl(publicUrl: string, slug: string): string {
  return slug === 'default' ? publicUrl : `${publicUrl}/s/${slug}`;
}

function pageJson(d: PageData, publicUrl: string) {
  return { id: d.page.id, name: d.page.name, url: pageUrl(publicUrl, d.page.slug), time_zone: d.page.time_zone, updated_at: ts(d.page.updated_at) };
}

export function componentJson(c: ComponentRow, all: ComponentRow[]) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: ts(c.created_at),
    updated_at: ts(c.updated_at),
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.start_date,
    group_id: c.group_id,
    page_id: c.page_id,
    group: c.is_group,
    only_show_if_degraded: c.only_show_if_degraded,
    ...(c.is_group ? { components: all.filter((x) => x.group_id === c.id).map((x) => x.id) } : {}),
  };
}

function updateJson(u: UpdateRow) {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: u.incident_id,
    created_at: ts(u.created_at),
    updated_at: ts(u.updated_at),
    display_at: ts(u.display_at),
    affected_components: u.affected_components ?? null,
    deliver_notifications: u.deliver_notifications,
    custom_tweet: null,
    tweet_id: null,
  };
}

export function incidentJson(i: IncidentData, components: ComponentRow[]) {
  const x = i.incident;
  return {
    id: x.id,
    name: x.name,
    status: x.status,
    created_at: ts(x.created_at),
    updated_at: ts(x.updated_at),
    monitoring_at: ts(x.monitoring_at),
    resolved_at: ts(x.resolved_at),
    impact: x.impact,
    shortlink: x.shortlink,
    started_at: ts(x.started_at),
    page_id: x.page_id,
    incident_updates: i.updates.map(updateJson),
    components: components.filter((c) => i.componentIds.includes(c.id)).map((c) => componentJson(c, components)),
    ...(x.kind === 'maintenance' ? { scheduled_for: ts(x.scheduled_for), scheduled_until: ts(x.scheduled_until) } : {}),
  };
}

/** The page roll-up: leaf components, raised by unresolved incidents and in-progress maintenance. */
export function statusJson(d: PageData) {
  const leaves = d.components.filter((c) => !c.is_group).map((c) => c.status as ComponentStatus);
  const impacts = d.incidents.filter((i) => isOpenIncident(i.incident.status)).map((i) => i.incident.impact as Impact);
  const inProgress = d.maintenances.some((m) => m.incident.status === 'in_progress' || m.incident.status === 'verifying');
  return pageIndicator(leaves, impacts, inProgress);
}

const unresolved = (d: PageData) => d.incidents.filter((i) => isOpenIncident(i.incident.status));
const upcoming = (d: PageData) => d.maintenances.filter((m) => m.incident.status === 'scheduled');
const active = (d: PageData) => d.maintenances.filter((m) => m.incident.status === 'in_progress' || m.incident.status === 'verifying');

/** Every Statuspage v2 document of a page, by path under `api/v2/`. */
export function statuspageDocuments(d: PageData, publicUrl: string): Record<string, unknown> {
  const page = pageJson(d, publicUrl);
  const status = statusJson(d);
  const components = d.components.map((c) => componentJson(c, d.components));
  const inc = (list: IncidentData[]) => list.map((i) => incidentJson(i, d.components));
  return {
    'summary.json': { page, status, components, incidents: inc(unresolved(d)), scheduled_maintenances: inc(d.maintenances.filter((m) => ['scheduled', 'in_progress', 'verifying'].includes(m.incident.status))) },
    'status.json': { page, status },
    'components.json': { page, components },
    'incidents.json': { page, incidents: inc(d.incidents) },
    'incidents/unresolved.json': { page, incidents: inc(unresolved(d)) },
    'scheduled-maintenances.json': { page, scheduled_maintenances: inc(d.maintenances) },
    'scheduled-maintenances/upcoming.json': { page, scheduled_maintenances: inc(upcoming(d)) },
    'scheduled-maintenances/active.json': { page, scheduled_maintenances: inc(active(d)) },
  };
}
