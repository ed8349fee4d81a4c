import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Tracer } from '@opentelemetry/api';
import pg from 'pg';
import { inject } from 'vitest';
import { openPgliteInstance, openPostgres, type Backend, type DatabaseHandle } from '../../src/db/connect.js';
import type { Logger } from '../../src/logger.js';
import { silentDeps } from './quiet.js';
import { databaseUrl } from './urls.js';

export const backend = (process.env.OVERDUE_TEST_BACKEND ?? 'pglite') as Backend;
export const onPostgres = backend === 'postgres';

export interface TestDatabase extends DatabaseHandle {
  /** Postgres only: the URL of this test's own database (for child processes, second pools). */
  url: string | undefined;
  /**
   * Another handle on the same database, as a second instance would have: a
   * separate pool on Postgres; on PGlite (one session) the same handle.
   */
  another(deps?: { tracer?: Tracer; logger?: Logger }): DatabaseHandle;
}

/**
 * A fresh database for one test file: migrated from the run's template unless
 * `migrated: false`. Close it in afterAll.
 */
export async function testDatabase(opts: { migrated?: boolean; tracer?: Tracer; logger?: Logger } = {}): Promise<TestDatabase> {
  const migrated = opts.migrated ?? true;
  const deps = { ...silentDeps(), ...(opts.tracer && { tracer: opts.tracer }), ...(opts.logger && { logger: opts.logger }) };
  if (backend === 'pglite') {
    const dump = inject(migrated ? 'pgliteTemplate' : 'pgliteEmpty');
    const pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(dump)]) });
    const handle = openPgliteInstance(pglite, deps, { location: 'memory://test', onClose: () => pglite.close() });
    return { ...handle, url: undefined, another: () => ({ ...handle, close: async () => undefined }) };
  }

  const base = process.env.TEST_DATABASE_URL!;
  const name = `overdue_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(migrated ? `create database ${name} template ${inject('postgresTemplate')}` : `create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(base, name);
  const others: DatabaseHandle[] = [];
  const handle = openPostgres(url, 5, deps);
  return {
    ...handle,
    url,
    another: (d) => {
      const h = openPostgres(url, 5, { ...deps, ...d });
      others.push(h);
      return h;
    },
    close: async () => {
      await Promise.all(others.map((h) => h.close()));
      await handle.close();
      const drop = new pg.Client({ connectionString: base });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}
