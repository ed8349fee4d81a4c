import { sql, type Kysely } from 'kysely';

// Incidents and status pages: pages, components (and the monitors feeding them), incidents and
// scheduled maintenances with their updates, the component status log behind uptime bars, and
// the notification events the notifications feature delivers. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique().check(sql`slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'uuid', (c) => c.references('tenants.id'))
    // Bumped in the same transaction as anything the page shows: caches compare it.
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('components')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('page_id', 'uuid', (c) => c.notNull().references('pages.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('is_group', 'boolean', (c) => c.notNull())
    .addColumn('group_id', 'uuid', (c) => c.references('components.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('only_show_if_degraded', 'boolean', (c) => c.notNull())
    .addColumn('showcase', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')`),
    )
    .addColumn('start_date', 'date')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('components_page_idx').on('components').columns(['page_id', 'position']).execute();

  // Monitors feeding a component: "check:<uuid>" or "expectation:<id>".
  await db.schema
    .createTable('component_sources')
    .addColumn('component_id', 'uuid', (c) => c.notNull().references('components.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('component_sources_pk', ['component_id', 'source'])
    .execute();
  await db.schema.createIndex('component_sources_source_idx').on('component_sources').column('source').execute();

  // Every status a component took, from when: the uptime bars' raw data (small: one row per change).
  await db.schema
    .createTable('component_status_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('component_id', 'uuid', (c) => c.notNull().references('components.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('component_status_log_idx').on('component_status_log').columns(['component_id', 'at']).execute();

  // Incidents and scheduled maintenances (Statuspage's model: a maintenance is an incident with a window).
  await db.schema
    .createTable('incidents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('page_id', 'uuid', (c) => c.notNull().references('pages.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('incident', 'maintenance')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('investigating', 'identified', 'monitoring', 'resolved', 'postmortem', 'scheduled', 'in_progress', 'verifying', 'completed')`),
    )
    .addColumn('impact', 'text', (c) => c.notNull().check(sql`impact in ('none', 'minor', 'major', 'critical', 'maintenance')`))
    .addColumn('shortlink', 'text', (c) => c.notNull())
    .addColumn('automatic', 'boolean', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('monitoring_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('scheduled_until', 'timestamptz')
    .addColumn('postmortem_body', 'text')
    .addColumn('postmortem_published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_page_idx').on('incidents').columns(['page_id', 'kind', 'created_at']).execute();

  // Monitors an automatic incident is about; one open incident per source.
  await db.schema
    .createTable('incident_sources')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('open', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_sources_pk', ['incident_id', 'source'])
    .execute();
  await sql`create unique index incident_sources_open_uq on incident_sources (source) where open`.execute(db);

  // What an incident does to each component now (the worst open one sets the component's status).
  await db.schema
    .createTable('incident_components')
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('component_id', 'uuid', (c) => c.notNull().references('components.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_components_pk', ['incident_id', 'component_id'])
    .execute();
  await db.schema.createIndex('incident_components_component_idx').on('incident_components').column('component_id').execute();

  await db.schema
    .createTable('incident_updates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('incident_id', 'uuid', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('affected_components', 'jsonb')
    .addColumn('deliver_notifications', 'boolean', (c) => c.notNull())
    .addColumn('display_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incident_updates_incident_idx').on('incident_updates').columns(['incident_id', 'display_at']).execute();

  // Events for subscribers (incident.created, incident.updated, incident.resolved, component.updated,
  // maintenance.*), written in the transaction of the change; the notifications feature fans them out.
  await db.schema
    .createTable('notification_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('page_id', 'uuid', (c) => c.notNull())
    .addColumn('incident_id', 'uuid')
    .addColumn('update_id', 'uuid')
    .addColumn('component_id', 'uuid')
    .addColumn('component_ids', sql`uuid[]`, (c) => c.notNull())
    // component.updated: the change it reports.
    .addColumn('old_status', 'text')
    .addColumn('new_status', 'text')
    .addColumn('deliver', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('fanned_out_at', 'timestamptz')
    .execute();
  await sql`create index notification_events_pending_idx on notification_events (id) where fanned_out_at is null`.execute(db);
}
