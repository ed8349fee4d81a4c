import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReminders } from '../../src/billing/dunning.js';
import { backend } from '../support/db.js';
import { billingFixture, type BillingFixture } from './support.js';

// The second incident report: auto-renewal with too little balance left unpaid invoices,
// no reminder went out, top-ups did not settle them, and customers could not pay directly.
describe(`the second incident, replayed on ${backend}`, () => {
  let f: BillingFixture;
  let key: string;
  beforeAll(async () => {
    f = await billingFixture('2025-05-01T06:00:00Z');
    key = (await f.tenant({ slug: 'hostco', name: 'HostCo', timezone: 'America/Chicago', currency: 'USD' })).api_key;
  });
  afterAll(() => f?.close());

  const notices = async (invoiceId: string) => (await f.ok(f.call('GET', `/api/v1/notices?invoice=${invoiceId}`, undefined, key))).data as { kind: string; offset: string | null; payload: any }[];

  it('low balance: the renewal invoice stays open with one insufficient-balance notice; the top-up pays it and extends service', async () => {
    const low = await f.account(key);
    const rich = await f.account(key);
    await f.topUp(key, low.id, 500, 'tx-low-1');
    await f.topUp(key, rich.id, 5000, 'tx-rich-1');
    const lowSub = await f.subscription(key, { account_id: low.id, amount: 1000, interval: 'month', anchor: '2025-05-01' });
    const richSub = await f.subscription(key, { account_id: rich.id, amount: 1000, interval: 'month', anchor: '2025-05-01' });

    await f.o.clock.jump(new Date('2025-05-01T07:00:30Z'));
    expect(await f.run(key, '2025-05-01T07:00:00Z')).toEqual({ tenant: 'hostco', slot: '2025-05-01T07:00:00.000Z', created: 2, existing: 0, paid: 1, notices: 1 });

    // The covered renewal was paid from balance at once and service runs to the period's end.
    const richAfter = await f.ok(f.call('GET', `/api/v1/subscriptions/${richSub.id}`, undefined, key));
    expect(richAfter).toMatchObject({ status: 'active', service_expires_at: '2025-06-01T05:00:00.000Z' });
    expect((await f.ok(f.call('GET', `/api/v1/accounts/${rich.id}`, undefined, key))).balance).toBe(4000);

    // The uncovered one is open, with exactly one notice saying why.
    const account = await f.ok(f.call('GET', `/api/v1/accounts/${low.id}`, undefined, key));
    expect(account.balance).toBe(500);
    expect(account.open_invoices).toHaveLength(1);
    const invoice = account.open_invoices[0];
    expect(invoice).toMatchObject({ status: 'open', amount_due: 1000, amount_remaining: 1000, due_at: '2025-05-08T05:00:00.000Z' });
    let sent = await notices(invoice.id);
    expect(sent.map((n) => n.kind)).toEqual(['insufficient_balance']);
    expect(sent[0]!.payload).toMatchObject({ amount_due: '1000', balance: '500', currency: 'USD' });

    // Running the slot again, and the reminder job, add no second insufficient-balance notice.
    expect(await f.run(key, '2025-05-01T07:00:00Z')).toMatchObject({ created: 0, existing: 2, paid: 0, notices: 0 });
    await recordReminders(f.t.db, f.o.clock.now());
    sent = await notices(invoice.id);
    expect(sent.filter((n) => n.kind === 'insufficient_balance')).toHaveLength(1);
    expect(sent.filter((n) => n.kind === 'due_reminder').map((n) => n.offset)).toEqual(['7d']);

    // The customer tops up: the same transaction settles the open invoice.
    await f.o.clock.advance(3_600_000);
    const topUp = await f.topUp(key, low.id, 600, 'tx-low-2');
    expect(topUp).toMatchObject({ balance: 100, settled_invoices: [invoice.id] });
    const paid = await f.ok(f.call('GET', `/api/v1/invoices/${invoice.id}`, undefined, key));
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1000, amount_remaining: 0, paid_at: '2025-05-01T08:00:30.000Z' });
    expect(paid.payments).toMatchObject([{ method: 'balance', status: 'succeeded', source: 'top_up', amount: 1000 }]);
    expect(await f.ok(f.call('GET', `/api/v1/subscriptions/${lowSub.id}`, undefined, key))).toMatchObject({ status: 'active', service_expires_at: '2025-06-01T05:00:00.000Z' });

    // Later jobs find nothing more to say about a paid invoice.
    await f.o.clock.jump(new Date('2025-05-07T12:00:00Z'));
    await recordReminders(f.t.db, f.o.clock.now());
    expect((await notices(invoice.id)).map((n) => n.kind).sort()).toEqual(['due_reminder', 'insufficient_balance', 'receipt']);
  });

  it('next month: a balance short again gets a new invoice and its own notice; the customer pays it directly', async () => {
    await f.o.clock.jump(new Date('2025-06-01T07:00:10Z'));
    const run = await f.run(key, '2025-06-01T07:00:00Z');
    expect(run).toMatchObject({ created: 2, paid: 1, notices: 1 });
    const open = (await f.ok(f.call('GET', '/api/v1/invoices?status=open', undefined, key))).data;
    expect(open).toHaveLength(1);
    expect((await notices(open[0].id)).map((n) => n.kind)).toEqual(['insufficient_balance']);
    const paid = await f.ok(f.call('POST', `/api/v1/invoices/${open[0].id}/pay`, { method: 'combined', external: { amount: 900, reference: 'card-77' } }, key));
    expect(paid).toMatchObject({ status: 'paid', payment: { method: 'combined', balance_amount: 100, external_amount: 900 } });
    const sub = await f.ok(f.call('GET', `/api/v1/subscriptions/${paid.subscription_id}`, undefined, key));
    expect(sub.service_expires_at).toBe('2025-07-01T05:00:00.000Z');
  });
});
