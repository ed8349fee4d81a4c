import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { ensureServiceSecret } from '../db/service-state.js';

/** The secret that signs subscriber links: generated once, shared by every instance through the database. */
export function tokenSecret(db: Kysely<Database>): () => Promise<Buffer> {
  let cached: Buffer | undefined;
  return async () => {
    if (cached) return cached;
    cached = Buffer.from(await ensureServiceSecret(db, 'notify.token_secret', randomBytes(32).toString('base64')), 'base64');
    return cached;
  };
}
