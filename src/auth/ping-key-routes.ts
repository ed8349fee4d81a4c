import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import { namedTenant } from './routes.js';
import { respondWithSecrets } from './shown-once.js';

export interface PingKeyPorts {
  /** Whether a tenant exists (billing owns tenants). */
  tenantExists: (id: string) => Promise<boolean>;
  /** Gives the tenant (null: the platform) a new ping key and moves its checks to it; the new key. Heartbeats own ping keys. */
  rotatePingKey: (tenantId: string | null) => Promise<string>;
}

/**
 * `POST /api/v1/ping-keys/rotate`: a tenant key rotates its tenant's ping key,
 * the admin key the platform's (or a tenant's with `?tenant_id=`). The old key
 * stops working for `/ping/<ping-key>/<slug>` at once; the checks keep their
 * slugs under the new key. The new key is in this answer only.
 */
export function pingKeyRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger } & PingKeyPorts): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/api/v1/ping-keys/rotate', requireApiKey(deps.db), idempotency(deps), async (c) => {
    const p = c.get('principal');
    const named = namedTenant(c);
    const tenantId = p.kind === 'admin' ? (named ?? null) : p.tenantId!;
    if (tenantId !== null && !(await deps.tenantExists(tenantId))) throw new AppError('not_found', `no tenant ${tenantId}`);
    const pingKey = await deps.rotatePingKey(tenantId);
    return respondWithSecrets(c, 200, { tenant_id: tenantId, ping_key: pingKey }, ['ping_key']);
  });
  return app;
}
