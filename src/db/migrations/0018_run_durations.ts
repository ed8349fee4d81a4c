import { sql, type Kysely } from 'kysely';

// Run durations (issue 19): each success or fail ping that closes a run stores the run's
// duration; a check keeps its open runs (by run id, '' for runs without one) so concurrent
// runs close their own start, and may say how long a run should take at least and at most.
// Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table pings add column duration_ms bigint`.execute(db);
  await sql`alter table checks add column open_runs jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table checks add column min_duration_s integer check (min_duration_s between 1 and 31536000)`.execute(db);
  await sql`alter table checks add column max_duration_s integer check (max_duration_s between 1 and 31536000)`.execute(db);
  await sql`alter table checks add constraint checks_duration_range_ck check (min_duration_s < max_duration_s)`.execute(db);
}
