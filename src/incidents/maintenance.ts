import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { addUpdate, withTransaction } from './service.js';
import { dueMaintenances, findIncident } from './store/incidents.js';

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
