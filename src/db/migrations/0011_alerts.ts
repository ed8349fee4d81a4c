import { sql, type Kysely } from 'kysely';

// Private alerting: the operators' channels (Slack, PagerDuty, email…), which channels each source
// alerts, the private alert events (from signals and from the service's own troubles), a second
// consumer cursor on signals for alerting, and per-signal retry/parking for the incident loop.
// The outbox gains deliveries to alert channels. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_channels')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // null: the platform's own channel (admin key).
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('email', 'webhook', 'slack', 'discord', 'msteams', 'pagerduty', 'ntfy')`))
    .addColumn('name', 'text', (c) => c.notNull())
    // The part of the configuration that may be shown again (no secrets).
    .addColumn('config', 'jsonb', (c) => c.notNull())
    // The secret part (URLs that carry a token, routing keys, signing secrets), sealed with AES-256-GCM.
    .addColumn('sealed_secret', 'text')
    .addColumn('is_default', 'boolean', (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('failing_since', 'timestamptz')
    .addColumn('quarantined_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index alert_channels_name_uq on alert_channels (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))`.execute(db);

  // A source's chosen channels; a source without a row alerts its owner's default channels.
  await db.schema
    .createTable('alert_routing')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid')
    .addColumn('channel_ids', sql`uuid[]`, (c) => c.notNull())
    // Checks-as-code name their channels; a channel created later under that name is picked up.
    .addColumn('channel_names', sql`text[]`, (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid')
    .addColumn('source', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('signal_id', 'bigint', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('dispatched_at', 'timestamptz')
    .execute();
  await sql`create index alert_events_undispatched_idx on alert_events (id) where dispatched_at is null`.execute(db);
  await db.schema.createIndex('alert_events_tenant_idx').on('alert_events').columns(['tenant_id', 'id']).execute();

  await db.schema
    .alterTable('signals')
    .addColumn('alerted_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retry_at', 'timestamptz')
    .addColumn('parked_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  // What happened before alerting existed is history, not news.
  await sql`update signals set alerted_at = coalesce(processed_at, created_at)`.execute(db);
  await sql`create index signals_unalerted_idx on signals (id) where alerted_at is null`.execute(db);

  await sql`alter table deliveries drop constraint deliveries_channel_check`.execute(db);
  await sql`alter table deliveries add constraint deliveries_channel_check check (channel in ('email', 'webhook', 'alert'))`.execute(db);
  await db.schema.alterTable('deliveries').addColumn('channel_id', 'uuid').execute();
  await sql`create index deliveries_channel_idx on deliveries (channel_id) where channel_id is not null and state in ('pending', 'failed')`.execute(db);
}
