import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The sources (`check:<uuid>`, …) that a maintenance window in progress at
 * `now` covers, each with the latest end of the windows covering it. A window
 * is in progress from `scheduled_for` until `scheduled_until` unless an
 * operator completed it early; it covers the sources of every component it
 * names, when its page is the platform's or the source's owner's. By time,
 * not by the maintenance loop's status updates, so a silence begins and ends
 * on the second whoever runs that loop.
 */
export async function maintenanceWindowsOf(db: Db, sources: { source: string; owner: string | null }[], now: Date): Promise<Map<string, Date>> {
  if (sources.length === 0) return new Map();
  const { rows } = await sql<{ source: string; until: Date }>`
    select s.source, max(i.scheduled_until) as until
    from unnest(${sources.map((x) => x.source)}::text[], ${sources.map((x) => x.owner)}::uuid[]) as s(source, owner)
    join component_sources cs on cs.source = s.source
    join incident_components ic on ic.component_id = cs.component_id
    join incidents i on i.id = ic.incident_id
    join pages p on p.id = i.page_id
    where i.kind = 'maintenance' and i.status <> 'completed'
      and i.scheduled_for <= ${now} and i.scheduled_until > ${now}
      and (p.tenant_id is null or p.tenant_id = s.owner)
    group by s.source`.execute(db);
  return new Map(rows.map((r) => [r.source, new Date(r.until)]));
}
