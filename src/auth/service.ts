import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { generateApiKey, hashApiKey, keyPrefix, type KeyKind } from './keys.js';
import { findApiKey, insertApiKey, listApiKeys, tryRevokeApiKey, type ApiKeyRow, type Principal } from './store.js';

export interface NewKeyRequest {
  name: string;
  readOnly: boolean;
  kind?: KeyKind;
  tenantId?: string;
}

export interface KeyServiceDeps {
  db: Kysely<Database>;
  /** Whether a tenant exists (billing owns tenants; the composition root wires this). */
  tenantExists: (id: string) => Promise<boolean>;
}

/**
 * API key management on behalf of a principal. The admin key sees and
 * manages every key and may make admin keys and keys of any (existing)
 * tenant; a tenant key sees and manages only its tenant's keys. Other
 * tenants' keys are not found rather than forbidden, so ids reveal nothing.
 */
export function createKeyService(deps: KeyServiceDeps) {
  const { db } = deps;
  return {
    /** Keys oldest first; the admin key may narrow to one tenant (`tenantId`), a tenant key always sees its own. */
    list(p: Principal, tenantId: string | undefined, after: { createdAt: Date; id: string } | null, limit: number): Promise<ApiKeyRow[]> {
      const scope = p.kind === 'admin' ? tenantId : p.tenantId!;
      return listApiKeys(db, scope, after, limit);
    },

    /**
     * Makes a key and returns it with its plain value, which is not stored
     * (only its hash) and so can be shown this once. The kind defaults to a
     * tenant key when a tenant is named (or the caller is a tenant key), else
     * an admin key.
     */
    async create(p: Principal, req: NewKeyRequest, now: Date): Promise<{ key: ApiKeyRow; plain: string }> {
      let tenantId: string | null;
      if (p.kind === 'admin') {
        const kind = req.kind ?? (req.tenantId ? 'tenant' : 'admin');
        if (kind === 'admin' && req.tenantId) throw new AppError('validation_failed', 'an admin key belongs to no tenant: leave out tenant_id');
        if (kind === 'tenant' && !req.tenantId) throw new AppError('validation_failed', 'a tenant key needs tenant_id');
        tenantId = kind === 'tenant' ? req.tenantId! : null;
      } else {
        if (req.kind === 'admin') throw new AppError('forbidden', 'only the admin key can make admin keys');
        if (req.tenantId && req.tenantId !== p.tenantId) throw new AppError('forbidden', "a tenant key can only make keys for its own tenant");
        tenantId = p.tenantId!;
      }
      if (tenantId !== null && !(await deps.tenantExists(tenantId))) throw new AppError('validation_failed', `no tenant ${tenantId}`);
      const kind: KeyKind = tenantId === null ? 'admin' : 'tenant';
      const plain = generateApiKey(kind);
      const key = await insertApiKey(db, { kind, tenantId, name: req.name, prefix: keyPrefix(plain), hash: hashApiKey(plain), readOnly: req.readOnly, now });
      return { key, plain };
    },

    /**
     * Revokes a key at once (its next request is 401). Revoking a revoked key
     * changes nothing. The key configured in OVERDUE_ADMIN_KEY cannot be
     * revoked here: the next start would bring it back, so it is replaced by
     * changing the configuration.
     */
    async revoke(p: Principal, id: string, now: Date): Promise<ApiKeyRow> {
      const key = await findApiKey(db, id, p.kind === 'admin' ? undefined : p.tenantId!);
      if (!key) throw new AppError('not_found', `no API key ${id}`);
      if (key.revoked_at) return key;
      if (key.origin === 'configured') {
        throw new AppError('conflict', 'this is the admin key configured in OVERDUE_ADMIN_KEY: to replace it, change OVERDUE_ADMIN_KEY and restart (the old key is then revoked)');
      }
      return (await tryRevokeApiKey(db, id, now)) ?? (await findApiKey(db, id, undefined))!;
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
