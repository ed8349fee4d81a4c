import type { Kysely } from 'kysely';
import { generateApiKey, hashApiKey, keyPrefix } from '../../src/auth/keys.js';
import { tryInsertApiKey } from '../../src/auth/store.js';
import type { Database } from '../../src/db/database.js';

/** Stores a new API key (hashed, as the service does) and returns the plain key. */
export async function insertApiKey(
  db: Kysely<Database>,
  opts: { kind: 'admin'; readOnly?: boolean } | { kind: 'tenant'; tenantId: string; readOnly?: boolean },
  now: Date,
): Promise<string> {
  const key = generateApiKey(opts.kind);
  const tenantId = opts.kind === 'tenant' ? opts.tenantId : null;
  const readOnly = opts.readOnly ?? false;
  await tryInsertApiKey(db, { kind: opts.kind, tenantId, name: 'test', prefix: keyPrefix(key), hash: hashApiKey(key), readOnly, now });
  return key;
}
