import { sql, type Kysely } from 'kysely';

// Status badges (issue 19): one random badge id per owner (a tenant, or the platform for
// tenant_id null). The id names the owner in public badge URLs; it grants nothing alone, since
// every badge URL also carries an HMAC of (id, tag) under the service's badge secret. So the
// table holds no secret. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table badge_keys (
      badge_id text primary key,
      tenant_id uuid,
      created_at timestamptz not null
    )`.execute(db);
  // One badge id per owner; the platform (null) is one owner too. Leading column tenant_id.
  await sql`create unique index badge_keys_tenant_uq on badge_keys (tenant_id) nulls not distinct`.execute(db);
}
