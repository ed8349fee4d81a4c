import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, listOf, operation, pageQuery, pathParams, requestJson, z } from '../http/openapi.js';
import { CreateSubscription, Invoice, InvoiceDetail, InvoiceRun, InvoiceRunResult as RunResult, Notice, PayInvoice, Payment, Subscription } from './api-schemas.js';
import type { Logger } from '../logger.js';
import type { InvoiceRunResult } from './invoice-run.js';
import { findInvoice, invoicePayments, listInvoices, type InvoiceRow, type PaymentRow } from './invoice-store.js';
import { AMOUNT_RULE, amountJson, parseAmount } from './money.js';
import { listNotices } from './notice-store.js';
import { payInvoice, voidInvoice, type PayRequest } from './payments.js';
import type { PaymentProvider } from './providers.js';
import { assertTenantCurrency, decodeCursor, encodeCursor, iso, jsonBody, nextCursor, pageLimit, pathId, tenantOfKey, UUID } from './route-helpers.js';
import { parseSubscriptionInput } from './subscription-input.js';
import { pageSubscriptions, type SubscriptionRow } from './subscription-store.js';
import { cancel, createSubscription, findSubscription } from './subscriptions.js';
import type { InvoiceStatus, SubscriptionStatus } from './table.js';
import { findTenant, findTenantBySlug, type TenantRow } from './tenant-store.js';

export function subscriptionJson(s: SubscriptionRow): z.infer<typeof Subscription> {
  return {
    id: s.id,
    account_id: s.account_id,
    description: s.description,
    amount: amountJson(BigInt(s.amount)),
    currency: s.currency,
    interval: s.interval,
    interval_count: s.interval_count,
    anchor: s.anchor.toISOString(),
    auto_renew: s.auto_renew,
    status: s.status,
    service_expires_at: iso(s.service_expires_at),
    next_period_start: s.next_period_start.toISOString(),
    cancel_at: iso(s.ends_at),
    canceled_at: iso(s.canceled_at),
    created_at: s.created_at.toISOString(),
  };
}

export function invoiceJson(i: InvoiceRow): z.infer<typeof Invoice> {
  return {
    id: i.id,
    account_id: i.account_id,
    subscription_id: i.subscription_id,
    status: i.status,
    period_start: i.period_start.toISOString(),
    period_end: i.period_end.toISOString(),
    amount_due: amountJson(BigInt(i.amount_due)),
    amount_paid: amountJson(BigInt(i.amount_paid)),
    amount_remaining: amountJson(i.status === 'void' ? 0n : BigInt(i.amount_due) - BigInt(i.amount_paid)),
    currency: i.currency,
    issued_at: iso(i.issued_at),
    due_at: i.due_at.toISOString(),
    paid_at: iso(i.paid_at),
    voided_at: iso(i.voided_at),
    run_slot: iso(i.run_slot),
    created_at: i.created_at.toISOString(),
  };
}

function paymentJson(p: PaymentRow): z.infer<typeof Payment> {
  return {
    id: p.id,
    method: p.method,
    status: p.status,
    amount: amountJson(BigInt(p.amount)),
    balance_amount: amountJson(BigInt(p.balance_amount)),
    external_amount: amountJson(BigInt(p.external_amount)),
    currency: p.currency,
    provider: p.provider,
    reference: p.external_reference,
    source: p.source,
    failure_reason: p.failure_reason,
    created_at: p.created_at.toISOString(),
    completed_at: iso(p.completed_at),
  };
}

const STATUSES: readonly InvoiceStatus[] = ['draft', 'open', 'paid', 'void', 'uncollectible'];
const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ['active', 'past_due', 'canceled', 'expired'];

function parseExternal(v: unknown, where: string): { amount: bigint; reference: string } {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const amount = parseAmount(o.amount);
  if (amount === undefined) throw new AppError('validation_failed', `${where}amount must be ${AMOUNT_RULE}`);
  if (typeof o.reference !== 'string' || o.reference.length === 0 || o.reference.length > 200) throw new AppError('validation_failed', `${where}reference must be the external payment's reference, 1 to 200 characters`);
  return { amount, reference: o.reference };
}

export function parsePayRequest(b: Record<string, unknown>): PayRequest {
  if (b.method === 'balance') return { method: 'balance' };
  if (b.method === 'external') return { method: 'external', ...parseExternal(b, '') };
  if (b.method === 'combined') return { method: 'combined', external: parseExternal(b.external, 'external.') };
  throw new AppError('validation_failed', 'method must be one of balance, external, combined');
}

/** Subscriptions, invoices, payments, invoice runs and notices (tenant keys; invoice runs also admin). */
export function invoiceRoutes(deps: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  provider: PaymentProvider;
  runInvoices: (tenant: TenantRow, slot: Date) => Promise<InvoiceRunResult>;
}): OpenAPIHono<AppEnv> {
  const { db, clock } = deps;
  const app = apiRouter<AppEnv>().basePath('/api/v1');
  const id = pathParams({ id: 'uuid' });
  const tenantKeyOnly = errors({ 403: 'Not a tenant key' });
  const filterId = (description: string) => z.string().optional().openapi({ format: 'uuid', description });
  const auth = requireApiKey(db);
  const idem = idempotency(deps);
  const tenantOf = tenantOfKey(db);

  operation(app, {
    method: 'post',
    path: '/subscriptions',
    operationId: 'createSubscription',
    summary: 'Create a subscription; period boundaries follow the anchor in the tenant zone',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(CreateSubscription) },
    responses: { 201: jsonResponse(Subscription, 'The subscription'), ...tenantKeyOnly, ...errors({ 404: 'No such account' }) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const body = await jsonBody(c);
    assertTenantCurrency(body, tenant);
    const input = parseSubscriptionInput(body, tenant.timezone, clock.now());
    if ('error' in input) throw new AppError('validation_failed', input.error);
    return c.json(subscriptionJson(await createSubscription(db, tenant, input, clock.now())), 201);
  });

  operation(app, {
    method: 'get',
    path: '/subscriptions',
    operationId: 'listSubscriptions',
    summary: "The tenant's subscriptions, newest first",
    middleware: auth,
    request: { query: z.object({ account: filterId('Only this account’s'), status: z.enum(['active', 'past_due', 'canceled', 'expired']).optional(), ...pageQuery(500) }) },
    responses: { 200: jsonResponse(listOf(Subscription), 'A page of subscriptions'), ...tenantKeyOnly },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const account = c.req.query('account');
    const status = c.req.query('status');
    if (account !== undefined && !UUID.test(account)) throw new AppError('bad_request', 'account must be an account id');
    if (status !== undefined && !SUBSCRIPTION_STATUSES.includes(status as SubscriptionStatus)) throw new AppError('bad_request', `status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
    const limit = pageLimit(c);
    const rows = await pageSubscriptions(db, tenant.id, { ...(account !== undefined && { accountId: account }), ...(status !== undefined && { status: status as SubscriptionStatus }) }, limit, decodeCursor(c.req.query('cursor')));
    return c.json({ data: rows.map(subscriptionJson), next_cursor: nextCursor(rows, limit) });
  });

  operation(app, {
    method: 'get',
    path: '/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'A subscription',
    middleware: auth,
    request: { params: id },
    responses: { 200: jsonResponse(Subscription, 'The subscription'), ...tenantKeyOnly, ...errors([404]) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const id = pathId(c, 'subscription');
    const sub = await findSubscription(db, tenant.id, id);
    if (!sub) throw new AppError('not_found', `no subscription ${id}`);
    return c.json(subscriptionJson(sub));
  });

  operation(app, {
    method: 'post',
    path: '/subscriptions/{id}/cancel',
    operationId: 'cancelSubscription',
    summary: 'Cancel at period end, or now (voids open invoices of periods not started)',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader, body: requestJson(z.object({ at_period_end: z.boolean() })) },
    responses: {
      200: jsonResponse(Subscription.extend({ voided_invoices: z.array(z.string()) }), 'The subscription, with the invoices voided'),
      ...tenantKeyOnly,
      ...errors({ 404: 'Not found', 409: 'Already canceled or expired' }),
    },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const id = pathId(c, 'subscription');
    const b = await jsonBody(c);
    if (typeof b.at_period_end !== 'boolean') throw new AppError('validation_failed', 'at_period_end must be true or false');
    const { subscription, voided } = await cancel(db, tenant, id, b.at_period_end, clock.now());
    return c.json({ ...subscriptionJson(subscription), voided_invoices: voided });
  });

  operation(app, {
    method: 'get',
    path: '/invoices',
    operationId: 'listInvoices',
    summary: 'Invoices, newest period first',
    middleware: auth,
    request: {
      query: z.object({
        account: filterId('Only this account’s'),
        subscription: filterId('Only this subscription’s'),
        status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']).optional(),
        ...pageQuery(500),
      }),
    },
    responses: { 200: jsonResponse(listOf(Invoice), 'A page of invoices'), ...tenantKeyOnly },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const account = c.req.query('account');
    const subscription = c.req.query('subscription');
    const status = c.req.query('status');
    if (account !== undefined && !UUID.test(account)) throw new AppError('bad_request', 'account must be an account id');
    if (subscription !== undefined && !UUID.test(subscription)) throw new AppError('bad_request', 'subscription must be a subscription id');
    if (status !== undefined && !STATUSES.includes(status as InvoiceStatus)) throw new AppError('bad_request', `status must be one of ${STATUSES.join(', ')}`);
    const limit = pageLimit(c);
    const rows = await listInvoices(db, tenant.id, { accountId: account, subscriptionId: subscription, status: status as InvoiceStatus | undefined }, limit, decodeCursor(c.req.query('cursor')));
    const last = rows[rows.length - 1];
    return c.json({ data: rows.map(invoiceJson), next_cursor: last && rows.length === limit ? encodeCursor(last.period_start, last.id) : null });
  });

  operation(app, {
    method: 'get',
    path: '/invoices/{id}',
    operationId: 'getInvoice',
    summary: 'An invoice with its payments and balance applications',
    middleware: auth,
    request: { params: id },
    responses: { 200: jsonResponse(InvoiceDetail, 'The invoice'), ...tenantKeyOnly, ...errors([404]) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const id = pathId(c, 'invoice');
    const invoice = await findInvoice(db, tenant.id, id);
    if (!invoice) throw new AppError('not_found', `no invoice ${id}`);
    const payments = await invoicePayments(db, tenant.id, id);
    return c.json({
      ...invoiceJson(invoice),
      payments: payments.map(paymentJson),
      // What the customer's balance paid toward it (posted only; a pending reservation is not applied yet).
      balance_applications: payments
        .filter((p) => p.status === 'succeeded' && BigInt(p.balance_amount) > 0n)
        .map((p) => ({ payment_id: p.id, amount: amountJson(BigInt(p.balance_amount)), transaction_id: p.balance_transaction_id, applied_at: iso(p.completed_at) })),
    });
  });

  operation(app, {
    method: 'post',
    path: '/invoices/{id}/pay',
    operationId: 'payInvoice',
    summary: 'Pay from balance, externally, or combined (balance first, external the rest; all or nothing)',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader, body: requestJson(PayInvoice) },
    responses: {
      200: jsonResponse(Invoice.extend({ payment: Payment }), 'The paid invoice with the payment'),
      ...tenantKeyOnly,
      ...errors({ 402: 'payment_declined: the external part was declined; nothing applied', 404: 'Not found', 409: 'invalid_state, insufficient_balance, amount_mismatch or payment_in_progress' }),
    },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const id = pathId(c, 'invoice');
    const body = await jsonBody(c);
    assertTenantCurrency(body, tenant);
    const req = parsePayRequest(body);
    const { invoice, payment } = await payInvoice(deps, tenant, id, req, () => clock.now());
    return c.json({ ...invoiceJson(invoice), payment: paymentJson(payment) });
  });

  operation(app, {
    method: 'post',
    path: '/invoices/{id}/void',
    operationId: 'voidInvoice',
    summary: 'Void a draft or open invoice',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader },
    responses: { 200: jsonResponse(Invoice, 'The void invoice'), ...tenantKeyOnly, ...errors({ 404: 'Not found', 409: 'Not draft or open, or a payment is in flight' }) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const id = pathId(c, 'invoice');
    return c.json(invoiceJson(await voidInvoice(db, tenant, id, clock.now())));
  });

  // The repair entry point: a tenant key runs its own tenant; the admin key names any.
  operation(app, {
    method: 'post',
    path: '/invoice-runs',
    operationId: 'runInvoices',
    summary: "Run a tenant's invoice run for a slot now (idempotent; the repair entry point)",
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(InvoiceRun) },
    responses: { 200: jsonResponse(RunResult, 'What the run did'), ...errors({ 404: 'No such tenant' }) },
  }, async (c) => {
    const p = c.get('principal');
    const b = await jsonBody(c);
    if (typeof b.slot !== 'string' || Number.isNaN(Date.parse(b.slot)) || !/T.*(Z|[+-]\d{2}:\d{2})$/.test(b.slot)) {
      throw new AppError('validation_failed', 'slot must be an ISO 8601 instant with offset');
    }
    const slot = new Date(b.slot);
    if (slot > clock.now()) throw new AppError('validation_failed', 'slot must not be in the future');
    let tenant: TenantRow | undefined;
    if (p.kind === 'admin') {
      if (typeof b.tenant !== 'string') throw new AppError('validation_failed', 'tenant must be a tenant id or slug');
      tenant = UUID.test(b.tenant) ? await findTenant(db, b.tenant) : await findTenantBySlug(db, b.tenant);
    } else {
      const own = await tenantOf(c);
      if (b.tenant !== undefined && b.tenant !== own.id && b.tenant !== own.slug) throw new AppError('not_found', `no tenant ${String(b.tenant)}`);
      tenant = own;
    }
    if (!tenant) throw new AppError('not_found', `no tenant ${String(b.tenant)}`);
    const result = await deps.runInvoices(tenant, slot);
    return c.json({ tenant: tenant.slug, slot: slot.toISOString(), created: result.created, existing: result.existing, paid: result.paid, notices: result.notices });
  });

  operation(app, {
    method: 'get',
    path: '/notices',
    operationId: 'listNotices',
    summary: 'Billing notices (insufficient balance, due reminders, overdue, receipts), newest first',
    middleware: auth,
    request: { query: z.object({ invoice: filterId('Only this invoice’s'), account: filterId('Only this account’s'), ...pageQuery(500) }) },
    responses: { 200: jsonResponse(listOf(Notice), 'A page of notices'), ...tenantKeyOnly },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const limit = pageLimit(c);
    const rows = await listNotices(db, tenant.id, { invoiceId: queryId(c, 'invoice'), accountId: queryId(c, 'account') }, limit, decodeCursor(c.req.query('cursor')));
    return c.json({
      data: rows.map((n) => ({ id: n.id, kind: n.kind, offset: n.offset_key || null, status: n.status, account_id: n.account_id, invoice_id: n.invoice_id, payload: n.payload, created_at: n.created_at.toISOString() })),
      next_cursor: rows.length === limit ? encodeCursor(rows[rows.length - 1]!.created_at, rows[rows.length - 1]!.id) : null,
    });
  });

  return app;
}

function queryId(c: Context, name: string): string | undefined {
  const v = c.req.query(name);
  if (v !== undefined && !UUID.test(v)) throw new AppError('bad_request', `${name} must be an id`);
  return v;
}
