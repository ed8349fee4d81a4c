import { sql, type Kysely } from 'kysely';

// Silences (issue 19): a pause may end by itself (`paused_until`); a maintenance window on a
// component holds its checks' deadlines until the window ends (`silenced_until`); after either,
// the next down flip says so (`silence_note`). Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table checks add column paused_until timestamptz`.execute(db);
  await sql`alter table checks add column silenced_until timestamptz`.execute(db);
  await sql`alter table checks add column silence_note text not null default ''`.execute(db);
}
