import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter } from '../http/openapi.js';
import type { Logger } from '../logger.js';
import type { IncidentService } from './incident-service.js';
import { manualIncidentRoutes } from './incident-routes.js';
import type { PageService } from './page-service.js';
import { pageRoutes } from './page-routes.js';
import { signalRoutes } from './signal-routes.js';

/**
 * The manual API under /api/v1: pages, components, incidents and
 * maintenances (admin key, or a tenant key on its tenant's pages), and the
 * parked signals of the incident loop (admin key).
 */
export function incidentRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; pages: PageService; incidents: IncidentService }): OpenAPIHono<AppEnv> {
  const ctx = { auth: requireApiKey(deps.db), idem: idempotency(deps), pages: deps.pages, incidents: deps.incidents };
  const app = apiRouter<AppEnv>().basePath('/api/v1');
  app.route('/', pageRoutes(ctx));
  app.route('/', manualIncidentRoutes(ctx));
  app.route('/', signalRoutes({ db: deps.db, auth: ctx.auth }));
  return app;
}
