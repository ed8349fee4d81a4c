import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { createOverdue, type Overdue } from '../src/overdue.js';
import { createTelemetry } from '../src/telemetry.js';

/**
 * The real service graph from the composition root, over a database driver
 * that never connects: building the routes runs no query, so the app can be
 * asked for its routes and its OpenAPI document without a database. Nothing
 * is started.
 */
export function offlineOverdue(): Overdue {
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return createOverdue({
    config: loadConfig({ MIGRATE: 'off', LOG_LEVEL: 'silent' }),
    clock: systemClock,
    logger: createLogger('silent'),
    telemetry: createTelemetry({ serviceName: 'overdue-offline' }),
    database: { db, backend: 'postgres', location: 'none', close: async () => undefined },
  });
}
