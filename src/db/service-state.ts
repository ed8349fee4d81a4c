import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** A named secret in service_state, written first if there is none (every instance then reads the same one). */
export async function ensureServiceSecret(db: Kysely<Database>, key: string, fresh: string): Promise<string> {
  await sql`insert into service_state (key, value, updated_at) values (${key}, ${JSON.stringify(fresh)}::jsonb, now()) on conflict (key) do nothing`.execute(db);
  const row = await db.selectFrom('service_state').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return String(row.value);
}
