import { sql, type Kysely } from 'kysely';

// A status page's own look (issue 16): a logo shown from the page's https URL and an accent
// colour (#rrggbb) for its links and buttons. Both optional; the API checks them. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table pages add column logo_url text`.execute(db);
  await sql`alter table pages add column accent_color text`.execute(db);
}
