import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { KeyKind } from './keys.js';

export interface Principal {
  keyId: string;
  kind: KeyKind;
  tenantId: string | null;
  readOnly: boolean;
}

export async function findActiveKeyByHash(db: Kysely<Database>, keyHash: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'kind', 'tenant_id', 'read_only'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { keyId: row.id, kind: row.kind, tenantId: row.tenant_id, readOnly: row.read_only };
}

export async function hasAdminKey(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('api_keys').select('id').where('kind', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** Inserts a key unless one with the same hash exists; true when inserted. */
export async function tryInsertApiKey(
  db: Kysely<Database>,
  key: { kind: KeyKind; tenantId: string | null; name: string; prefix: string; hash: string; readOnly?: boolean; now: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('api_keys')
    .values({
      kind: key.kind,
      tenant_id: key.tenantId,
      name: key.name,
      key_prefix: key.prefix,
      key_hash: key.hash,
      read_only: key.readOnly ?? false,
      created_at: key.now,
    })
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
