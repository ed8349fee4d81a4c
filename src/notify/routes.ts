import type { BlockList } from 'node:net';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { AppEnv } from '../http/app.js';
import type { TrustProxy } from '../http/client-address.js';
import { operatorRoutes } from './operator-routes.js';
import { subscriberRoutes } from './subscriber-routes.js';
import type { Subscriptions } from './subscriptions.js';

/** Status page subscribers, their links, webhook subscriptions, and the operator's view of deliveries. */
export function notifyRoutes(deps: { db: Kysely<Database>; clock: Clock; subscriptions: Subscriptions; publicUrl: string; allowPrivate: BlockList; trustProxy: TrustProxy }): Hono<AppEnv> {
  return new Hono<AppEnv>().route('/', subscriberRoutes(deps)).route('/', operatorRoutes(deps));
}
