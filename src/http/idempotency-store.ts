import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** Claims a key for a new request; undefined when the key is already known. */
export async function tryClaimKey(
  db: Kysely<Database>,
  row: { scope: string; key: string; fingerprint: string; now: Date; leaseMs: number },
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      scope: row.scope,
      key: row.key,
      fingerprint: row.fingerprint,
      state: 'processing',
      status_code: null,
      response_body: null,
      content_type: null,
      locked_until: new Date(row.now.getTime() + row.leaseMs),
      created_at: row.now,
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findKey(db: Kysely<Database>, scope: string, key: string) {
  return db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
}

/** Takes over a `processing` record whose request died (its lease expired). */
export async function tryTakeOverKey(db: Kysely<Database>, scope: string, key: string, now: Date, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('idempotency_keys')
    .set({ locked_until: new Date(now.getTime() + leaseMs) })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('state', '=', 'processing')
    .where('locked_until', '<', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function completeKey(
  db: Kysely<Database>,
  scope: string,
  key: string,
  response: { status: number; body: string; contentType: string | null },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'completed', status_code: response.status, response_body: response.body, content_type: response.contentType })
    .where('scope', '=', scope)
    .where('key', '=', key)
    .execute();
}

export async function forgetKey(db: Kysely<Database>, scope: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('state', '=', 'processing').execute();
}

/** Deletes up to `batch` records created before `before`; returns how many. */
export async function pruneKeys(db: Kysely<Database>, before: Date, batch: number): Promise<number> {
  const r = await sql`
    delete from idempotency_keys where (scope, key) in (
      select scope, key from idempotency_keys where created_at < ${before} limit ${batch}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
