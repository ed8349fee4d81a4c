import type { metrics } from '@opentelemetry/sdk-node';
import { systemClock } from '../../../src/clock.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { openPostgres, type DatabaseHandle } from '../../../src/db/connect.js';
import { runMigrations } from '../../../src/db/migrate.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { createLogger } from '../../../src/logger.js';
import { createOverdue, type Overdue, type StartReport } from '../../../src/overdue.js';
import { createTelemetry, type Telemetry } from '../../../src/telemetry.js';

export interface BenchService {
  config: Config;
  telemetry: Telemetry;
  database: DatabaseHandle;
  overdue: Overdue;
  report: StartReport;
}

/**
 * The real service on the database at `url`: migrated and started with its
 * background work on the system clock, silent, telemetry kept in process.
 * Each part's cleanup is pushed onto `cleanup`; run it in reverse order.
 */
export async function startBenchService(
  url: string,
  cleanup: (() => Promise<void>)[],
  opts: {
    env?: Record<string, string | undefined>;
    metricReaders?: metrics.MetricReader[];
    /** An already open database (PGlite in memory); its caller closes it. Else a pool to `url`. */
    database?: DatabaseHandle;
  } = {},
): Promise<BenchService> {
  const config = loadConfig({
    // An open database (PGlite) needs no URL; the DATA_DIR default is then never opened.
    DATABASE_URL: opts.database ? undefined : url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: '20',
    OTEL_SDK_DISABLED: 'true',
    ...opts.env,
  });
  const logger = createLogger('silent');
  const telemetry = createTelemetry({ serviceName: 'overdue-bench', metricReaders: opts.metricReaders ?? [] });
  cleanup.push(() => telemetry.shutdown());
  const database = opts.database ?? openPostgres(url, config.databasePoolMax, { tracer: telemetry.tracer, logger });
  if (!opts.database) cleanup.push(() => database.close());
  const migrated = await runMigrations(database.db, migrations);
  if (migrated.error) throw migrated.error;
  const overdue = createOverdue({ config, clock: systemClock, logger, telemetry, database });
  cleanup.push(() => overdue.stop());
  const report = await overdue.start();
  if (!report.platformPingKey) throw new Error(`service did not start: ${overdue.schema.status.reason ?? 'no platform ping key'}`);
  return { config, telemetry, database, overdue, report };
}
