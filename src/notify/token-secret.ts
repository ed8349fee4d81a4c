import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';

/** The secret that signs subscriber links: generated once, shared by every instance through the database. */
export function tokenSecret(db: Kysely<Database>): () => Promise<Buffer> {
  let cached: Buffer | undefined;
  return async () => {
    if (cached) return cached;
    const fresh = JSON.stringify(randomBytes(32).toString('base64'));
    await sql`insert into service_state (key, value, updated_at) values ('notify.token_secret', ${fresh}::jsonb, now()) on conflict (key) do nothing`.execute(db);
    const row = await db.selectFrom('service_state').select('value').where('key', '=', 'notify.token_secret').executeTakeFirstOrThrow();
    cached = Buffer.from(String(row.value), 'base64');
    return cached;
  };
}
