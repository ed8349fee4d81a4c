import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The sources (`check:<uuid>`, …) that a maintenance window in progress at
 * `now` covers, each with the latest end of the windows covering it. A window
 * is in progress from `scheduled_for` until `scheduled_until` unless an
 * operator completed it early; it covers the sources of every component it
 * names. By time, not by the maintenance loop's status updates, so a silence
 * begins and ends on the second whoever runs that loop.
 */
export async function maintenanceWindowsOf(db: Db, sources: string[], now: Date): Promise<Map<string, Date>> {
  if (sources.length === 0) return new Map();
  const { rows } = await sql<{ source: string; until: Date }>`
    select cs.source, max(i.scheduled_until) as until
    from component_sources cs
    join incident_components ic on ic.component_id = cs.component_id
    join incidents i on i.id = ic.incident_id
    where cs.source = any(${sources}::text[])
      and i.kind = 'maintenance' and i.status <> 'completed'
      and i.scheduled_for <= ${now} and i.scheduled_until > ${now}
    group by cs.source`.execute(db);
  return new Map(rows.map((r) => [r.source, new Date(r.until)]));
}
