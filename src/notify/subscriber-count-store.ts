import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/**
 * Subscribers each page has now, for the console's list of pages: confirmed,
 * not unsubscribed, not quarantined (the ones a notice would reach). Pages
 * without any are absent from the map.
 */
export async function countActiveSubscribers(db: Kysely<Database>, pageIds: string[]): Promise<Map<string, number>> {
  if (pageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('subscribers')
    .select(['page_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('page_id', 'in', pageIds)
    .where('confirmed_at', 'is not', null)
    .where('unsubscribed_at', 'is', null)
    .where('quarantined_at', 'is', null)
    .groupBy('page_id')
    .execute();
  return new Map(rows.map((r) => [r.page_id, Number(r.n)]));
}
