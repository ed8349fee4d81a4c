import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import type { Logger } from '../logger.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, operation, z } from '../http/openapi.js';
import { namedTenant, TenantQuery } from './routes.js';
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
export function pingKeyRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger } & PingKeyPorts): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>();
  const route = {
    method: 'post' as const,
    path: '/api/v1/ping-keys/rotate',
    operationId: 'rotatePingKey',
    summary: "Give a ping key a new value (a tenant key: its tenant's; the admin key: the platform's, or a tenant's with tenant_id)",
    description: 'The old key stops working for /ping/<ping-key>/<slug> at once; checks keep their slugs under the new one.',
    middleware: [requireApiKey(deps.db), idempotency(deps)],
    request: { query: TenantQuery, headers: IdempotencyHeader },
    responses: {
      200: jsonResponse(z.object({ tenant_id: z.string().nullable().openapi({ format: 'uuid' }), ping_key: z.string() }), 'The new ping key, shown this once'),
      ...errors({ 403: 'A read-only key, or a tenant key naming another tenant', 404: 'No such tenant' }),
    },
  };
  operation(app, route, async (c) => {
    const p = c.get('principal');
    const named = namedTenant(c);
    const tenantId = p.kind === 'admin' ? (named ?? null) : p.tenantId!;
    if (tenantId !== null && !(await deps.tenantExists(tenantId))) throw new AppError('not_found', `no tenant ${tenantId}`);
    const pingKey = await deps.rotatePingKey(tenantId);
    return respondWithSecrets(c, 200, { tenant_id: tenantId, ping_key: pingKey }, ['ping_key']);
  });
  return app;
}
