import { isOpenIncident, type ComponentRow, type ComponentStatus, type Impact, type IncidentData, type IncidentRow, type NotificationEventRow, type PageRow, type UpdateRow } from '../incidents/index.js';
import { pageIndicator } from './indicator.js';
import type { PageData } from './page-data.js';

// Statuspage v2 shapes: the public page's documents, the manual API's
// incidents and components, and the body of subscribers' webhooks.

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

/** The page roll-up from what acts on the page now: its components and its active incidents and maintenances. */
export function pageStatusJson(components: ComponentRow[], active: Pick<IncidentRow, 'kind' | 'status' | 'impact'>[]) {
  const leaves = components.filter((c) => !c.is_group).map((c) => c.status as ComponentStatus);
  return pageIndicator(
    leaves,
    active.filter((i) => i.kind === 'incident').map((i) => i.impact),
    active.some((i) => i.kind === 'maintenance'),
  );
}

/** The incident as Statuspage's webhooks send it: the public shape plus its extra keys (null or false when unused). */
export function webhookIncidentJson(i: IncidentData, components: ComponentRow[]) {
  const x = i.incident;
  const base = incidentJson(i, components);
  return {
    ...base,
    incident_updates: base.incident_updates.map((u) => ({ ...u, wants_twitter_update: false, twitter_updated_at: null })),
    impact_override: null,
    postmortem_body: x.postmortem_body,
    postmortem_published_at: x.postmortem_published_at?.toISOString() ?? null,
    postmortem_ignored: false,
    postmortem_notified_subscribers: false,
    postmortem_notified_twitter: false,
    postmortem_body_last_updated_at: x.postmortem_published_at?.toISOString() ?? null,
    backfilled: false,
    scheduled_for: x.scheduled_for?.toISOString() ?? null,
    scheduled_until: x.scheduled_until?.toISOString() ?? null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_auto_in_progress: x.kind === 'maintenance',
    scheduled_auto_completed: x.kind === 'maintenance',
  };
}

/** What a page event's webhook says, loaded once per event (see event-view.ts). */
export interface EventView {
  page: PageRow;
  event: NotificationEventRow;
  components: ComponentRow[];
  incident: IncidentData | undefined;
  status: { indicator: string; description: string };
}

/**
 * A Statuspage webhook body for one subscriber: `meta` (its unsubscribe link),
 * the page's status, and the incident or the component change the event is about.
 */
export function webhookBody(v: EventView, meta: { unsubscribe: string; documentation: string; generatedAt: Date }): Record<string, unknown> {
  const { event, components } = v;
  const component = event.component_id ? components.find((c) => c.id === event.component_id) : undefined;
  return {
    meta: { unsubscribe: meta.unsubscribe, documentation: meta.documentation, generated_at: meta.generatedAt.toISOString() },
    page: { id: v.page.id, status_indicator: v.status.indicator, status_description: v.status.description },
    ...(v.incident ? { incident: webhookIncidentJson(v.incident, components) } : {}),
    ...(component && event.old_status && event.new_status
      ? {
          component_update: {
            id: String(event.id),
            component_id: component.id,
            component_type: 'Component',
            old_status: event.old_status,
            new_status: event.new_status,
            created_at: event.created_at.toISOString(),
          },
        }
      : {}),
    ...(component ? { component: componentJson(component, components) } : {}),
  };
}
