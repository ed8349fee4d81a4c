import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceSubscriptionStates } from '../../src/billing/dunning.js';
import { backend } from '../support/db.js';
import { idempotent, type Reply } from '../support/http.js';
import { billingFixture, type BillingFixture } from './support.js';

const START = '2025-05-01T12:00:00Z';
const NOW = new Date(START).toISOString();
const ACME = { slug: 'acme', name: 'Acme ISP', timezone: 'America/Chicago', currency: 'USD' };

async function expectError(res: Promise<Reply> | Reply, status: number, code: string): Promise<any> {
  const r = await res;
  const body = r.body;
  expect([r.status, body?.error?.code]).toEqual([status, code]);
  return body;
}

/** Helpers bound to one fixture and tenant key. */
function helpers(fx: () => BillingFixture, key: () => string) {
  const get = (path: string, k = key()) => fx().ok(fx().call('GET', '/api/v1' + path, undefined, k));
  const balanceOf = async (accountId: string) => (await get(`/accounts/${accountId}`)).balance;
  /**
   * An account (topped up with `balance` before it is billed) and the open invoice of
   * a monthly subscription's started period (anchored 2025-04-15, no auto-renew).
   */
  async function billed(amount: number, balance = 0, k = key()) {
    const f = fx();
    const account = await f.account(k);
    if (balance > 0) await f.topUp(k, account.id, balance, `seed-${account.id}`);
    const sub = await f.subscription(k, { account_id: account.id, amount, interval: 'month', anchor: '2025-04-15', auto_renew: false });
    await f.run(k, f.o.clock.now().toISOString());
    const { data } = await get(`/invoices?subscription=${sub.id}`, k);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ status: 'open', amount_due: amount, amount_paid: 0, period_start: '2025-04-15T05:00:00.000Z', period_end: '2025-05-15T05:00:00.000Z' });
    return { account, sub, invoice: data[0] };
  }
  return { get, balanceOf, billed };
}

describe(`paying and voiding invoices on ${backend}`, () => {
  let f: BillingFixture;
  let key: string;
  let tenantId: string;
  const { get, balanceOf, billed } = helpers(
    () => f,
    () => key,
  );
  const pay = (id: string, body: unknown, idem?: string) => f.call('POST', `/api/v1/invoices/${id}/pay`, body, key, idem ? idempotent(idem) : undefined);
  const voidIt = (id: string, k = key) => f.call('POST', `/api/v1/invoices/${id}/void`, undefined, k);
  const paymentRows = (invoiceId: string) => f.t.db.selectFrom('invoice_payments').selectAll().where('invoice_id', '=', invoiceId).orderBy('created_at').execute();
  const ledgerTxCount = async () => (await f.t.db.selectFrom('ledger_transactions').select('id').where('tenant_id', '=', tenantId).execute()).length;

  /** Posted entries balance, cached totals match them, and no reservation is left pending. */
  async function ledgerHolds() {
    const sums = await f.t.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .where('e.tenant_id', '=', tenantId)
      .where('t.status', '=', 'posted')
      .select((eb) => ['e.direction', eb.fn.sum<string>('e.amount').as('total')])
      .groupBy('e.direction')
      .execute();
    const by = Object.fromEntries(sums.map((s) => [s.direction, BigInt(s.total)]));
    expect(by.debit).toBeGreaterThan(0n);
    expect(by.debit).toBe(by.credit);
    const accounts = await f.t.db.selectFrom('ledger_accounts').selectAll().where('tenant_id', '=', tenantId).execute();
    expect(accounts.filter((a) => a.pending_debits !== 0n || a.pending_credits !== 0n).map((a) => a.code)).toEqual([]);
    expect(accounts.reduce((s, a) => s + a.posted_debits, 0n)).toBe(by.debit);
    expect(accounts.reduce((s, a) => s + a.posted_credits, 0n)).toBe(by.credit);
  }

  beforeAll(async () => {
    f = await billingFixture(START);
    ({ id: tenantId, api_key: key } = await f.tenant(ACME));
  });
  afterAll(() => f?.close());

  it('balance: pays in full, the balance drops by exactly the amount, service runs to the period end', async () => {
    const { account, sub, invoice } = await billed(1000, 2500);
    expect(await balanceOf(account.id)).toBe(2500);
    const paid = await f.ok(pay(invoice.id, { method: 'balance' }), 200);
    expect(paid).toMatchObject({ id: invoice.id, status: 'paid', amount_due: 1000, amount_paid: 1000, amount_remaining: 0, paid_at: NOW });
    expect(paid.payment).toMatchObject({ method: 'balance', status: 'succeeded', amount: 1000, balance_amount: 1000, external_amount: 0, source: 'api' });
    expect(await balanceOf(account.id)).toBe(1500);
    expect((await get(`/subscriptions/${sub.id}`)).service_expires_at).toBe(invoice.period_end);
    expect(await get(`/invoices/${invoice.id}`)).toMatchObject({ status: 'paid', balance_applications: [{ amount: 1000, payment_id: paid.payment.id }] });
  });

  it('balance: too little is 409 insufficient_balance and changes nothing', async () => {
    const { account, sub, invoice } = await billed(1000, 999);
    const body = await expectError(pay(invoice.id, { method: 'balance' }), 409, 'insufficient_balance');
    expect(body.error.message).toContain('999');
    expect(await get(`/invoices/${invoice.id}`)).toMatchObject({ status: 'open', amount_paid: 0, payments: [] });
    expect(await balanceOf(account.id)).toBe(999);
    expect(await paymentRows(invoice.id)).toHaveLength(0);
    expect((await get(`/subscriptions/${sub.id}`)).service_expires_at).toBeNull();
  });

  it('external: the amount due pays it; any other amount is 409 amount_mismatch and writes nothing', async () => {
    const { account, sub, invoice } = await billed(1000);
    const charges = f.provider.charges.length;
    for (const amount of [999, 1001, '100']) {
      await expectError(pay(invoice.id, { method: 'external', amount, reference: 'bank-1' }), 409, 'amount_mismatch');
    }
    expect(await paymentRows(invoice.id)).toHaveLength(0);
    expect(f.provider.charges.length).toBe(charges);

    const paid = await f.ok(pay(invoice.id, { method: 'external', amount: 1000, reference: 'bank-1' }), 200);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1000, amount_remaining: 0 });
    expect(paid.payment).toMatchObject({ method: 'external', status: 'succeeded', balance_amount: 0, external_amount: 1000, reference: 'bank-1', provider: 'test' });
    expect(f.provider.charges.slice(charges)).toEqual([expect.objectContaining({ invoiceId: invoice.id, amount: 1000n, reference: 'bank-1' })]);
    expect(await paymentRows(invoice.id)).toHaveLength(1);
    expect(await balanceOf(account.id)).toBe(0);
    expect((await get(`/subscriptions/${sub.id}`)).service_expires_at).toBe(invoice.period_end);
  });

  it('combined: the balance pays what it has, the provider the rest; both show on the invoice', async () => {
    const { account, invoice } = await billed(1000, 300);
    const charges = f.provider.charges.length;
    const paid = await f.ok(pay(invoice.id, { method: 'combined', external: { amount: 700, reference: 'card-1' } }), 200);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1000 });
    expect(paid.payment).toMatchObject({ method: 'combined', status: 'succeeded', amount: 1000, balance_amount: 300, external_amount: 700, reference: 'card-1' });
    expect(await balanceOf(account.id)).toBe(0);
    const seen = f.provider.charges.slice(charges);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ invoiceId: invoice.id, amount: 700n, reference: 'card-1' });
    const shown = await get(`/invoices/${invoice.id}`);
    expect(shown.balance_applications).toEqual([expect.objectContaining({ payment_id: paid.payment.id, amount: 300, applied_at: NOW })]);
    expect(shown.payments).toHaveLength(1);
    await ledgerHolds();
  });

  it('combined, declined: 402, the reservation is released and nothing applied; after succeed() it pays', async () => {
    const { account, sub, invoice } = await billed(1000, 300);
    f.provider.decline('card_declined');
    try {
      const body = await expectError(pay(invoice.id, { method: 'combined', external: { amount: 700, reference: 'card-2' } }), 402, 'payment_declined');
      expect(body.error.message).toContain('card_declined');
    } finally {
      f.provider.succeed();
    }
    expect(await get(`/invoices/${invoice.id}`)).toMatchObject({ status: 'open', amount_paid: 0, amount_remaining: 1000, balance_applications: [] });
    expect(await balanceOf(account.id)).toBe(300);
    expect((await get(`/subscriptions/${sub.id}`)).service_expires_at).toBeNull();
    const rows = await paymentRows(invoice.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', failure_reason: 'card_declined', balance_amount: 300n, external_amount: 700n });
    const reservation = await f.t.db.selectFrom('ledger_transactions').select('status').where('id', '=', rows[0]!.balance_transaction_id!).executeTakeFirstOrThrow();
    expect(reservation.status).toBe('voided');
    await ledgerHolds();
    // The 300 is available again: balance-only still falls short by the same amount as before.
    const short = await expectError(pay(invoice.id, { method: 'balance' }), 409, 'insufficient_balance');
    expect(short.error.message).toContain('(300)');

    // Were the 300 still reserved, the balance part would be 0 and 700 a mismatch.
    const paid = await f.ok(pay(invoice.id, { method: 'combined', external: { amount: 700, reference: 'card-2' } }), 200);
    expect(paid).toMatchObject({ status: 'paid', payment: { balance_amount: 300, external_amount: 700, status: 'succeeded' } });
    expect(await balanceOf(account.id)).toBe(0);
    expect((await paymentRows(invoice.id)).map((p) => p.status)).toEqual(['failed', 'succeeded']);
    await ledgerHolds();
  });

  it('paid and void are final: pay paid → 409, void open → void, pay void → 409, void paid → 409', async () => {
    const a = await billed(1000, 1000);
    await f.ok(pay(a.invoice.id, { method: 'balance' }), 200);
    await expectError(pay(a.invoice.id, { method: 'balance' }), 409, 'invalid_state');
    await expectError(pay(a.invoice.id, { method: 'external', amount: 1000, reference: 'late-1' }), 409, 'invalid_state');
    await expectError(voidIt(a.invoice.id), 409, 'invalid_state');
    expect(await get(`/invoices/${a.invoice.id}`)).toMatchObject({ status: 'paid', voided_at: null });

    const b = await billed(1000);
    const voided = await f.ok(voidIt(b.invoice.id), 200);
    expect(voided).toMatchObject({ id: b.invoice.id, status: 'void', voided_at: NOW, amount_paid: 0, amount_remaining: 0 });
    await expectError(pay(b.invoice.id, { method: 'external', amount: 1000, reference: 'late-2' }), 409, 'invalid_state');
    await expectError(voidIt(b.invoice.id), 409, 'invalid_state');
    // A top-up afterwards does not pay a void invoice either.
    const topUp = await f.topUp(key, b.account.id, 1000, 'after-void');
    expect(topUp).toMatchObject({ balance: 1000, settled_invoices: [] });
    await expectError(pay(b.invoice.id, { method: 'balance' }), 409, 'invalid_state');
    expect(await paymentRows(b.invoice.id)).toHaveLength(0);
    expect(await balanceOf(b.account.id)).toBe(1000);
  });

  it('Idempotency-Key: the same request replays the first response; a different body under the key is 422', async () => {
    const { account, invoice } = await billed(1000, 1000);
    const first = await pay(invoice.id, { method: 'balance' }, 'pay-once');
    const firstText = first.text;
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await pay(invoice.id, { method: 'balance' }, 'pay-once');
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(firstText);
    expect(JSON.parse(firstText)).toMatchObject({ status: 'paid' });
    expect(await paymentRows(invoice.id)).toHaveLength(1);
    expect(await balanceOf(account.id)).toBe(0);
    await expectError(pay(invoice.id, { method: 'external', amount: 1000, reference: 'bank-9' }, 'pay-once'), 422, 'unprocessable');
    expect(await paymentRows(invoice.id)).toHaveLength(1);
  });

  it('bad pay bodies are 400 and write nothing', async () => {
    const { account, invoice } = await billed(1000, 400);
    const charges = f.provider.charges.length;
    const txs = await ledgerTxCount();
    const ext = (amount: unknown) => ({ method: 'external', amount, reference: 'bank-x' });
    const bodies: unknown[] = [
      {},
      { method: 'cash' },
      { method: 'Balance' },
      ...[0, -5, 1.5, '12a', 2 ** 53, '1e3', '-5', null].map(ext),
      { method: 'external', amount: 1000 },
      { method: 'external', amount: 1000, reference: '' },
      { method: 'combined', amount: 600, reference: 'card-x' },
      { method: 'combined', external: { amount: 600 } },
      { method: 'combined', external: { amount: 0, reference: 'card-x' } },
      'not json',
      '[]',
    ];
    for (const body of bodies) {
      const res = await pay(invoice.id, body);
      const err = res.body.error;
      expect([JSON.stringify(body), res.status, ['validation_failed', 'bad_request'].includes(err?.code)]).toEqual([JSON.stringify(body), 400, true]);
    }
    expect(await get(`/invoices/${invoice.id}`)).toMatchObject({ status: 'open', amount_paid: 0, payments: [] });
    expect(await paymentRows(invoice.id)).toHaveLength(0);
    expect(await ledgerTxCount()).toBe(txs);
    expect(f.provider.charges.length).toBe(charges);
    expect(await balanceOf(account.id)).toBe(400);
  });

  it("non-UUID ids and another tenant's invoices are 404 for read, pay and void", async () => {
    const globex = await f.tenant({ ...ACME, slug: 'globex', name: 'Globex' });
    const theirs = (await billed(1000, 5000, globex.api_key)).invoice;
    for (const id of ['not-a-uuid', '42', '00000000-0000-0000-0000-000000000000', theirs.id]) {
      await expectError(f.call('GET', `/api/v1/invoices/${id}`, undefined, key), 404, 'not_found');
      await expectError(pay(id, { method: 'balance' }), 404, 'not_found');
      await expectError(voidIt(id), 404, 'not_found');
    }
    expect(await f.ok(f.call('GET', `/api/v1/invoices/${theirs.id}`, undefined, globex.api_key))).toMatchObject({ status: 'open', payments: [] });
  });
});

describe(`canceling subscriptions on ${backend}`, () => {
  let f: BillingFixture;
  let key: string;
  const { get, billed } = helpers(
    () => f,
    () => key,
  );
  const cancel = (id: string, body: unknown) => f.call('POST', `/api/v1/subscriptions/${id}/cancel`, body, key);
  const advance = () => advanceSubscriptionStates(f.t.db, f.o.clock.now());

  beforeAll(async () => {
    f = await billingFixture(START);
    key = (await f.tenant(ACME)).api_key;
  });
  afterAll(() => f?.close());

  it('immediately: canceled now, the started period keeps its open invoice; again is 409; at_period_end is required', async () => {
    const { sub, invoice } = await billed(1000);
    await expectError(cancel(sub.id, {}), 400, 'validation_failed');
    await expectError(cancel(sub.id, { at_period_end: 'yes' }), 400, 'validation_failed');
    expect(await get(`/subscriptions/${sub.id}`)).toMatchObject({ status: 'active', cancel_at: null, canceled_at: null });

    const res = await f.ok(cancel(sub.id, { at_period_end: false }), 200);
    expect(res).toMatchObject({ id: sub.id, status: 'canceled', canceled_at: NOW, cancel_at: NOW, voided_invoices: 0 });
    expect(await get(`/subscriptions/${sub.id}`)).toMatchObject({ status: 'canceled', canceled_at: NOW });
    expect((await get(`/invoices/${invoice.id}`)).status).toBe('open');
    await expectError(cancel(sub.id, { at_period_end: false }), 409, 'invalid_state');
    await expectError(cancel(sub.id, { at_period_end: true }), 409, 'invalid_state');
    await expectError(cancel('00000000-0000-0000-0000-000000000000', { at_period_end: true }), 404, 'not_found');
  });

  it('at period end: cancel_at is the next period start; active until then, canceled after, never billed again', async () => {
    const { sub, invoice } = await billed(1000);
    await f.ok(f.call('POST', `/api/v1/invoices/${invoice.id}/pay`, { method: 'external', amount: 1000, reference: 'bank-c1' }, key), 200);
    const res = await f.ok(cancel(sub.id, { at_period_end: true }), 200);
    expect(res).toMatchObject({ status: 'active', cancel_at: '2025-05-15T05:00:00.000Z', canceled_at: null, voided_invoices: 0 });
    expect(await get(`/subscriptions/${sub.id}`)).toMatchObject({ status: 'active', cancel_at: '2025-05-15T05:00:00.000Z' });

    await advance();
    expect((await get(`/subscriptions/${sub.id}`)).status).toBe('active');
    await f.o.clock.jump(new Date('2025-05-15T04:59:59Z'));
    await advance();
    expect((await get(`/subscriptions/${sub.id}`)).status).toBe('active');

    await f.o.clock.jump(new Date('2025-05-16T12:00:00Z'));
    expect((await advance()).canceled).toBe(1);
    expect(await get(`/subscriptions/${sub.id}`)).toMatchObject({ status: 'canceled', canceled_at: '2025-05-15T05:00:00.000Z' });
    await f.run(key, '2025-05-16T12:00:00Z');
    const { data } = await get(`/invoices?subscription=${sub.id}`);
    expect(data.map((i: { id: string }) => i.id)).toEqual([invoice.id]);
    await expectError(cancel(sub.id, { at_period_end: true }), 409, 'invalid_state');
  });
});
