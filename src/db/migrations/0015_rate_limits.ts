import { sql, type Kysely } from 'kysely';

// Rate limits that hold across instances: one counter per bucket and fixed window, bumped with an
// upsert, so every instance sees every hit. Old windows are pruned hourly. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table rate_limits (
      bucket text not null,
      window_start timestamptz not null,
      hits integer not null,
      primary key (bucket, window_start)
    )`.execute(db);
  await sql`create index rate_limits_window_idx on rate_limits (window_start)`.execute(db);
}
