import { ok, type Api } from './http.js';

/** A tenant made through the API (with `key`, else the client's default key), as its creation answered once: with api_key and ping_key. */
export async function newTenant(
  api: Api,
  slug: string,
  opts: { key?: string; timezone?: string; currency?: string } = {},
): Promise<{ id: string; slug: string; api_key: string; ping_key: string }> {
  const body = { slug, name: slug, timezone: opts.timezone ?? 'Europe/Berlin', currency: opts.currency ?? 'EUR' };
  return ok(api('POST', '/api/v1/tenants', body, opts.key), 201);
}

export interface BillingSetup {
  tenant(body: Record<string, unknown>): Promise<{ id: string; slug: string; api_key: string }>;
  account(key: string, body?: Record<string, unknown>): Promise<{ id: string }>;
  subscription(key: string, body: Record<string, unknown>): Promise<{ id: string; next_period_start: string; status: string }>;
  topUp(key: string, accountId: string, amount: number, reference: string): Promise<any>;
  run(key: string, slot: string): Promise<{ created: number; existing: number; paid: number; notices: number }>;
}

/** Tenants, accounts, subscriptions, top-ups and invoice runs through /api/v1, each expected to succeed. */
export function billingSetup(api: Api, admin: string): BillingSetup {
  let n = 0;
  return {
    tenant: (body) => ok(api('POST', '/api/v1/tenants', body, admin), 201),
    account: (key, body = {}) => {
      n++;
      return ok(api('POST', '/api/v1/accounts', { name: `Customer ${n}`, email: `c${n}@example.com`, ...body }, key), 201);
    },
    subscription: (key, body) => ok(api('POST', '/api/v1/subscriptions', { description: 'Fibre 100', ...body }, key), 201),
    topUp: (key, accountId, amount, reference) => ok(api('POST', `/api/v1/accounts/${accountId}/top-ups`, { amount, reference }, key)),
    run: (key, slot) => ok(api('POST', '/api/v1/invoice-runs', { slot }, key), 200),
  };
}
