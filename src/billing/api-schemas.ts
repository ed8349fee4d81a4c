import { instant, z } from '../http/openapi.js';

/**
 * The billing API's request and response schemas: the OpenAPI document is
 * rendered from them, request bodies are checked against them before a
 * handler runs (the handlers' own checks add the finer rules), and the
 * routes' `…Json` functions are typed by them, so the document cannot drift
 * from what is answered.
 */

const uuid = () => z.string().openapi({ format: 'uuid' });
const at = () => instant();
const atOrNull = () => instant().nullable();

/** Minor units: a number while it is exact in JSON, else a string of digits. */
export const Amount = z.union([z.number().int(), z.string()]).openapi('Amount', { description: 'Minor units of the currency (a string of digits past 2^53)' });
/** A positive amount in a request. */
export const AmountIn = z
  .union([z.number().openapi({ type: 'integer', minimum: 1 }), z.string().openapi({ pattern: '^[0-9]+$' })])
  .openapi({ description: 'Minor units: a positive whole number, at most 10^16 (a JSON number, or a string of digits beyond 2^53)' });

export const Tenant = z
  .object({
    id: uuid(),
    slug: z.string(),
    name: z.string(),
    timezone: z.string(),
    currency: z.string(),
    currency_exponent: z.number().int(),
    invoice_schedule: z.string(),
    invoice_grace: z.number().int().openapi({ description: 'Seconds' }),
    due_days: z.number().int(),
    reminder_days: z.array(z.number().int()),
    expiry_grace_days: z.number().int(),
    created_at: at(),
  })
  .openapi('Tenant');

export const CreateTenant = z.object({
  slug: z.string().openapi({ pattern: '^[a-z0-9][a-z0-9-]{1,49}$' }),
  name: z.string().min(1).max(200),
  timezone: z.string().openapi({ description: 'IANA zone, e.g. America/Chicago' }),
  currency: z.string().openapi({ description: 'ISO 4217, e.g. USD' }),
  invoice_schedule: z.string().optional().openapi({ default: '0 2 * * *', description: 'Cron, in the tenant zone' }),
  invoice_grace: z.number().int().min(1).max(31_536_000).optional().openapi({ default: 1800, description: 'Seconds' }),
  due_days: z.number().int().min(0).max(365).optional().openapi({ default: 7 }),
  reminder_days: z.array(z.number().int().min(0).max(365)).max(10).optional().openapi({ default: [7, 3, 1] }),
  expiry_grace_days: z.number().int().min(0).max(365).optional().openapi({ default: 7 }),
});

export const Account = z
  .object({ id: uuid(), name: z.string(), email: z.string(), external_id: z.string().nullable(), balance: Amount, currency: z.string(), created_at: at() })
  .openapi('Account');

export const CreateAccount = z.object({
  name: z.string().min(1).max(200),
  email: z.string().max(254).openapi({ format: 'email' }),
  external_id: z.string().min(1).max(200).nullable().optional().openapi({ description: "The tenant's own id of the customer; unique per tenant" }),
});

export const LedgerEntry = z
  .object({
    entry_id: z.string(),
    transaction_id: z.string(),
    kind: z.string(),
    status: z.enum(['pending', 'posted', 'voided']),
    direction: z.string(),
    amount: Amount,
    currency: z.string(),
    reference: z.string().nullable(),
    effective_at: at(),
  })
  .openapi('LedgerEntry');

export const TopUp = z.object({
  amount: AmountIn,
  reference: z.string().min(1).max(200).openapi({ description: 'The payment reference; the same one never credits twice' }),
  currency: z.string().optional().openapi({ description: "If given, the tenant's currency" }),
});

export const TopUpResult = z.object({
  transaction_id: z.string(),
  account_id: uuid(),
  amount: Amount,
  currency: z.string(),
  balance: Amount,
  settled_invoices: z.array(z.string()).openapi({ description: 'Open invoices the new balance paid, oldest first' }),
});

export const Subscription = z
  .object({
    id: uuid(),
    account_id: uuid(),
    description: z.string(),
    amount: Amount,
    currency: z.string(),
    interval: z.enum(['day', 'week', 'month', 'year']),
    interval_count: z.number().int(),
    anchor: at(),
    auto_renew: z.boolean(),
    status: z.enum(['active', 'past_due', 'canceled', 'expired']),
    service_expires_at: atOrNull(),
    next_period_start: at(),
    cancel_at: atOrNull(),
    canceled_at: atOrNull(),
    created_at: at(),
  })
  .openapi('Subscription');

export const CreateSubscription = z.object({
  account_id: uuid(),
  description: z.string().min(1).max(500),
  amount: AmountIn,
  interval: z.enum(['day', 'week', 'month', 'year']),
  interval_count: z.number().int().min(1).max(1000).optional().openapi({ default: 1 }),
  anchor: z.string().optional().openapi({ description: 'ISO 8601 instant with offset, or a date (local midnight in the tenant zone); default now' }),
  auto_renew: z.boolean().optional().openapi({ default: true }),
  currency: z.string().optional().openapi({ description: "If given, the tenant's currency" }),
});

export const Invoice = z
  .object({
    id: uuid(),
    account_id: uuid(),
    subscription_id: uuid().nullable(),
    status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']),
    period_start: at(),
    period_end: at(),
    amount_due: Amount,
    amount_paid: Amount,
    amount_remaining: Amount,
    currency: z.string(),
    issued_at: atOrNull(),
    due_at: at(),
    paid_at: atOrNull(),
    voided_at: atOrNull(),
    run_slot: atOrNull(),
    created_at: at(),
  })
  .openapi('Invoice');

export const Payment = z
  .object({
    id: uuid(),
    method: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    amount: Amount,
    balance_amount: Amount,
    external_amount: Amount,
    currency: z.string(),
    provider: z.string().nullable(),
    reference: z.string().nullable(),
    source: z.string(),
    failure_reason: z.string().nullable(),
    created_at: at(),
    completed_at: atOrNull(),
  })
  .openapi('Payment');

export const InvoiceDetail = Invoice.extend({
  payments: z.array(Payment),
  balance_applications: z.array(z.object({ payment_id: uuid(), amount: Amount, transaction_id: z.string().nullable(), applied_at: atOrNull() })),
});

const External = z.object({ amount: AmountIn, reference: z.string().min(1).max(200) });
export const PayInvoice = z
  .object({
    method: z.enum(['balance', 'external', 'combined']).openapi({ description: 'balance; external (amount, reference); combined (external: {amount, reference}): balance first, external the rest, all or nothing' }),
    amount: AmountIn.optional(),
    reference: z.string().optional(),
    external: External.optional(),
    currency: z.string().optional(),
  });

export const InvoiceRun = z.object({
  slot: z.string().openapi({ format: 'date-time', description: 'An ISO 8601 instant with offset, not in the future' }),
  tenant: z.string().optional().openapi({ description: 'Id or slug; required with the admin key' }),
});

export const InvoiceRunResult = z.object({ tenant: z.string(), slot: at(), created: z.number().int(), existing: z.number().int(), paid: z.number().int(), notices: z.number().int() });

export const Notice = z
  .object({
    id: uuid(),
    kind: z.enum(['insufficient_balance', 'due_reminder', 'overdue', 'receipt']),
    offset: z.string().nullable(),
    status: z.enum(['queued', 'sent', 'skipped', 'failed']),
    account_id: uuid(),
    invoice_id: uuid().nullable(),
    payload: z.unknown(),
    created_at: at(),
  })
  .openapi('Notice');
