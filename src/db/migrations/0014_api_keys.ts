import { sql, type Kysely } from 'kysely';

// API key management: when each key was last used, and where it came from (the configured admin
// key, the one generated at first start, or the API), so the start can rotate the configured key
// and the keys API can refuse revoking it. Rows from before are told apart by the names the
// bootstrap gave them. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table api_keys
      add column last_used_at timestamptz,
      add column origin text not null default 'api' check (origin in ('configured', 'generated', 'api'))`.execute(db);
  await sql`
    update api_keys set origin = case name
      when 'admin (OVERDUE_ADMIN_KEY)' then 'configured'
      when 'admin (generated at first start)' then 'generated'
      else 'api' end`.execute(db);
  // Only admin keys come from the configuration or the first start.
  await sql`alter table api_keys add constraint api_keys_origin_admin check (origin = 'api' or kind = 'admin')`.execute(db);
  // Lists are paged by (created_at, id), admin-wide or per tenant.
  await sql`create index api_keys_created_idx on api_keys (created_at, id)`.execute(db);
}
