import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { addUpdate, checkComponents, withTransaction } from './service.js';
import { dueMaintenances, findIncident, replaceIncidentComponents, updateIncident, type IncidentRow } from './store/incidents.js';
import { touchPages } from './store/pages.js';

/**
 * Starts scheduled maintenances whose window has begun (components go under
 * maintenance) and completes those whose window has ended. Returns what moved.
 */
export async function advanceMaintenances(db: Kysely<Database>, now: Date): Promise<{ started: number; completed: number }> {
  let started = 0;
  let completed = 0;
  for (const m of await dueMaintenances(db, now)) {
    await withTransaction(db, async (trx) => {
      const current = await findIncident(trx, m.id, true);
      if (!current || current.status !== m.status) return; // another instance moved it
      if (m.scheduled_until && m.scheduled_until <= now) {
        await addUpdate(trx, m.id, { status: 'completed', body: 'The scheduled maintenance has been completed.' }, now);
        completed++;
      } else {
        await addUpdate(trx, m.id, { status: 'in_progress', body: 'Scheduled maintenance is in progress.' }, now);
        started++;
      }
    });
  }
  return { started, completed };
}

export interface MaintenanceEdit {
  name: string;
  scheduledFor: Date;
  scheduledUntil: Date;
  /** Replaces the components it will put under maintenance. */
  componentIds: string[];
}

/**
 * Changes a maintenance that has not started: its name, window and
 * components. No update is posted (subscribers were told of the schedule;
 * a change of plan is an update the operator writes). 409 once it started.
 */
export async function rescheduleMaintenance(trx: Transaction<Database>, id: string, edit: MaintenanceEdit, now: Date): Promise<IncidentRow> {
  const current = await findIncident(trx, id, true);
  if (!current || current.kind !== 'maintenance') throw new AppError('not_found', `no maintenance ${id}`);
  if (current.status !== 'scheduled') throw new AppError('invalid_state', 'only a maintenance that has not started can be rescheduled; post an update instead');
  const components = Object.fromEntries(edit.componentIds.map((c) => [c, 'under_maintenance' as const]));
  await checkComponents(trx, current.page_id, components);
  await replaceIncidentComponents(trx, id, components);
  const row = await updateIncident(trx, id, { name: edit.name, scheduled_for: edit.scheduledFor, scheduled_until: edit.scheduledUntil, updated_at: now });
  if (row.published_at) await touchPages(trx, [row.page_id], now);
  return row;
}
