import { sql, type Kysely } from 'kysely';

// The console's checks list (issue 16: paginated at 10,000 checks without slowing down). A page
// is, per state, a range of (tenant, status) read in (name, id) order up to the page size; late and
// up are both stored `up` and told apart by the deadline columns carried in the index, and a tag
// filter reads `tags` from it too, so a page is an index-only scan whatever the tenant's size.
//
// It replaces checks_tenant_idx (tenant_id, created_at): its tenant prefix is the same, and its
// created_at order served only the v3 list, which reads all of a tenant's checks and sorts them as
// cheaply. A ping's update of its check is not HOT (alert_after is indexed), so it writes every
// index of checks: trading one for the other keeps that at four. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index checks_console_list_idx on checks (tenant_id, status, name, id) include (alert_after, grace_s, tags)`.execute(db);
  await sql`drop index checks_tenant_idx`.execute(db);
}
