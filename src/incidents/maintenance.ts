import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { addUpdate } from './service.js';

/**
 * Starts scheduled maintenances whose window has begun (components go under
 * maintenance) and completes those whose window has ended. Returns what moved.
 */
export async function advanceMaintenances(db: Kysely<Database>, now: Date): Promise<{ started: number; completed: number }> {
  const due = await db
    .selectFrom('incidents')
    .select(['id', 'status', 'scheduled_for', 'scheduled_until'])
    .where('kind', '=', 'maintenance')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'scheduled'), eb('scheduled_for', '<=', now)]),
        eb.and([eb('status', 'in', ['scheduled', 'in_progress', 'verifying']), eb('scheduled_until', '<=', now)]),
      ]),
    )
    .execute();
  let started = 0;
  let completed = 0;
  for (const m of due) {
    await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('incidents').select('status').where('id', '=', m.id).forUpdate().executeTakeFirst();
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
