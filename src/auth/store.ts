import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { KeyKind } from './keys.js';
import type { ApiKeyTable, KeyOrigin } from './table.js';

export interface Principal {
  keyId: string;
  kind: KeyKind;
  tenantId: string | null;
  readOnly: boolean;
  /** When the key's use was last recorded (undefined: not known), so a request within the minute writes nothing. */
  lastUsedAt?: Date | null;
}

export type ApiKeyRow = Omit<Selectable<ApiKeyTable>, 'key_hash'>;

/** How often a key's `last_used_at` is written at most. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const LISTED = ['id', 'tenant_id', 'kind', 'name', 'key_prefix', 'read_only', 'origin', 'created_at', 'last_used_at', 'revoked_at'] as const;

export async function findActiveKeyByHash(db: Kysely<Database>, keyHash: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'kind', 'tenant_id', 'read_only', 'last_used_at'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { keyId: row.id, kind: row.kind, tenantId: row.tenant_id, readOnly: row.read_only, lastUsedAt: row.last_used_at };
}

export async function hasAdminKey(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('api_keys').select('id').where('kind', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/** Inserts a key unless one with the same hash exists; true when inserted. */
export async function tryInsertApiKey(
  db: Kysely<Database>,
  key: { kind: KeyKind; tenantId: string | null; name: string; prefix: string; hash: string; readOnly?: boolean; origin?: KeyOrigin; now: Date },
): Promise<boolean> {
  return (await insertKey(db, key)) !== undefined;
}

/** Inserts a key (a new random key's hash never collides) and returns it as listed. */
export async function insertApiKey(
  db: Kysely<Database>,
  key: { kind: KeyKind; tenantId: string | null; name: string; prefix: string; hash: string; readOnly: boolean; now: Date },
): Promise<ApiKeyRow> {
  const row = await insertKey(db, { ...key, origin: 'api' });
  if (!row) throw new Error('a new API key collided with a stored one');
  return row;
}

function insertKey(
  db: Kysely<Database>,
  key: { kind: KeyKind; tenantId: string | null; name: string; prefix: string; hash: string; readOnly?: boolean; origin?: KeyOrigin; now: Date },
): Promise<ApiKeyRow | undefined> {
  return db
    .insertInto('api_keys')
    .values({
      kind: key.kind,
      tenant_id: key.tenantId,
      name: key.name,
      key_prefix: key.prefix,
      key_hash: key.hash,
      read_only: key.readOnly ?? false,
      origin: key.origin ?? 'api',
      created_at: key.now,
    })
    .onConflict((oc) => oc.column('key_hash').doNothing())
    .returning(LISTED)
    .executeTakeFirst();
}

/**
 * Keys oldest first, paged by (created_at, id): every key (`tenantId`
 * undefined), the admin keys (null), or one tenant's.
 */
export async function listApiKeys(
  db: Kysely<Database>,
  tenantId: string | null | undefined,
  after: { createdAt: Date; id: string } | null,
  limit: number,
): Promise<ApiKeyRow[]> {
  let q = db.selectFrom('api_keys').select(LISTED);
  if (tenantId === null) q = q.where('tenant_id', 'is', null);
  else if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  if (after) q = q.where(sql<boolean>`(created_at, id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** A key by id, within `tenantId`'s keys unless `tenantId` is undefined (admin). */
export async function findApiKey(db: Kysely<Database>, id: string, tenantId: string | undefined): Promise<ApiKeyRow | undefined> {
  let q = db.selectFrom('api_keys').select(LISTED).where('id', '=', id);
  if (tenantId !== undefined) q = q.where('tenant_id', '=', tenantId);
  return q.executeTakeFirst();
}

/**
 * Revokes a live key, never the configured one (the configuration would
 * bring it back at the next start); the key as it is now, or undefined when
 * there was nothing to revoke.
 */
export async function tryRevokeApiKey(db: Kysely<Database>, id: string, now: Date): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('origin', '<>', 'configured')
    .returning(LISTED)
    .executeTakeFirst();
}

/**
 * Records a use of the key unless one was recorded within the last minute;
 * the guard keeps concurrent requests (and instances) to one write a minute.
 */
export async function touchApiKey(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(now.getTime() - LAST_USED_RESOLUTION_MS))]))
    .execute();
}

/**
 * Registers the configured admin key, or brings it back if it had been
 * revoked (the configuration is authoritative). Run under the bootstrap lock.
 */
export async function upsertConfiguredAdminKey(trx: Transaction<Database>, key: { prefix: string; hash: string; now: Date }): Promise<void> {
  await trx
    .insertInto('api_keys')
    .values({ kind: 'admin', tenant_id: null, name: 'admin (OVERDUE_ADMIN_KEY)', key_prefix: key.prefix, key_hash: key.hash, origin: 'configured', created_at: key.now })
    .onConflict((oc) =>
      oc
        .column('key_hash')
        .doUpdateSet({ revoked_at: null, origin: 'configured' })
        // A tenant key that happens to hash the same stays what it is.
        .where('api_keys.kind', '=', 'admin'),
    )
    .execute();
}

/**
 * Revokes the admin keys of earlier configurations and the one generated at
 * first start: only the configured key (`keepHash`) stays. Keys made through
 * the API are not touched. Returns how many were revoked.
 */
export async function revokeReplacedBootstrapKeys(trx: Transaction<Database>, keepHash: string, now: Date): Promise<number> {
  const r = await trx
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('origin', 'in', ['configured', 'generated'])
    .where('key_hash', '<>', keepHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
