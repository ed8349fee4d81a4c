import { sql, type Kysely } from 'kysely';

// The public page only by choice: each component says how its automatic incidents go public
// (at once, after a delay if still failing, or as a draft an operator publishes) and how they are
// titled; an incident is a draft until `published_at`, and a delayed one is due at `publish_at`.
// Incidents that exist at upgrade were public already. A source holds at most one open incident
// per page (it was one in all): an expectation evaluated for every tenant can be listed on each
// tenant's page, and each page gets its own incident. Parked signals get an index for the
// operator's list. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('components')
    .addColumn('auto_incident', 'text', (c) => c.notNull().defaultTo('publish').check(sql`auto_incident in ('publish', 'delay', 'draft')`))
    .addColumn('publish_after', 'integer', (c) => c.check(sql`publish_after between 1 and 86400`))
    .addColumn('incident_template', 'text')
    .execute();
  await sql`alter table components add constraint components_delay_check check (auto_incident <> 'delay' or publish_after is not null)`.execute(db);

  await db.schema.alterTable('incidents').addColumn('published_at', 'timestamptz').addColumn('publish_at', 'timestamptz').execute();
  await sql`update incidents set published_at = created_at`.execute(db);
  await sql`create index incidents_draft_due_idx on incidents (publish_at) where published_at is null and publish_at is not null`.execute(db);

  await db.schema.alterTable('incident_sources').addColumn('page_id', 'uuid').execute();
  await sql`update incident_sources x set page_id = i.page_id from incidents i where i.id = x.incident_id`.execute(db);
  await sql`alter table incident_sources alter column page_id set not null`.execute(db);
  await sql`drop index incident_sources_open_uq`.execute(db);
  await sql`create unique index incident_sources_open_uq on incident_sources (source, page_id) where open`.execute(db);

  await sql`create index signals_parked_idx on signals (id) where parked_at is not null`.execute(db);
}
