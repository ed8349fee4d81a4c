import type { Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Clock } from './clock.js';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';

/** What every background service is built from: the database, the time, the log and the meter. */
export interface ServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  meter: Meter;
}
