import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ensurePingKey, generatePingKey } from './checks-store.js';

const ownerIs = (tenantId: string | null) => (tenantId === null ? sql<boolean>`tenant_id is null` : sql<boolean>`tenant_id = ${tenantId}`);

/**
 * The platform's ping key, and whether this call created it (so a start shows
 * it once). When instances start at once, exactly one of them creates it.
 */
export async function ensurePlatformPingKey(db: Kysely<Database>, now: Date): Promise<{ pingKey: string; created: boolean }> {
  const { rows } = await sql<{ ping_key: string }>`
    insert into ping_keys (ping_key, tenant_id, created_at) values (${generatePingKey()}, null, ${now})
    on conflict ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid))) do nothing
    returning ping_key`.execute(db);
  if (rows[0]) return { pingKey: rows[0].ping_key, created: true };
  return { pingKey: await ensurePingKey(db, null, now), created: false };
}

/**
 * Gives a tenant (null: the platform) a new ping key and moves its checks to
 * it, in one transaction: from the commit on, `/ping/<old key>/<slug>`
 * finds nothing and `/ping/<new key>/<slug>` finds the same checks. A tenant
 * without a ping key simply gets one. Returns the new key.
 *
 * `checks.ping_key` references `ping_keys` (no ON UPDATE CASCADE), so the key
 * row and its checks change in one statement: the foreign key is checked at
 * the end of the statement, when both sides agree. The row is locked first,
 * in a statement of its own: a check being inserted under the old key holds a
 * key-share lock on it, so the move waits for that insert and then, with a
 * fresh snapshot, carries the new check along too.
 */
export async function rotatePingKey(db: Kysely<Database>, tenantId: string | null, now: Date): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('ping_keys').select('ping_key').where(ownerIs(tenantId)).forUpdate().executeTakeFirst();
    if (!current) return ensurePingKey(trx, tenantId, now);
    const fresh = generatePingKey();
    await sql`
      with moved as (update checks set ping_key = ${fresh} where ping_key = ${current.ping_key})
      update ping_keys set ping_key = ${fresh}, created_at = ${now} where ping_key = ${current.ping_key}`.execute(trx);
    return fresh;
  });
}
