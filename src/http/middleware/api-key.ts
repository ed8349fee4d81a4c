import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { hashApiKey } from '../../auth/keys.js';
import { findActiveKeyByHash, type Principal } from '../../auth/store.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';

export type AuthVariables = { principal: Principal };

/** Reads the key from `Authorization: Bearer …` or `X-Api-Key`. */
export function presentedKey(headers: { header(name: string): string | undefined }): string | undefined {
  const auth = headers.header('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return headers.header('x-api-key')?.trim() || undefined;
}

/**
 * Resolves the API key to a principal (admin, or one tenant) and rejects
 * requests without a valid one. `adminOnly` routes refuse tenant keys.
 */
export function requireApiKey(db: Kysely<Database>, opts: { adminOnly?: boolean } = {}): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const key = presentedKey(c.req);
    if (!key) throw new AppError('unauthorized', 'an API key is required (Authorization: Bearer <key> or X-Api-Key)');
    const principal = await findActiveKeyByHash(db, hashApiKey(key));
    if (!principal) throw new AppError('unauthorized', 'the API key is not valid');
    if (opts.adminOnly && principal.kind !== 'admin') throw new AppError('forbidden', 'this endpoint needs the admin key');
    if (principal.readOnly && !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      throw new AppError('forbidden', 'this API key is read-only');
    }
    c.set('principal', principal);
    await next();
  };
}
