import { sql, type Kysely } from 'kysely';

// Notifications: status page subscribers (email and webhook), the delivery outbox, and the local
// mailbox used when no SMTP server is configured. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subscribers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('page_id', 'uuid', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
    .addColumn('email', 'text')
    .addColumn('url', 'text')
    // The webhook signing secret (whsec_…): needed to sign, so kept; shown to the owner once.
    .addColumn('secret', 'text')
    // Empty = every component of the page, including ones added later.
    .addColumn('component_ids', sql`uuid[]`, (c) => c.notNull())
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('unsubscribed_at', 'timestamptz')
    .addColumn('quarantined_at', 'timestamptz')
    .addColumn('failing_since', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index subscribers_email_uq on subscribers (page_id, lower(email)) where channel = 'email'`.execute(db);

  // One row per (event, recipient): the outbox.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
    .addColumn('subscriber_id', 'uuid')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'sending', 'sent', 'failed', 'dead', 'skipped')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('deliveries_event_recipient_uq', ['event_key', 'recipient'])
    .execute();
  await sql`create index deliveries_due_idx on deliveries (next_attempt_at) where state in ('pending', 'failed', 'sending')`.execute(db);
  await db.schema.createIndex('deliveries_state_idx').on('deliveries').columns(['state', 'created_at']).execute();

  await db.schema
    .createTable('mailbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull())
    .addColumn('to', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('headers', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
