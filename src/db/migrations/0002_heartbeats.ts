import { sql, type Kysely } from 'kysely';

// Heartbeat checks, their pings and flips (state changes). Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A ping key per tenant (null = the platform), for /ping/<ping_key>/<slug> URLs.
  await db.schema
    .createTable('ping_keys')
    .addColumn('ping_key', 'text', (c) => c.primaryKey().check(sql`ping_key ~ '^[a-z0-9]{22}$'`))
    .addColumn('tenant_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index ping_keys_tenant_uq on ping_keys ((coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)))`.execute(db);

  await db.schema
    .createTable('checks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid')
    .addColumn('ping_key', 'text', (c) => c.notNull().references('ping_keys.ping_key'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('slug', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('simple', 'cron')`))
    .addColumn('timeout_s', 'integer', (c) => c.notNull().check(sql`timeout_s between 1 and 31536000`))
    .addColumn('grace_s', 'integer', (c) => c.notNull().check(sql`grace_s between 1 and 31536000`))
    .addColumn('schedule', 'text', (c) => c.notNull().defaultTo('* * * * *'))
    .addColumn('tz', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('methods', 'text', (c) => c.notNull().defaultTo('').check(sql`methods in ('', 'POST')`))
    .addColumn('manual_resume', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('filter_http_body', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('filter_default_fail', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('start_kw', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('success_kw', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('failure_kw', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('failure_threshold', 'smallint', (c) => c.notNull().defaultTo(1).check(sql`failure_threshold between 1 and 720`))
    .addColumn('recovery_threshold', 'smallint', (c) => c.notNull().defaultTo(1).check(sql`recovery_threshold between 1 and 720`))
    .addColumn('component_id', 'uuid')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('new').check(sql`status in ('new', 'up', 'down', 'paused')`))
    .addColumn('last_ping', 'timestamptz')
    .addColumn('last_start', 'timestamptz')
    .addColumn('last_start_rid', 'uuid')
    .addColumn('last_duration_ms', 'bigint')
    // Where the schedule counts from: the latest run credited (scheduled_for, or arrival), or a missed slot.
    .addColumn('reference_at', 'timestamptz')
    // Newest last: s = success, f = fail, m = missed deadline or run timeout.
    .addColumn('recent_outcomes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('n_pings', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('has_confirmation_link', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('alert_after', 'timestamptz')
    // Set when a deadline was re-armed because Overdue itself was down; the next flip says so.
    .addColumn('rearmed_after_outage', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checks_tenant_idx').on('checks').columns(['tenant_id', 'created_at']).execute();
  await db.schema.createIndex('checks_ping_key_slug_idx').on('checks').columns(['ping_key', 'slug']).execute();
  // The alert evaluator's scan: only checks that can still go down.
  await sql`create index checks_alert_after_idx on checks (alert_after) where status <> 'down' and alert_after is not null`.execute(db);

  await db.schema
    .createTable('pings')
    .addColumn('check_id', 'uuid', (c) => c.notNull().references('checks.id').onDelete('cascade'))
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.check(sql`kind in ('start', 'fail', 'log', 'ign')`))
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('remote_addr', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('ua', 'text', (c) => c.notNull())
    .addColumn('body', 'bytea')
    .addColumn('exitstatus', 'smallint')
    .addColumn('rid', 'uuid')
    .addColumn('scheduled_for', 'timestamptz')
    .addPrimaryKeyConstraint('pings_pk', ['check_id', 'n'])
    .execute();

  await db.schema
    .createTable('flips')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('check_id', 'uuid', (c) => c.notNull().references('checks.id').onDelete('cascade'))
    .addColumn('tenant_id', 'uuid')
    // When the change happened: the deadline for timeouts, not when it was detected.
    .addColumn('created', 'timestamptz', (c) => c.notNull())
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed', 'timestamptz')
    .addColumn('old_status', 'text', (c) => c.notNull())
    .addColumn('new_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('flips_check_idx').on('flips').columns(['check_id', 'created']).execute();
  await sql`create index flips_unprocessed_idx on flips (id) where processed is null`.execute(db);
}
