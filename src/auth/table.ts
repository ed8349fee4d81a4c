import type { ColumnType, Generated } from 'kysely';

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
  created_at: ColumnType<Date, Date, never>;
  revoked_at: ColumnType<Date | null, never, Date | null>;
}
