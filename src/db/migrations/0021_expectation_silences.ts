import { sql, type Kysely } from 'kysely';

// A maintenance window on a component holds its expectations' failing flips as it holds its
// checks' deadlines (issue 19): `silenced_until` is the end of the window that held the last
// evaluation, `silence_note` what the flip after it says. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table expectation_states add column silenced_until timestamptz`.execute(db);
  await sql`alter table expectation_states add column silence_note text not null default ''`.execute(db);
}
