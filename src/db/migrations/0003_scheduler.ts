import { sql, type Kysely } from 'kysely';

// Durable scheduler: jobs and one row per (job, slot). Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid')
    .addColumn('schedule', 'text')
    .addColumn('tz', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('interval_s', 'integer')
    .addColumn('catch_up', 'text', (c) => c.notNull().check(sql`catch_up in ('skip', 'latest', 'all')`))
    .addColumn('catch_up_cap', 'integer', (c) => c.notNull().defaultTo(1000))
    .addColumn('max_run_s', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('check_id', 'uuid', (c) => c.references('checks.id').onDelete('set null'))
    // Slots at or before known_since are never run: a new job does not backfill.
    .addColumn('known_since', 'timestamptz', (c) => c.notNull())
    // The newest slot handed out; only moves forward.
    .addColumn('watermark', 'timestamptz')
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('jobs_schedule_or_interval', sql`(schedule is null) <> (interval_s is null)`)
    .execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('job_key', 'text', (c) => c.notNull().references('jobs.key').onDelete('cascade'))
    .addColumn('slot_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'running', 'succeeded', 'failed', 'timed_out', 'skipped')`),
    )
    .addColumn('run_id', 'uuid', (c) => c.notNull())
    .addColumn('instance_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('catch_up', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('not_before', 'timestamptz')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    // How long the slot waited past its time before it started (catch-up, overrun of the previous slot).
    .addColumn('delay_ms', 'bigint')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_runs_pk', ['job_key', 'slot_at'])
    .execute();
  await sql`create index job_runs_open_idx on job_runs (job_key, slot_at) where state in ('pending', 'running')`.execute(db);
}
