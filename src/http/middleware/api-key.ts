import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { hashApiKey } from '../../auth/keys.js';
import { findActiveKeyByHash, LAST_USED_RESOLUTION_MS, touchApiKey, type Principal } from '../../auth/store.js';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

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

/** Whether the request presents a valid (unrevoked) admin key; never throws. */
export async function presentsAdminKey(db: Kysely<Database>, headers: { header(name: string): string | undefined }): Promise<boolean> {
  const key = presentedKey(headers);
  if (!key) return false;
  const principal = await findActiveKeyByHash(db, hashApiKey(key)).catch(() => undefined);
  return principal?.kind === 'admin';
}

/**
 * Records that the request's key (any route that resolved one: /api/v1 and
 * /api/v3) was used, at most once a minute per key: the principal carries the
 * last recorded use, so most requests write nothing, and the write is guarded
 * in SQL for concurrent requests. It runs after the answer and is not awaited;
 * a failure is logged, never the request's.
 */
export function recordKeyUse(deps: { db: Kysely<Database>; clock: Clock; logger: Logger }): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    await next();
    const p = c.get('principal') as Principal | undefined; // set only where a route resolved a key
    if (!p) return;
    const now = deps.clock.now();
    if (p.lastUsedAt && p.lastUsedAt.getTime() >= now.getTime() - LAST_USED_RESOLUTION_MS) return;
    touchApiKey(deps.db, p.keyId, now).catch((err: unknown) => deps.logger.warn({ err, keyId: p.keyId }, 'could not record when an API key was last used'));
  };
}
