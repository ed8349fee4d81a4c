import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/connect.js';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { silentDeps } from './quiet.js';
import { databaseUrl } from './urls.js';

/**
 * Creates one migrated template database; each test file clones it with
 * CREATE DATABASE … TEMPLATE (fast, and isolated per file).
 */
export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL!;
  const template = `overdue_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await dropLeftovers(admin);
  await admin.query(`create database ${template}`);
  const handle = openPostgres(databaseUrl(base, template), 2, silentDeps());
  const outcome = await runMigrations(handle.db, migrations);
  await handle.close();
  if (outcome.error) throw outcome.error;
  project.provide('postgresTemplate', template);
  project.provide('pgliteTemplate', '');
  project.provide('pgliteEmpty', '');
  return async () => {
    await dropLeftovers(admin, template);
    await admin.end();
  };
}

/** Drops databases left by earlier runs that died (and this run's template at teardown). */
async function dropLeftovers(admin: pg.Client, template?: string) {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'overdue_t%' and (datname like 'overdue_test_%' or datname = $1)`,
    [template ?? ''],
  );
  for (const { datname } of rows) {
    // Test files drop their own databases; whatever remains belongs to a dead process. Databases
    // of live processes (another test run on the same server) are theirs, even at our teardown.
    if (datname !== template && !(await ownerGone(admin, datname))) continue;
    await admin.query(`drop database if exists ${datname} with (force)`);
  }
}

async function ownerGone(admin: pg.Client, datname: string): Promise<boolean> {
  const pid = Number(/_(\d+)_/.exec(datname)?.[1] ?? /_(\d+)$/.exec(datname)?.[1]);
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
