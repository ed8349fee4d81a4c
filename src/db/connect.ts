import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { Tracer } from '@opentelemetry/api';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { acquireDataDirLock } from './datadir-lock.js';
import type { Database } from './database.js';
import { withQuerySpans } from './tracing-dialect.js';
import { redactUrl } from '../redact.js';

export type Backend = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  backend: Backend;
  /** Where the data lives, safe to print (no password). */
  location: string;
  /** Ends the pool, closes PGlite and releases the data-dir lock; idempotent. */
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/**
 * Type parsing shared by both backends (set per pool, never on pg's global
 * registry): int8 — money and counts — as bigint so no amount is silently
 * rounded; `date` as its 'YYYY-MM-DD' text, not a Date at local midnight;
 * `timestamp` (a wall time with no zone) as its text, never read in the
 * process's own zone.
 */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v: string) => BigInt(v));
  types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
  types.setTypeParser(pg.types.builtins.TIMESTAMP, (v: string) => v);
  return types;
}

function kyselyOver(pool: pg.Pool, tracer: Tracer): Kysely<Database> {
  return new Kysely<Database>({ dialect: withQuerySpans(new PostgresDialect({ pool }), tracer) });
}

interface OpenDeps {
  tracer: Tracer;
  logger: Logger;
  onClientError?: (err: Error) => void;
}

export function openPostgres(url: string, poolMax: number, deps: OpenDeps): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, types: typeParsers() });
  guardPoolClients(pool, deps);
  const db = kyselyOver(pool, deps.tracer);
  return { db, backend: 'postgres', location: redactUrl(url), close: once(() => db.destroy()) };
}

/**
 * Gives every client of `pool` an error listener for its whole life. pg-pool
 * listens on a client only while it is idle and removes that listener on
 * checkout, so a connection lost between two queries of a checked-out client
 * (a server restart mid ping batch, `pg_terminate_backend`) would be an
 * unhandled 'error' event that ends the process. With this listener the
 * error is logged and counted; the client is no longer queryable, so its
 * current unit of work fails on its next query, and pg-pool discards it on
 * release instead of reusing it. The pool connects anew for the next checkout.
 */
export function guardPoolClients(pool: pg.Pool, deps: Pick<OpenDeps, 'logger' | 'onClientError'>): void {
  const inUse = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => inUse.add(client));
  pool.on('release', (_err, client) => inUse.delete(client));
  // pg-pool re-emits an idle client's error here; the client's own listener below logs it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (inUse.has(client)) {
        deps.logger.error({ err }, 'database connection lost while in use; its work fails and the pool reconnects');
      } else {
        deps.logger.error({ err }, 'idle database client failed; it was dropped from the pool');
      }
      deps.onClientError?.(err);
    });
  });
}

/** Kysely over an already-open PGlite; the caller keeps ownership of `pglite` unless `closePglite`. */
export function openPgliteInstance(
  pglite: PGlite,
  deps: OpenDeps,
  opts: { location: string; onClose?: () => void | Promise<void> },
): DatabaseHandle {
  // PGlite is one session: the adapter's pool has a single client, so
  // transactions serialize. Idle clients are never reaped (reconnecting the
  // shared in-process connection object is not supported).
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, idleTimeoutMillis: 0, types: typeParsers() });
  guardPoolClients(pool, deps);
  const db = kyselyOver(pool, deps.tracer);
  return {
    db,
    backend: 'pglite',
    location: opts.location,
    close: once(async () => {
      await db.destroy();
      await opts.onClose?.();
    }),
  };
}

/** Embedded database in `dataDir`, guarded by an exclusive lock file. */
export async function openPglite(dataDir: string, deps: OpenDeps): Promise<DatabaseHandle> {
  const lock = acquireDataDirLock(dataDir);
  try {
    const pgdata = join(resolve(dataDir), 'pgdata');
    mkdirSync(resolve(dataDir), { recursive: true }); // PGlite creates only the last folder
    const pglite = await PGlite.create({ dataDir: pgdata });
    return openPgliteInstance(pglite, deps, {
      location: pgdata,
      onClose: async () => {
        try {
          await pglite.close();
        } finally {
          lock.release();
        }
      },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * Waits until the database answers, retrying with backoff until `timeoutMs`,
 * then gives up with a message naming where it tried and the last error.
 */
export async function waitForDatabase(
  handle: DatabaseHandle,
  opts: { clock: Clock; logger: Logger; timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const deadline = opts.clock.now().getTime() + opts.timeoutMs;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(handle.db);
      if (attempt > 1) opts.logger.info({ attempt, location: handle.location }, 'database reachable');
      return;
    } catch (err) {
      const left = deadline - opts.clock.now().getTime();
      if (left <= 0) {
        throw new DatabaseUnavailableError(
          `database at ${handle.location} did not answer within ${Math.round(opts.timeoutMs / 1000)} s ` +
            `(${attempt} attempts; last error: ${(err as Error).message || (err as Error).name})`,
        );
      }
      opts.logger.warn({ attempt, location: handle.location, err: (err as Error).message }, 'database not reachable yet; retrying');
      await opts.clock.sleep(Math.min(delay, left), opts.signal);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
