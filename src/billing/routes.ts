import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import { respondWithSecrets } from '../auth/shown-once.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/app.js';
import { requireApiKey } from '../http/middleware/api-key.js';
import { idempotency } from '../http/middleware/idempotency.js';
import { apiRouter, errors, IdempotencyHeader, jsonResponse, requestJson, listOf, operation, pageQuery, pathParams, z } from '../http/openapi.js';
import { Account, CreateAccount, CreateTenant, LedgerEntry, Tenant, TopUp, TopUpResult } from './api-schemas.js';
import type { Logger } from '../logger.js';
import { AMOUNT_RULE, amountJson, parseAmount } from './money.js';
import { accountBalance, balanceHistory, createAccount, createTenant, findAccount, findTenant, topUp } from './service.js';
import { parseTenantInput } from './tenant-input.js';
import { invoiceJson } from './invoice-routes.js';
import { Invoice } from './api-schemas.js';
import { listInvoices } from './invoice-store.js';
import { assertTenantCurrency, decodeCursor, jsonBody, nextCursor, pageLimit, tenantOfKey, UUID } from './route-helpers.js';
import { pageAccounts, pageTenants, type AccountRow, type TenantRow } from './tenant-store.js';

function tenantJson(t: TenantRow): z.infer<typeof Tenant> {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    timezone: t.timezone,
    currency: t.currency,
    currency_exponent: t.currency_exponent,
    invoice_schedule: t.invoice_schedule,
    invoice_grace: t.invoice_grace_s,
    due_days: t.due_days,
    reminder_days: t.reminder_days,
    expiry_grace_days: t.expiry_grace_days,
    created_at: t.created_at.toISOString(),
  };
}

function accountJson(a: AccountRow, tenant: TenantRow, balance: bigint): z.infer<typeof Account> {
  return { id: a.id, name: a.name, email: a.email, external_id: a.external_id, balance: amountJson(balance), currency: tenant.currency, created_at: a.created_at.toISOString() };
}

/** Tenants (admin), accounts, balances and top-ups (tenant keys; another tenant's ids are 404). */
export function billingRoutes(deps: { db: Kysely<Database>; clock: Clock; logger: Logger; onTenantCreated?: () => void }): OpenAPIHono<AppEnv> {
  const { db, clock } = deps;
  const app = apiRouter<AppEnv>().basePath('/api/v1');
  const id = pathParams({ id: 'uuid' });
  const tenantKeyOnly = errors({ 403: 'Not a tenant key' });
  const auth = requireApiKey(db);
  const idem = idempotency(deps);

  const tenantOf = tenantOfKey(db);
  const accountOf = async (c: Context<AppEnv>, tenant: TenantRow): Promise<AccountRow> => {
    const id = c.req.param('id') ?? '';
    const account = UUID.test(id) ? await findAccount(db, tenant.id, id) : undefined;
    if (!account) throw new AppError('not_found', `no account ${id}`);
    return account;
  };

  operation(app, {
    method: 'post',
    path: '/tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant (admin key); the answer carries its api_key and ping_key, shown once',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(CreateTenant) },
    responses: {
      201: jsonResponse(Tenant.extend({ api_key: z.string(), ping_key: z.string() }), 'The tenant, with its first API key and its ping key (shown this once)'),
      ...errors({ 403: 'Not the admin key', 409: 'Slug taken' }),
    },
  }, async (c) => {
    if (c.get('principal').kind !== 'admin') throw new AppError('forbidden', 'creating tenants needs the admin key');
    const input = parseTenantInput(await jsonBody(c));
    if ('error' in input) throw new AppError('validation_failed', input.error);
    const { tenant, apiKey, pingKey } = await createTenant(db, input, clock.now());
    deps.onTenantCreated?.();
    return respondWithSecrets(c, 201, { ...tenantJson(tenant), ping_key: pingKey, api_key: apiKey }, ['api_key', 'ping_key']);
  });

  // The admin key lists every tenant (?slug= finds one); a tenant key lists its own.
  operation(app, {
    method: 'get',
    path: '/tenants',
    operationId: 'listTenants',
    summary: 'Tenants, newest first: every tenant for the admin key, its own for a tenant key',
    middleware: auth,
    request: { query: z.object({ slug: z.string().optional().openapi({ maxLength: 63, description: 'Only the tenant with this slug' }), ...pageQuery(500) }) },
    responses: { 200: jsonResponse(listOf(Tenant), 'A page of tenants') },
  }, async (c) => {
    const p = c.get('principal');
    const slug = c.req.query('slug');
    if (slug !== undefined && (slug.length === 0 || slug.length > 63)) throw new AppError('bad_request', 'slug must be 1 to 63 characters');
    if (p.kind !== 'admin' && !p.tenantId) throw new AppError('forbidden', 'listing tenants needs the admin key or a tenant key');
    const limit = pageLimit(c);
    const rows = await pageTenants(db, { ...(slug !== undefined && { slug }), ...(p.kind !== 'admin' && { id: p.tenantId! }) }, limit, decodeCursor(c.req.query('cursor')));
    return c.json({ data: rows.map(tenantJson), next_cursor: nextCursor(rows, limit) });
  });

  operation(app, {
    method: 'get',
    path: '/tenants/{id}',
    operationId: 'getTenant',
    summary: "A tenant (admin key, or that tenant's key)",
    middleware: auth,
    request: { params: id },
    responses: { 200: jsonResponse(Tenant, 'The tenant'), ...errors({ 404: 'Not found or not yours' }) },
  }, async (c) => {
    const p = c.get('principal');
    const id = c.req.param('id')!;
    const tenant = UUID.test(id) && (p.kind === 'admin' || p.tenantId === id) ? await findTenant(db, id) : undefined;
    if (!tenant) throw new AppError('not_found', `no tenant ${id}`);
    return c.json(tenantJson(tenant));
  });

  operation(app, {
    method: 'post',
    path: '/accounts',
    operationId: 'createAccount',
    summary: 'Create a customer account (tenant key)',
    middleware: [auth, idem],
    request: { headers: IdempotencyHeader, body: requestJson(CreateAccount) },
    responses: { 201: jsonResponse(Account, 'The account, with balance'), ...tenantKeyOnly, ...errors({ 409: 'external_id taken' }) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const b = (await jsonBody(c)) as Record<string, unknown>;
    if (typeof b?.name !== 'string' || b.name.trim() === '' || b.name.length > 200) throw new AppError('validation_failed', 'name must be a non-empty string of at most 200 characters');
    if (typeof b.email !== 'string' || !/^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/.test(b.email) || b.email.length > 254) throw new AppError('validation_failed', 'email must be an email address');
    if (b.external_id !== undefined && b.external_id !== null && (typeof b.external_id !== 'string' || b.external_id.length === 0 || b.external_id.length > 200)) {
      throw new AppError('validation_failed', 'external_id must be a string of 1 to 200 characters');
    }
    const account = await createAccount(db, tenant.id, { name: b.name.trim(), email: b.email, externalId: (b.external_id as string | undefined) ?? null }, clock.now());
    return c.json(accountJson(account, tenant, 0n), 201);
  });

  // ?email= matches whatever the case; ?external_id= the tenant's own customer id.
  operation(app, {
    method: 'get',
    path: '/accounts',
    operationId: 'listAccounts',
    summary: "The tenant's customer accounts with their balances, newest first (tenant key)",
    middleware: auth,
    request: {
      query: z.object({
        email: z.string().optional().openapi({ maxLength: 254, description: 'Only accounts with this address, whatever its case' }),
        external_id: z.string().optional().openapi({ maxLength: 200 }),
        ...pageQuery(500),
      }),
    },
    responses: { 200: jsonResponse(listOf(Account), 'A page of accounts'), ...tenantKeyOnly },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const email = c.req.query('email');
    const externalId = c.req.query('external_id');
    if (email !== undefined && (email.length === 0 || email.length > 254)) throw new AppError('bad_request', 'email must be 1 to 254 characters');
    if (externalId !== undefined && (externalId.length === 0 || externalId.length > 200)) throw new AppError('bad_request', 'external_id must be 1 to 200 characters');
    const limit = pageLimit(c);
    const filter = { ...(email !== undefined && { email }), ...(externalId !== undefined && { externalId }) };
    const rows = await pageAccounts(db, tenant, filter, limit, decodeCursor(c.req.query('cursor')));
    return c.json({ data: rows.map((a) => accountJson(a, tenant, BigInt(a.balance ?? 0))), next_cursor: nextCursor(rows, limit) });
  });

  operation(app, {
    method: 'get',
    path: '/accounts/{id}',
    operationId: 'getAccount',
    summary: 'An account with its balance and open invoices',
    middleware: auth,
    request: { params: id },
    responses: { 200: jsonResponse(Account.extend({ open_invoices: z.array(Invoice) }), 'The account'), ...tenantKeyOnly, ...errors([404]) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const account = await accountOf(c, tenant);
    const open = await listInvoices(db, tenant.id, { accountId: account.id, status: 'open' }, 100);
    return c.json({ ...accountJson(account, tenant, await accountBalance(db, tenant, account.id)), open_invoices: open.map(invoiceJson) });
  });

  operation(app, {
    method: 'get',
    path: '/accounts/{id}/ledger',
    operationId: 'listAccountLedger',
    summary: "Movements of the account's balance, newest first",
    middleware: auth,
    request: { params: id, query: z.object(pageQuery(500)) },
    responses: { 200: jsonResponse(listOf(LedgerEntry), 'A page of ledger entries'), ...tenantKeyOnly, ...errors([404]) },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const account = await accountOf(c, tenant);
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 50) || 50, 1), 500);
    const cursorRaw = c.req.query('cursor');
    if (cursorRaw !== undefined && !/^[0-9]{1,18}$/.test(cursorRaw)) throw new AppError('bad_request', 'cursor must be a next_cursor value');
    const rows = await balanceHistory(db, tenant, account.id, limit, cursorRaw === undefined ? undefined : BigInt(cursorRaw));
    return c.json({
      data: rows.map((r) => ({
        entry_id: r.id.toString(),
        transaction_id: r.transaction_id,
        kind: r.kind,
        status: r.status,
        direction: r.direction,
        amount: amountJson(r.amount),
        currency: r.currency,
        reference: r.reference_id,
        effective_at: r.effective_at.toISOString(),
      })),
      next_cursor: rows.length === limit ? rows[rows.length - 1]!.id.toString() : null,
    });
  });

  operation(app, {
    method: 'post',
    path: '/accounts/{id}/top-ups',
    operationId: 'topUpAccount',
    summary: 'Credit the balance from an external payment; the same reference never credits twice',
    description: 'A top-up pays open invoices it covers in full, oldest first.',
    middleware: [auth, idem],
    request: { params: id, headers: IdempotencyHeader, body: requestJson(TopUp) },
    responses: {
      201: jsonResponse(TopUpResult, 'Credited'),
      200: jsonResponse(TopUpResult, 'Already credited for this reference'),
      ...tenantKeyOnly,
      ...errors({ 404: 'No such account', 409: 'The reference was credited with another amount' }),
    },
  }, async (c) => {
    const tenant = await tenantOf(c);
    const account = await accountOf(c, tenant);
    const b = (await jsonBody(c)) as Record<string, unknown>;
    assertTenantCurrency(b, tenant);
    const amount = parseAmount(b?.amount);
    if (amount === undefined) throw new AppError('validation_failed', `amount must be ${AMOUNT_RULE}`);
    if (typeof b.reference !== 'string' || b.reference.length === 0 || b.reference.length > 200) throw new AppError('validation_failed', 'reference must be the payment reference, 1 to 200 characters');
    const result = await topUp(db, tenant, account.id, { amount, reference: b.reference }, clock.now());
    return c.json(
      { transaction_id: result.transactionId, account_id: account.id, amount: amountJson(amount), currency: tenant.currency, balance: amountJson(result.balance), settled_invoices: result.settled } satisfies z.infer<typeof TopUpResult>,
      result.replayed ? 200 : 201,
    );
  });

  return app;
}
