import type { Kysely } from 'kysely';
import { lockForTransaction } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';
import { generateApiKey, hashApiKey, keyPrefix } from './keys.js';
import { hasAdminKey, tryInsertApiKey } from './store.js';

/**
 * Makes sure an admin key exists. With `configured` (OVERDUE_ADMIN_KEY) that
 * key is registered (by hash) and nothing is printed. Otherwise the first
 * start generates one and returns it so it can be shown once; later starts
 * return nothing. Safe when several instances start at once: exactly one of
 * them generates (and shows) the key.
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
  // "Generate only if none exists" is a read-then-write that no unique key
  // guards (each instance's key hashes differently), so instances starting at
  // once serialize on a transaction-scoped advisory lock: the first generates,
  // the others then find its key. The lock is the transaction's first statement,
  // so the check's snapshot (read committed) includes the winner's commit.
  return db.transaction().execute(async (trx) => {
    await lockForTransaction(trx, 'overdue.startup:admin-key');
    if (await hasAdminKey(trx)) return {};
    const key = generateApiKey('admin');
    await tryInsertApiKey(trx, { kind: 'admin', tenantId: null, name: 'admin (generated at first start)', prefix: keyPrefix(key), hash: hashApiKey(key), now });
    return { generatedKey: key };
  });
}
