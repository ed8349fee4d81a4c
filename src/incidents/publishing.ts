import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { applyComponents, checkComponents, rederiveComponents, tellOperators } from './service.js';
import { impactOf, isOpenIncident, worstStatus } from './status.js';
import { insertEvent } from './store/events.js';
import { findIncident, incidentComponentIds, newestUpdate, replaceIncidentComponents, setUpdateAffected, updateIncident, type IncidentRow } from './store/incidents.js';
import { touchPages } from './store/pages.js';
import type { ComponentStatus, Impact } from './table.js';

type Trx = Transaction<Database>;

/**
 * Makes a draft public: from now on the page, its JSON and feeds show it,
 * its components take the statuses it gives them (component.updated events
 * as usual), and subscribers are told once, with an `incident.created` event
 * for its newest update. The page owner gets a private `incident.published`
 * alert. Returns undefined when it is gone or published already (another
 * instance or operator was first).
 */
export async function publishIncident(trx: Trx, id: string, now: Date): Promise<IncidentRow | undefined> {
  const current = await findIncident(trx, id, true);
  if (!current || current.published_at) return undefined;
  const incident = await updateIncident(trx, id, { published_at: now, publish_at: null, updated_at: now });
  // Only an open incident acts on its components; a draft resolved before publication only enters the history.
  const affected = isOpenIncident(incident.status) ? await applyComponents(trx, incident, null, now) : [];
  await touchPages(trx, [incident.page_id], now);
  const update = await newestUpdate(trx, id);
  // The update subscribers are told of names the component changes its publication made.
  if (update && affected.length > 0) await setUpdateAffected(trx, update.id, affected);
  await insertEvent(trx, { type: 'incident.created', pageId: incident.page_id, incidentId: id, updateId: update?.id ?? null, componentIds: await incidentComponentIds(trx, id), deliver: update?.deliver_notifications ?? true }, now);
  await tellOperators(trx, incident, 'incident.published', now);
  return incident;
}

export interface IncidentPatch {
  name?: string;
  impact?: Impact;
  /** Replaces the components the incident affects, with the status it gives each. */
  components?: Record<string, ComponentStatus>;
}

/**
 * Corrects a manual incident or a draft (name, impact, components), validated
 * like a new incident. Components it no longer names go back to what the
 * other incidents say; a published incident's component changes are logged
 * and announced like any status change. No incident update is posted: this
 * corrects the record, it does not report progress.
 */
export async function patchIncident(trx: Trx, id: string, patch: IncidentPatch, now: Date): Promise<IncidentRow> {
  const current = await findIncident(trx, id, true);
  if (!current) throw new AppError('not_found', `no incident ${id}`);
  if (current.kind !== 'incident') throw new AppError('invalid_state', 'maintenances are changed through their updates');
  if (current.automatic && current.published_at) throw new AppError('invalid_state', 'a published automatic incident follows its monitors; post an update instead');
  await checkComponents(trx, current.page_id, patch.components);
  const before = await incidentComponentIds(trx, id);
  if (patch.components) await replaceIncidentComponents(trx, id, patch.components);
  const impact = patch.impact ?? (patch.components && Object.keys(patch.components).length ? impactOf(worstStatus(Object.values(patch.components))) : undefined);
  const incident = await updateIncident(trx, id, { ...(patch.name !== undefined && { name: patch.name }), ...(impact !== undefined && { impact }), updated_at: now });
  if (incident.published_at) {
    // The components it still names take its statuses; the ones it dropped go back to what the others say.
    const dropped = before.filter((c) => !(patch.components && c in patch.components));
    await applyComponents(trx, incident, null, now);
    await rederiveComponents(trx, dropped, now);
    await touchPages(trx, [incident.page_id], now);
  }
  return incident;
}

