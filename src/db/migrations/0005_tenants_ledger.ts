import { sql, type Kysely } from 'kysely';

// Billing core, part 1: tenants, their customers' accounts, and a double-entry ledger. Append-only file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique().check(sql`slug ~ '^[a-z0-9][a-z0-9-]{1,49}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('currency_exponent', 'smallint', (c) => c.notNull().check(sql`currency_exponent between 0 and 4`))
    .addColumn('invoice_schedule', 'text', (c) => c.notNull())
    .addColumn('invoice_grace_s', 'integer', (c) => c.notNull().check(sql`invoice_grace_s >= 1`))
    .addColumn('due_days', 'integer', (c) => c.notNull().check(sql`due_days between 0 and 365`))
    .addColumn('reminder_days', sql`integer[]`, (c) => c.notNull())
    .addColumn('expiry_grace_days', 'integer', (c) => c.notNull().check(sql`expiry_grace_days between 0 and 365`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_tenant_idx').on('accounts').columns(['tenant_id', 'created_at', 'id']).execute();
  await sql`create unique index accounts_external_id_uq on accounts (tenant_id, external_id) where external_id is not null`.execute(db);

  // Ledger accounts: `customer:<account id>:prepaid`, `…:receivable`, `revenue`, `psp:<name>:clearing`, …
  await db.schema
    .createTable('ledger_accounts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('normal_balance', 'text', (c) => c.notNull().check(sql`normal_balance in ('debit', 'credit')`))
    .addColumn('allow_negative', 'boolean', (c) => c.notNull())
    .addColumn('posted_debits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('posted_credits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_debits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_credits', 'bigint', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('ledger_accounts_code_uq', ['tenant_id', 'code', 'currency'])
    .execute();

  await db.schema
    .createTable('ledger_transactions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull().references('tenants.id'))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'posted', 'voided')`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('reference_type', 'text')
    .addColumn('reference_id', 'text')
    .addColumn('effective_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('ledger_transactions_idem_uq', ['tenant_id', 'idempotency_key'])
    .execute();

  // Append-only: corrections are new transactions.
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tenant_id', 'uuid', (c) => c.notNull())
    .addColumn('transaction_id', 'uuid', (c) => c.notNull().references('ledger_transactions.id'))
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('debit', 'credit')`))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_tx_idx').on('ledger_entries').column('transaction_id').execute();
  await db.schema.createIndex('ledger_entries_account_idx').on('ledger_entries').columns(['tenant_id', 'account_id', 'id']).execute();
}
