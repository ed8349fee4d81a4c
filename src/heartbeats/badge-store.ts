import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { CheckRow } from './store.js';

/**
 * The owner's badge id, created on first use. Insert-or-nothing, then read:
 * two instances asking at once both read the one row that won.
 */
export async function ensureBadgeId(db: Kysely<Database>, tenantId: string | null, fresh: string, now: Date): Promise<string> {
  await db
    .insertInto('badge_keys')
    .values({ badge_id: fresh, tenant_id: tenantId, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .selectFrom('badge_keys')
    .select('badge_id')
    .where(sql<boolean>`tenant_id is not distinct from ${tenantId}::uuid`)
    .executeTakeFirstOrThrow();
  return row.badge_id;
}

/** Whose badge id this is; undefined when it is nobody's. */
export async function findBadgeOwner(db: Kysely<Database>, badgeId: string): Promise<{ tenantId: string | null } | undefined> {
  const row = await db.selectFrom('badge_keys').select('tenant_id').where('badge_id', '=', badgeId).executeTakeFirst();
  return row && { tenantId: row.tenant_id };
}

/** The owner's checks, all of them or those carrying `tag`. */
export async function ownerChecks(db: Kysely<Database>, tenantId: string | null, tag: string | null): Promise<CheckRow[]> {
  let q = db.selectFrom('checks').selectAll().where(sql<boolean>`tenant_id is not distinct from ${tenantId}::uuid`);
  if (tag !== null) q = q.where(sql<boolean>`${tag} = any(string_to_array(tags, ' '))`);
  return q.orderBy('created_at').orderBy('id').execute();
}

/** Every tag the owner's checks carry, sorted. */
export async function ownerTags(db: Kysely<Database>, tenantId: string | null): Promise<string[]> {
  const rows = await sql<{ tag: string }>`
    select distinct t.tag from checks c, unnest(string_to_array(c.tags, ' ')) as t(tag)
    where c.tenant_id is not distinct from ${tenantId}::uuid and t.tag <> ''`.execute(db);
  // Sorted here, by code point: the two backends' collations may order text differently.
  return rows.rows.map((r) => r.tag).sort();
}
