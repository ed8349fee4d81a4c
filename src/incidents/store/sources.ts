import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { IncidentTable } from '../table.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The sources an incident is about, and whether each still holds it open. */

/** Attaches a source to an incident on `pageId` (the incident's page), open. */
export async function addIncidentSource(trx: Db, incident: { id: string; page_id: string }, source: string, now: Date): Promise<void> {
  await trx.insertInto('incident_sources').values({ incident_id: incident.id, source, page_id: incident.page_id, open: true, created_at: now }).execute();
}

export async function setSourceOpen(trx: Db, incidentId: string, source: string, open: boolean): Promise<void> {
  await trx.updateTable('incident_sources').set({ open }).where('incident_id', '=', incidentId).where('source', '=', source).execute();
}

export async function closeAllSources(trx: Db, incidentId: string): Promise<void> {
  await trx.updateTable('incident_sources').set({ open: false }).where('incident_id', '=', incidentId).execute();
}

export async function openSourcesOf(trx: Db, incidentId: string): Promise<string[]> {
  const rows = await trx.selectFrom('incident_sources').select('source').where('incident_id', '=', incidentId).where('open', '=', true).orderBy('source').execute();
  return rows.map((r) => r.source);
}

/** The latest incident of `source` on `pageId` resolved after `after`, if any. */
export async function resolvedIncidentOfSourceSince(trx: Db, source: string, pageId: string, after: Date): Promise<Selectable<IncidentTable> | undefined> {
  return trx
    .selectFrom('incidents')
    .selectAll('incidents')
    .innerJoin('incident_sources', 'incident_sources.incident_id', 'incidents.id')
    .where('incident_sources.source', '=', source)
    .where('incident_sources.page_id', '=', pageId)
    .where('incidents.status', '=', 'resolved')
    .where('incidents.resolved_at', '>', after)
    .orderBy('incidents.resolved_at', 'desc')
    .executeTakeFirst();
}

/** Automatic incidents held in monitoring, each with the sources still holding it open. */
export async function heldOpenIncidents(db: Db): Promise<{ id: string; sources: string[] }[]> {
  const rows = await db
    .selectFrom('incidents as i')
    .innerJoin('incident_sources as x', 'x.incident_id', 'i.id')
    .select(['i.id', 'x.source'])
    .where('i.status', '=', 'monitoring')
    .where('i.automatic', '=', true)
    .where('x.open', '=', true)
    .orderBy('i.id')
    .execute();
  const byIncident = new Map<string, string[]>();
  for (const r of rows) byIncident.set(r.id, [...(byIncident.get(r.id) ?? []), r.source]);
  return [...byIncident].map(([id, sources]) => ({ id, sources }));
}
