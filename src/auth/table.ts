import type { ColumnType, Generated } from 'kysely';

/**
 * Where a key came from: `configured` is OVERDUE_ADMIN_KEY (at most one active:
 * a start with another value revokes it), `generated` the admin key made at the
 * first start (revoked once a key is configured), `api` everything made
 * through the API (keys endpoint, tenant creation).
 */
export type KeyOrigin = 'configured' | 'generated' | 'api';

/** API keys, stored only as SHA-256 hashes; the plain key is shown once. */
export interface ApiKeyTable {
  id: Generated<string>;
  /** null for admin keys; the tenant whose data the key may touch otherwise. */
  tenant_id: string | null;
  kind: 'admin' | 'tenant';
  name: string;
  /** First characters of the key, to recognise it in lists without revealing it. */
  key_prefix: string;
  key_hash: string;
  read_only: Generated<boolean>;
  origin: ColumnType<KeyOrigin, KeyOrigin | undefined, KeyOrigin>;
  created_at: ColumnType<Date, Date, never>;
  /** Recorded at most once a minute per key (a write per request would cost more than the request). */
  last_used_at: ColumnType<Date | null, never, Date | null>;
  revoked_at: ColumnType<Date | null, never, Date | null>;
}
