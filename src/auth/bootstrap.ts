import type { Kysely } from 'kysely';
import { lockForTransaction } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';
import { generateApiKey, hashApiKey, keyPrefix } from './keys.js';
import { hasAdminKey, revokeReplacedBootstrapKeys, tryInsertApiKey, upsertConfiguredAdminKey } from './store.js';

/**
 * Makes sure an admin key exists. With `configured` (OVERDUE_ADMIN_KEY) that
 * key is the one configured admin key: it is registered (by hash) or, if it
 * had been revoked, brought back; the keys of earlier configurations and the
 * key generated at first start are revoked; nothing is printed. Keys made
 * through the API are left alone. Without it, the first start generates a key
 * and returns it so it can be shown once; later starts return nothing.
 *
 * Safe when several instances start at once: they serialize on a
 * transaction-scoped advisory lock, so exactly one of them generates (and
 * shows) a key, and instances with the same configuration agree. (Instances
 * started with different keys each revoke the other's: the last start wins.)
 */
export async function ensureAdminKey(
  db: Kysely<Database>,
  configured: string | undefined,
  now: Date,
): Promise<{ generatedKey?: string }> {
  // "Generate only if none exists" is a read-then-write that no unique key
  // guards (each instance's key hashes differently). The lock is the
  // transaction's first statement, so the check's snapshot (read committed)
  // includes the winner's commit.
  return db.transaction().execute(async (trx) => {
    await lockForTransaction(trx, 'overdue.startup:admin-key');
    if (configured) {
      const hash = hashApiKey(configured);
      await upsertConfiguredAdminKey(trx, { prefix: keyPrefix(configured), hash, now });
      await revokeReplacedBootstrapKeys(trx, hash, now);
      return {};
    }
    if (await hasAdminKey(trx)) return {};
    const key = generateApiKey('admin');
    await tryInsertApiKey(trx, { kind: 'admin', tenantId: null, name: 'admin (generated at first start)', prefix: keyPrefix(key), hash: hashApiKey(key), origin: 'generated', now });
    return { generatedKey: key };
  });
}
