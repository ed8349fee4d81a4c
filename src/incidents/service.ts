import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { impactOf, isOpenIncident, worstStatus } from './status.js';
import { findComponents, setComponentStatus } from './store/components.js';
import { insertEvent } from './store/events.js';
import {
  deleteIncidentRow,
  derivedStatuses,
  findIncident,
  heldStatuses,
  incidentComponentIds,
  insertIncident,
  insertUpdate,
  setImpact,
  setIncidentComponent,
  updateIncident,
  type IncidentRow,
  type UpdateRow,
} from './store/incidents.js';
import { findPage, touchPages } from './store/pages.js';
import { recordAlertEvent } from '../signals/index.js';
import type { AffectedComponent, ComponentStatus, Impact } from './table.js';

type Trx = Transaction<Database>;

export interface NewIncident {
  pageId: string;
  kind?: 'incident' | 'maintenance';
  name: string;
  status: IncidentRow['status'];
  impact?: Impact;
  body: string;
  components: Record<string, ComponentStatus>;
  automatic: boolean;
  deliver?: boolean;
  scheduledFor?: Date | null;
  scheduledUntil?: Date | null;
  /** Absent: published at once. A draft publishes itself at `publishAt` (null: an operator publishes it). */
  draft?: { publishAt: Date | null };
}

const ACTIVE_MAINTENANCE = ['in_progress', 'verifying'];
const IMPACT_RANK: Record<Impact, number> = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };

/**
 * Sets what an incident does to components, then brings every touched
 * component to the worst status its open incidents and active maintenances
 * give it. Returns the components whose status changed (old → new), logging
 * each change and writing its component.updated event.
 */
export async function applyComponents(trx: Trx, incident: IncidentRow, changes: Record<string, ComponentStatus> | null, now: Date): Promise<AffectedComponent[]> {
  const ids = new Set(await incidentComponentIds(trx, incident.id));
  for (const [id, status] of Object.entries(changes ?? {})) {
    await setIncidentComponent(trx, incident.id, id, status);
    ids.add(id);
  }
  const components = await findComponents(trx, [...ids]);
  const derived = await derivedStatuses(trx, [...ids]);
  const affected: AffectedComponent[] = [];
  for (const c of components) {
    const next = worstStatus(derived.get(c.id) ?? []);
    if (next === c.status) continue;
    await setComponentStatus(trx, c.id, next, now);
    await insertEvent(trx, { type: 'component.updated', pageId: c.page_id, componentId: c.id, componentIds: [c.id], change: { from: c.status, to: next }, deliver: true }, now);
    affected.push({ code: c.id, name: c.name, old_status: c.status, new_status: next });
  }
  await touchPages(trx, [incident.page_id, ...components.map((c) => c.page_id)], now);
  return affected;
}

/** Validates component ids against the page; unknown ids are a 400 naming them. */
export async function checkComponents(trx: Trx, pageId: string, changes: Record<string, ComponentStatus> | null | undefined): Promise<void> {
  const ids = Object.keys(changes ?? {});
  if (ids.length === 0) return;
  const found = await findComponents(trx, ids);
  const unknown = ids.filter((id) => !found.some((c) => c.id === id && c.page_id === pageId && !c.is_group));
  if (unknown.length > 0) throw new AppError('validation_failed', `unknown components for this page: ${unknown.join(', ')}`);
}

export function eventType(incident: IncidentRow, first: boolean): string {
  if (incident.kind === 'maintenance') return first ? 'maintenance.scheduled' : incident.status === 'in_progress' ? 'maintenance.started' : incident.status === 'completed' ? 'maintenance.completed' : 'maintenance.updated';
  if (first) return 'incident.created';
  return incident.status === 'resolved' ? 'incident.resolved' : 'incident.updated';
}

/**
 * Opens an incident or maintenance. A published one sets its components'
 * statuses and records its event for subscribers; a draft only remembers
 * what it would do to its components, and nothing public changes until it
 * is published (publishIncident).
 */
export async function createIncident(trx: Trx, input: NewIncident, now: Date): Promise<{ incident: IncidentRow; update: UpdateRow }> {
  await checkComponents(trx, input.pageId, input.components);
  const kind = input.kind ?? 'incident';
  const worst = worstStatus(Object.values(input.components));
  const incident = await insertIncident(trx, {
    page_id: input.pageId,
    kind,
    name: input.name,
    status: input.status,
    impact: kind === 'maintenance' ? 'maintenance' : (input.impact ?? impactOf(worst)),
    automatic: input.automatic,
    started_at: now,
    monitoring_at: input.status === 'monitoring' ? now : null,
    resolved_at: input.status === 'resolved' || input.status === 'completed' ? now : null,
    scheduled_for: input.scheduledFor ?? null,
    scheduled_until: input.scheduledUntil ?? null,
    postmortem_body: null,
    postmortem_published_at: null,
    published_at: input.draft ? null : now,
    publish_at: input.draft?.publishAt ?? null,
    created_at: now,
    updated_at: now,
  });
  if (input.draft) {
    for (const [id, status] of Object.entries(input.components)) await setIncidentComponent(trx, incident.id, id, status);
    const update = await insertUpdate(trx, { incidentId: incident.id, status: input.status, body: input.body, affected: null, deliver: input.deliver ?? true, at: now });
    return { incident, update };
  }
  // A scheduled maintenance does not touch components until it starts.
  const applies = kind === 'incident' || ACTIVE_MAINTENANCE.includes(input.status);
  const affected = await applyComponents(trx, incident, applies ? input.components : null, now);
  if (!applies) for (const id of Object.keys(input.components)) await setIncidentComponent(trx, incident.id, id, 'under_maintenance');
  const update = await insertUpdate(trx, { incidentId: incident.id, status: input.status, body: input.body, affected: affected.length ? affected : null, deliver: input.deliver ?? true, at: now });
  await insertEvent(trx, { type: eventType(incident, true), pageId: incident.page_id, incidentId: incident.id, updateId: update.id, componentIds: Object.keys(input.components), deliver: input.deliver ?? true }, now);
  if (kind === 'incident') await tellOperators(trx, incident, 'incident.published', now);
  return { incident, update };
}

/**
 * A private alert to the page owner's channels (the platform's for a page
 * without tenant), so the team knows what the public sees. Internal names are
 * fine here; it never reaches the public.
 */
export async function tellOperators(trx: Trx, incident: IncidentRow, kind: 'incident.published' | 'incident.resolved', now: Date): Promise<void> {
  const page = await findPage(trx, incident.page_id);
  const published = kind === 'incident.published';
  await recordAlertEvent(
    trx,
    {
      tenantId: page?.tenant_id ?? null,
      kind,
      severity: published ? 'warning' : 'info',
      title: `${published ? 'Published' : 'Resolved'} on status page ${page?.name ?? incident.page_id}: ${incident.name}`,
      text: published
        ? `The incident "${incident.name}" is now public on ${page?.slug ?? incident.page_id} (${incident.automatic ? 'automatic' : 'manual'}, impact ${incident.impact}); subscribers are told.`
        : `The incident "${incident.name}" on ${page?.slug ?? incident.page_id} is resolved; subscribers are told.`,
      details: { incident_id: incident.id, page_id: incident.page_id, page_slug: page?.slug ?? null, status: incident.status, impact: incident.impact },
    },
    now,
  );
}

const INCIDENT_NEXT = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'];
const MAINTENANCE_NEXT = ['scheduled', 'in_progress', 'verifying', 'completed'];

/** Posts an update: new status (timestamps follow), optional component changes, events. */
export async function addUpdate(
  trx: Trx,
  incidentId: string,
  u: { status: IncidentRow['status']; body: string; components?: Record<string, ComponentStatus> | null; deliver?: boolean },
  now: Date,
): Promise<{ incident: IncidentRow; update: UpdateRow }> {
  const current = await findIncident(trx, incidentId, true);
  if (!current) throw new AppError('not_found', `no incident ${incidentId}`);
  const allowed = current.kind === 'maintenance' ? MAINTENANCE_NEXT : INCIDENT_NEXT;
  if (!allowed.includes(u.status)) throw new AppError('validation_failed', `status must be one of ${allowed.join(', ')}`);
  await checkComponents(trx, current.page_id, u.components);
  if (!current.published_at) return addDraftUpdate(trx, current, u, now);
  const resolvedNow = (u.status === 'resolved' || u.status === 'completed') && !current.resolved_at;
  const incident = await updateIncident(trx, incidentId, {
    status: u.status,
    updated_at: now,
    ...(u.status === 'monitoring' && !current.monitoring_at ? { monitoring_at: now } : {}),
    ...(resolvedNow ? { resolved_at: now } : {}),
    ...(isOpenIncident(u.status) ? { resolved_at: null } : {}),
  });
  let changes = u.components ?? null;
  if (incident.kind === 'maintenance' && ACTIVE_MAINTENANCE.includes(u.status) && !ACTIVE_MAINTENANCE.includes(current.status)) {
    changes = Object.fromEntries((await incidentComponentIds(trx, incidentId)).map((id) => [id, 'under_maintenance' as const]));
  }
  if (!u.components && changes && incident.kind === 'incident') changes = null;
  const affected = await applyComponents(trx, incident, changes, now);
  if (u.components && incident.kind === 'incident') {
    // Impact follows the worst component the incident holds; an update never lowers it.
    const impact = impactOf(worstStatus(await heldStatuses(trx, incidentId)));
    if (IMPACT_RANK[impact] > IMPACT_RANK[incident.impact]) {
      await setImpact(trx, incidentId, impact);
      incident.impact = impact;
    }
  }
  const update = await insertUpdate(trx, { incidentId, status: u.status, body: u.body, affected: affected.length ? affected : null, deliver: u.deliver ?? true, at: now });
  await insertEvent(trx, { type: eventType(incident, false), pageId: incident.page_id, incidentId, updateId: update.id, componentIds: await incidentComponentIds(trx, incidentId), deliver: u.deliver ?? true }, now);
  if (resolvedNow && incident.kind === 'incident') await tellOperators(trx, incident, 'incident.resolved', now);
  return { incident, update };
}

/** An update to a draft: its status, timestamps and intended components change; nothing public does. */
async function addDraftUpdate(
  trx: Trx,
  current: IncidentRow,
  u: { status: IncidentRow['status']; body: string; components?: Record<string, ComponentStatus> | null; deliver?: boolean },
  now: Date,
): Promise<{ incident: IncidentRow; update: UpdateRow }> {
  const resolved = u.status === 'resolved' || u.status === 'completed';
  const incident = await updateIncident(trx, current.id, {
    status: u.status,
    updated_at: now,
    ...(u.status === 'monitoring' && !current.monitoring_at ? { monitoring_at: now } : {}),
    resolved_at: resolved ? (current.resolved_at ?? now) : null,
  });
  for (const [id, status] of Object.entries(u.components ?? {})) await setIncidentComponent(trx, current.id, id, status);
  const update = await insertUpdate(trx, { incidentId: current.id, status: u.status, body: u.body, affected: null, deliver: u.deliver ?? true, at: now });
  return { incident, update };
}

export async function deleteIncident(trx: Trx, id: string, now: Date): Promise<IncidentRow> {
  const incident = await findIncident(trx, id, true);
  if (!incident) throw new AppError('not_found', `no incident ${id}`);
  const ids = await incidentComponentIds(trx, id);
  await deleteIncidentRow(trx, id);
  await rederiveComponents(trx, ids, now);
  if (incident.published_at) await touchPages(trx, [incident.page_id], now);
  return incident;
}

/** Components an incident let go of go back to what the remaining incidents say (logged and announced when that changes). */
export async function rederiveComponents(trx: Trx, ids: string[], now: Date): Promise<void> {
  const derived = await derivedStatuses(trx, ids);
  for (const c of await findComponents(trx, ids)) {
    const next = worstStatus(derived.get(c.id) ?? []);
    if (next === c.status) continue;
    await setComponentStatus(trx, c.id, next, now);
    await insertEvent(trx, { type: 'component.updated', pageId: c.page_id, componentId: c.id, componentIds: [c.id], change: { from: c.status, to: next }, deliver: true }, now);
  }
}

export function withTransaction<T>(db: Kysely<Database>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
