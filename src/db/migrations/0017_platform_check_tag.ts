import { sql, type Kysely } from 'kysely';

// Overdue's own checks (each scheduler job's heartbeat, the scheduler tick) get the tag
// overdue-platform, which the v3 list leaves out unless asked for (issue 18): they were mixed
// into the user's checks. New ones are created with it. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update checks set tags = trim(tags || ' overdue-platform')
    where (id in (select check_id from jobs where check_id is not null)
           or (tenant_id is null and slug = 'overdue-scheduler'))
      and not ('overdue-platform' = any(string_to_array(tags, ' ')))`.execute(db);
}
