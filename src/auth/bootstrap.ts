import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { generateApiKey, hashApiKey, keyPrefix } from './keys.js';
import { hasAdminKey, tryInsertApiKey } from './store.js';

/**
 * Makes sure an admin key exists. With `configured` (OVERDUE_ADMIN_KEY) that
 * key is registered (by hash) and nothing is printed. Otherwise the first
 * start generates one and returns it so it can be shown once; later starts
 * return nothing.
 */
export async function ensureAdminKey(
  db: Kysely<Database>,
  configured: string | undefined,
  now: Date,
): Promise<{ generatedKey?: string }> {
  if (configured) {
    await tryInsertApiKey(db, {
      kind: 'admin',
      tenantId: null,
      name: 'admin (OVERDUE_ADMIN_KEY)',
      prefix: keyPrefix(configured),
      hash: hashApiKey(configured),
      now,
    });
    return {};
  }
  if (await hasAdminKey(db)) return {};
  const key = generateApiKey('admin');
  await tryInsertApiKey(db, { kind: 'admin', tenantId: null, name: 'admin (generated at first start)', prefix: keyPrefix(key), hash: hashApiKey(key), now });
  return { generatedKey: key };
}
