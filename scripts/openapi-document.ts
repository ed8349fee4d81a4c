/**
 * Prints the OpenAPI document of /api/v1 as the service serves it
 * (`npm run lint:openapi` writes it to a file and lints it with Redocly).
 * It builds the real app from the composition root over a database driver
 * that never connects: building the routes runs no query.
 */
import { writeFileSync } from 'node:fs';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { createOverdue } from '../src/overdue.js';
import { createTelemetry } from '../src/telemetry.js';

const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const overdue = createOverdue({
  config: loadConfig({ MIGRATE: 'off', LOG_LEVEL: 'silent' }),
  clock: systemClock,
  logger: createLogger('silent'),
  telemetry: createTelemetry({ serviceName: 'overdue-openapi' }),
  database: { db, backend: 'postgres', location: 'none', close: async () => undefined },
});
const res = await overdue.app.request('/api/v1/openapi.json');
if (res.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`);
const text = `${JSON.stringify(await res.json(), null, 2)}\n`;
const out = process.argv[2];
if (out) writeFileSync(out, text);
else process.stdout.write(text);
