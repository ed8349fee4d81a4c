import { pathToFileURL } from 'node:url';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DatabaseUnavailableError } from './db/connect.js';
import { DataDirLockedError } from './db/datadir-lock.js';
import { openConfiguredDatabase } from './db/open.js';
import { listen } from './http/server.js';
import { Releasers } from './lifecycle.js';
import { createLogger } from './logger.js';
import { createOverdue } from './overdue.js';
import { telemetryFromConfig } from './telemetry.js';

/**
 * Composition root: config → clock → telemetry → database → service → HTTP →
 * background work. Each started part registers its release step; SIGTERM or
 * SIGINT runs them in reverse (stop accepting, drain requests, stop loops,
 * close the database) and exits 0.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.problems) process.stderr.write(`overdue: configuration error: ${line}\n`);
    process.exit(2);
  }

  const clock = systemClock;
  const logger = createLogger(config.logLevel);
  const releasers = new Releasers(logger);
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));

  // Signal handlers go in first: until a listener exists the kernel's default
  // action kills the process outright, skipping the drain. A signal during
  // start-up aborts the remaining steps and releases what was started.
  const startup = new AbortController();
  let started = false;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (!started) return startup.abort(new Error(`${signal} during start-up`));
    void stopAndExit();
  };
  const stopAndExit = () =>
    releasers.release().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown finished with errors');
        process.exit(1);
      },
    );
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const telemetry = telemetryFromConfig(config);
  releasers.add('telemetry', () => telemetry.shutdown());
  const clientErrors = telemetry.meter.createCounter('overdue_db_client_errors_total');

  let database;
  try {
    database = await openConfiguredDatabase(config, {
      clock,
      logger,
      tracer: telemetry.tracer,
      onClientError: () => clientErrors.add(1),
      signal: startup.signal,
    });
  } catch (err) {
    if (startup.signal.aborted) return stopAndExit();
    if (err instanceof DataDirLockedError || err instanceof DatabaseUnavailableError) {
      process.stderr.write(`overdue: cannot start: ${err.message}\n`);
      await releasers.release().catch(() => undefined);
      process.exit(1);
    }
    throw err;
  }
  releasers.add('database', () => database.close());
  if (startup.signal.aborted) return stopAndExit();

  const overdue = createOverdue({ config, clock, logger, telemetry, database });
  releasers.add('background work', () => overdue.stop());
  const report = await overdue.start();
  if (startup.signal.aborted) return stopAndExit();

  const http = await listen(overdue.app, { port: config.port, host: config.host });
  releasers.add('http', () => http.close(config.shutdownTimeoutMs));
  started = true;
  if (startup.signal.aborted) return stopAndExit();

  const local = `http://localhost:${http.port}`;
  const lines = [
    `Overdue is running at ${local}` + (config.publicUrl !== `http://localhost:${config.port}` ? ` (public URL ${config.publicUrl})` : ''),
    database.backend === 'pglite'
      ? `  database: embedded PGlite, data directory ${database.location}`
      : `  database: PostgreSQL at ${database.location}`,
    `  schema: ${overdue.schema.status.ok ? 'current' : `NOT CURRENT: ${overdue.schema.status.reason}`}`,
  ];
  if (report.platformPingKey && report.platformPingKeyCreated) {
    lines.push(`  ping key for slug URLs (shown once; rotate with POST /api/v1/ping-keys/rotate): ${local}/ping/${report.platformPingKey}/<slug>`);
  }
  if (report.generatedAdminKey) {
    lines.push(`  admin API key (shown once, stored hashed): ${report.generatedAdminKey}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info({ port: http.port, backend: database.backend, schemaOk: overdue.schema.status.ok }, 'overdue started');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`overdue: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
