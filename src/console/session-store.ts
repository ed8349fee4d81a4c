import { sql, type Kysely } from 'kysely';
import type { Principal } from '../auth/store.js';
import type { Database } from '../db/database.js';

type Db = Kysely<Database>;

export async function insertSession(db: Db, row: { idHash: string; keyId: string; csrf: string; now: Date }): Promise<void> {
  await db.insertInto('console_sessions').values({ id_hash: row.idHash, key_id: row.keyId, csrf_token: row.csrf, created_at: row.now, last_seen_at: row.now }).execute();
}

/**
 * The session's principal when it is alive (seen within `idleMs`, created
 * within `absoluteMs`) and its key is not revoked; marks it seen, at most
 * once a minute (a page view costs one statement, not two).
 */
export async function touchSession(db: Db, idHash: string, now: Date, idleMs: number, absoluteMs: number): Promise<(Principal & { csrf: string }) | undefined> {
  const { rows } = await sql<{ key_id: string; kind: 'admin' | 'tenant'; tenant_id: string | null; read_only: boolean; csrf_token: string }>`
    with s as (
      select * from console_sessions
      where id_hash = ${idHash}
        and last_seen_at > ${new Date(now.getTime() - idleMs)}::timestamptz
        and created_at > ${new Date(now.getTime() - absoluteMs)}::timestamptz
    ), seen as (
      update console_sessions set last_seen_at = ${now}::timestamptz
      where id_hash = ${idHash} and last_seen_at < ${new Date(now.getTime() - 60_000)}::timestamptz and exists (select 1 from s)
    )
    select s.key_id, k.kind, k.tenant_id, k.read_only, s.csrf_token
    from s join api_keys k on k.id = s.key_id and k.revoked_at is null`.execute(db);
  const r = rows[0];
  return r && { keyId: r.key_id, kind: r.kind, tenantId: r.tenant_id, readOnly: r.read_only, csrf: r.csrf_token };
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('id_hash', '=', idHash).execute();
}

/** Sessions past their idle or absolute expiry (the retention job's work). */
export async function deleteExpiredSessions(db: Db, now: Date, idleMs: number, absoluteMs: number): Promise<number> {
  const r = await db
    .deleteFrom('console_sessions')
    .where((eb) => eb.or([eb('last_seen_at', '<=', new Date(now.getTime() - idleMs)), eb('created_at', '<=', new Date(now.getTime() - absoluteMs))]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function recordSignInFailure(db: Db, address: string, now: Date): Promise<void> {
  await db.insertInto('console_sign_in_failures').values({ address, at: now }).execute();
}

export async function signInFailuresSince(db: Db, address: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('console_sign_in_failures')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('address', '=', address)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteSignInFailuresBefore(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('console_sign_in_failures').where('at', '<', before).execute();
}
