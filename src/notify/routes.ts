import type { BlockList } from 'node:net';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { AppEnv } from '../http/app.js';
import { apiRouter } from '../http/openapi.js';
import type { TrustProxy } from '../http/client-address.js';
import { operatorRoutes } from './operator-routes.js';
import { subscriberRoutes } from './subscriber-routes.js';
import type { Subscriptions } from './subscriptions.js';

/** Status page subscribers, their links, webhook subscriptions, and the operator's view of deliveries. */
export function notifyRoutes(deps: { db: Kysely<Database>; clock: Clock; subscriptions: Subscriptions; publicUrl: string; allowPrivate: BlockList; trustProxy: TrustProxy }): OpenAPIHono<AppEnv> {
  const app = apiRouter<AppEnv>();
  app.route('/', subscriberRoutes(deps));
  app.route('/', operatorRoutes(deps));
  return app;
}
