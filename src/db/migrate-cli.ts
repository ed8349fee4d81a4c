import { pathToFileURL } from 'node:url';
import { systemClock } from '../clock.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createTelemetry } from '../telemetry.js';
import { checkSchema, runMigrations } from './migrate.js';
import { migrations } from './migrations/index.js';
import { openConfiguredDatabase } from './open.js';

/**
 * `npm run migrate` applies pending migrations; `npm run migrate -- --check`
 * only reports, exiting 1 when the schema is not exactly the code's.
 */
async function cli(argv: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) process.stderr.write(`overdue migrate: configuration error: ${line}\n`);
    return 2;
  }
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const telemetry = createTelemetry({ serviceName: config.otel.serviceName });
  const database = await openConfiguredDatabase(config, { clock: systemClock, logger, tracer: telemetry.tracer });
  try {
    if (!argv.includes('--check')) {
      const outcome = await runMigrations(database.db, migrations);
      if (outcome.error) {
        process.stderr.write(`overdue migrate: ${outcome.error.message}\n`);
        return 1;
      }
      process.stdout.write(outcome.applied.length > 0 ? `applied: ${outcome.applied.join(', ')}\n` : 'nothing to apply\n');
    }
    const status = await checkSchema(database.db, migrations);
    process.stdout.write(status.ok ? `schema current (${status.applied.length} migrations)\n` : `schema NOT current: ${status.reason}\n`);
    return status.ok ? 0 : 1;
  } finally {
    await database.close();
    await telemetry.shutdown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`overdue migrate: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
