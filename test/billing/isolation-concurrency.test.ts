import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, onPostgres } from '../support/db.js';
import { billingFixture, type BillingFixture } from './support.js';

describe(`tenant isolation and concurrent money movements on ${backend}`, () => {
  let f: BillingFixture;
  let a: { id: string; slug: string; api_key: string };
  let b: { id: string; slug: string; api_key: string };
  beforeAll(async () => {
    f = await billingFixture('2025-03-01T00:00:00Z');
    a = await f.tenant({ slug: 'tenant-a', name: 'A', timezone: 'UTC', currency: 'USD' });
    b = await f.tenant({ slug: 'tenant-b', name: 'B', timezone: 'Europe/Paris', currency: 'EUR' });
  });
  afterAll(() => f?.close());

  it("a tenant key never reads or touches another tenant's data (404, never 403)", async () => {
    const account = await f.account(a.api_key);
    await f.topUp(a.api_key, account.id, 5000, 'a-1');
    const sub = await f.subscription(a.api_key, { account_id: account.id, amount: 100, interval: 'day', anchor: '2025-02-28', auto_renew: false });
    await f.run(a.api_key, '2025-03-01T00:00:00Z');
    const [invoice] = (await f.ok(f.call('GET', '/api/v1/invoices', undefined, a.api_key))).data;

    const reads = [`/accounts/${account.id}`, `/accounts/${account.id}/ledger`, `/subscriptions/${sub.id}`, `/invoices/${invoice.id}`, `/tenants/${a.id}`];
    for (const path of reads) expect((await f.call('GET', '/api/v1' + path, undefined, b.api_key)).status, path).toBe(404);
    const writes: [string, unknown][] = [
      [`/accounts/${account.id}/top-ups`, { amount: 1, reference: 'x' }],
      [`/invoices/${invoice.id}/pay`, { method: 'balance' }],
      [`/invoices/${invoice.id}/void`, {}],
      [`/subscriptions/${sub.id}/cancel`, { at_period_end: false }],
      ['/subscriptions', { account_id: account.id, description: 'x', amount: 5, interval: 'day' }],
      ['/invoice-runs', { tenant: a.slug, slot: '2025-03-01T00:00:00Z' }],
    ];
    for (const [path, body] of writes) expect((await f.call('POST', '/api/v1' + path, body, b.api_key)).status, path).toBe(404);
    expect((await f.ok(f.call('GET', `/api/v1/invoices?account=${account.id}`, undefined, b.api_key))).data).toEqual([]);
    expect((await f.ok(f.call('GET', '/api/v1/notices', undefined, b.api_key))).data).toEqual([]);
    // Nothing changed for A.
    expect(await f.ok(f.call('GET', `/api/v1/invoices/${invoice.id}`, undefined, a.api_key))).toMatchObject({ status: 'open' });
    expect(await f.ok(f.call('GET', `/api/v1/subscriptions/${sub.id}`, undefined, a.api_key))).toMatchObject({ status: 'active' });
    expect((await f.ok(f.call('GET', `/api/v1/accounts/${account.id}`, undefined, a.api_key))).balance).toBe(5000);
  });

  it.skipIf(!onPostgres)('concurrent top-ups and payments on one account never double-spend; the ledger sums hold', async () => {
    const account = await f.account(b.api_key);
    await f.subscription(b.api_key, { account_id: account.id, amount: 100, interval: 'day', anchor: '2025-02-10', auto_renew: false });
    expect((await f.run(b.api_key, '2025-03-01T00:00:00Z')).created).toBe(20);
    const invoices = (await f.ok(f.call('GET', `/api/v1/invoices?account=${account.id}&limit=100`, undefined, b.api_key))).data as { id: string }[];

    // 12 top-ups of 100 race 20 balance payments and 20 combined payments of the same invoices.
    const requests = [
      ...Array.from({ length: 12 }, (_, i) => f.call('POST', `/api/v1/accounts/${account.id}/top-ups`, { amount: 100, reference: `race-${i}` }, b.api_key)),
      ...invoices.map((inv) => f.call('POST', `/api/v1/invoices/${inv.id}/pay`, { method: 'balance' }, b.api_key)),
      ...invoices.map((inv, i) => f.call('POST', `/api/v1/invoices/${inv.id}/pay`, { method: 'combined', external: { amount: 100, reference: `combo-${i}` } }, b.api_key)),
    ];
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);

    const paid = await f.t.db.selectFrom('invoices').select(['id']).where('account_id', '=', account.id).where('status', '=', 'paid').execute();
    const payments = await f.t.db.selectFrom('invoice_payments').selectAll().where('account_id', '=', account.id).where('status', '=', 'succeeded').execute();
    expect(payments).toHaveLength(paid.length);
    expect(new Set(payments.map((p) => p.invoice_id)).size).toBe(paid.length);
    const fromBalance = payments.reduce((s, p) => s + BigInt(p.balance_amount), 0n);
    const balance = (await f.ok(f.call('GET', `/api/v1/accounts/${account.id}`, undefined, b.api_key))).balance;
    expect(BigInt(balance)).toBe(1200n - fromBalance);
    expect(BigInt(balance)).toBeGreaterThanOrEqual(0n);
    expect(paid.length).toBeGreaterThanOrEqual(12);
    expect(payments.some((p) => p.method === 'combined')).toBe(true);

    // Every posted transaction balances, and every cached total equals its entries.
    const unbalanced = await sql<{ id: string }>`
      select t.id from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
      where t.tenant_id = ${b.id} group by t.id
      having sum(case when e.direction = 'debit' then e.amount else -e.amount end) <> 0`.execute(f.t.db);
    expect(unbalanced.rows).toEqual([]);
    const drift = await sql<{ code: string }>`
      select a.code from ledger_accounts a
      left join (
        select e.account_id,
               sum(e.amount) filter (where e.direction = 'debit' and t.status = 'posted') as pd,
               sum(e.amount) filter (where e.direction = 'credit' and t.status = 'posted') as pc,
               sum(e.amount) filter (where e.direction = 'debit' and t.status = 'pending') as qd
        from ledger_entries e join ledger_transactions t on t.id = e.transaction_id group by e.account_id
      ) s on s.account_id = a.id
      where a.tenant_id = ${b.id}
        and (a.posted_debits <> coalesce(s.pd, 0) or a.posted_credits <> coalesce(s.pc, 0) or a.pending_debits <> coalesce(s.qd, 0))`.execute(f.t.db);
    expect(drift.rows).toEqual([]);
  });
});
