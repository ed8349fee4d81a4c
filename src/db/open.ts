import type { Tracer } from '@opentelemetry/api';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openPglite, openPostgres, waitForDatabase, type DatabaseHandle } from './connect.js';

/**
 * The database the configuration names: Postgres at DATABASE_URL, else the
 * embedded PGlite in DATA_DIR. Returns once it answers; throws
 * DataDirLockedError or DatabaseUnavailableError with a message for humans.
 */
export async function openConfiguredDatabase(
  config: Config,
  deps: { clock: Clock; logger: Logger; tracer: Tracer; onClientError?: (err: Error) => void; signal?: AbortSignal },
): Promise<DatabaseHandle> {
  const handle = config.databaseUrl
    ? openPostgres(config.databaseUrl, config.databasePoolMax, deps)
    : await openPglite(config.dataDir, deps);
  try {
    await waitForDatabase(handle, { clock: deps.clock, logger: deps.logger, timeoutMs: config.databaseConnectTimeoutMs, signal: deps.signal });
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return handle;
}
