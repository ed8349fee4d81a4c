import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * Named Postgres advisory locks: how instances serialize work that no unique
 * key guards (a read deciding a write). Names are hashed to the lock's key.
 */
export async function lockForTransaction(trx: Transaction<any>, name: string, mode: 'exclusive' | 'shared' = 'exclusive'): Promise<void> {
  if (mode === 'exclusive') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
  else await sql`select pg_advisory_xact_lock_shared(hashtext(${name}))`.execute(trx);
}

/**
 * Runs `fn` on one connection holding the session lock `name`, for work that
 * opens its own transactions (which cannot nest in a transaction lock). A
 * connection that breaks loses the lock with its session.
 */
export async function withSessionLock<DB, T>(db: Kysely<DB>, name: string, fn: (conn: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${name}))`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(conn).catch(() => undefined);
    }
  });
}
