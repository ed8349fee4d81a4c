import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import { activeOfPage, componentsOfPage, findIncident, withDetails, type NotificationEventRow, type PageRow } from '../incidents/index.js';
import { pageStatusJson, type EventView } from './statuspage-json.js';

/**
 * What subscribers are told about one page event: the page's components,
 * the incident it is about (with its updates), and the page's status now
 * (the same roll-up as status.json, over every active incident rather than
 * the newest 50). Pass the fan-out's transaction.
 */
export async function loadEventView(db: Kysely<Database> | Transaction<Database>, page: PageRow, event: NotificationEventRow): Promise<EventView> {
  const components = await componentsOfPage(db, page.id);
  const row = event.incident_id ? await findIncident(db, event.incident_id) : undefined;
  const incident = row ? (await withDetails(db, [row]))[0] : undefined;
  const status = pageStatusJson(components, await activeOfPage(db, page.id));
  return { page, event, components, incident, status };
}
