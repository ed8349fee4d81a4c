import { sql, type Kysely } from 'kysely';

// List routes (issue 18): tenants newest first, subscriptions per tenant newest first, accounts by
// e-mail whatever its case. Accounts per tenant by (created_at, id) exist since 0005. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index tenants_created_idx on tenants (created_at, id)`.execute(db);
  await sql`create index subscriptions_tenant_created_idx on subscriptions (tenant_id, created_at, id)`.execute(db);
  await sql`create index accounts_tenant_email_idx on accounts (tenant_id, lower(email))`.execute(db);
}
