import { sql, type Kysely } from 'kysely';

// Expectations engine: definitions synced from checks/, evaluation results, per-expectation
// state for thresholds, the remediation ledger, and the signals incidents consume. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('expectations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('component', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('slots', 'freshness', 'volume', 'invariant')`))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('platform', 'forEachTenant')`))
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('minor', 'major', 'critical')`))
    .addColumn('schedule', 'jsonb', (c) => c.notNull())
    .addColumn('failure_threshold', 'integer', (c) => c.notNull().check(sql`failure_threshold between 1 and 720`))
    .addColumn('recovery_threshold', 'integer', (c) => c.notNull().check(sql`recovery_threshold between 1 and 720`))
    .addColumn('remediation', 'text')
    .addColumn('source_file', 'text', (c) => c.notNull())
    // Hash of the definition's declarative parts: a changed file updates the row.
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('expectation_results')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('expectation_id', 'text', (c) => c.notNull().references('expectations.id'))
    .addColumn('evaluated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('pass', 'warn', 'fail', 'error', 'unknown')`))
    .addColumn('observed_value', 'bigint')
    .addColumn('failing_count', 'integer', (c) => c.notNull())
    .addColumn('sample', 'jsonb', (c) => c.notNull())
    // Failing rows per tenant ({"<tenant id>": n}; "platform" for rows without a tenant).
    .addColumn('by_tenant', 'jsonb', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('schedule', 'api', 'reverify')`))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('expectation_results_idx').on('expectation_results').columns(['expectation_id', 'id']).execute();

  await db.schema
    .createTable('expectation_states')
    .addColumn('expectation_id', 'text', (c) => c.primaryKey().references('expectations.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('passing', 'failing')`))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('consecutive_passes', 'integer', (c) => c.notNull())
    .addColumn('last_outcome', 'text')
    .addColumn('last_result_id', 'bigint')
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_evaluated_at', 'timestamptz')
    // When evaluation resumed after a gap (our own outage): slots in the gap get a fresh grace from here.
    .addColumn('resumed_at', 'timestamptz')
    .addColumn('gap_start', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // One repair per (expectation, tenant, slot): claimed by a guarded insert, never repeated once it succeeded.
  await db.schema
    .createTable('remediations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('expectation_id', 'text', (c) => c.notNull().references('expectations.id'))
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('slot', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('running', 'succeeded', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('claimed_by', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('remediations_uq', ['expectation_id', 'tenant_id', 'slot'])
    .execute();

  await db.schema
    .createTable('signals')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('failing', 'update', 'recovered')`))
    .addColumn('tenant_id', 'uuid')
    .addColumn('component', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('evidence', 'jsonb', (c) => c.notNull())
    .addColumn('likely_cause', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .execute();
  await sql`create index signals_unprocessed_idx on signals (id) where processed_at is null`.execute(db);
  await db.schema.createIndex('signals_source_idx').on('signals').columns(['source', 'id']).execute();
}
