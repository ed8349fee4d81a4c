import { sql, type Kysely } from 'kysely';

// The operator console's sign-in: server-side sessions (only a hash of the cookie's random id is
// stored; idle and absolute expiry; a CSRF token per session) and failed sign-ins per client
// address, counted in the database so the limit holds across instances. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'uuid', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_seen_idx').on('console_sessions').column('last_seen_at').execute();

  await db.schema
    .createTable('console_sign_in_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index console_sign_in_failures_idx on console_sign_in_failures (address, at)`.execute(db);
}
