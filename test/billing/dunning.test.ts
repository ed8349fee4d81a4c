import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceSubscriptionStates, recordReminders, settlementSweep } from '../../src/billing/dunning.js';
import { ledgerAccounts } from '../../src/billing/ledger.js';
import { generateInvoices } from '../../src/billing/invoice-run-store.js';
import { postTransaction } from '../../src/billing/ledger-store.js';
import { backend } from '../support/db.js';
import { capturingLogger, silentDeps } from '../support/quiet.js';
import { billingFixture, type BillingFixture } from './support.js';

const START = '2025-05-01T12:00:00Z';
// America/Chicago is UTC−5 (CDT) throughout May and June 2025: local midnight is 05:00Z.
const TENANT = { name: 'Acme ISP', timezone: 'America/Chicago', currency: 'USD', due_days: 7, reminder_days: [7, 3, 1], expiry_grace_days: 3 };

/** A fixture, its tenant and helpers around it. */
function setup(slug: string) {
  const s = {} as { f: BillingFixture; key: string; tenantId: string };
  beforeAll(async () => {
    s.f = await billingFixture(START);
    const t = await s.f.tenant({ ...TENANT, slug });
    expect(t).toMatchObject({ due_days: 7, reminder_days: [7, 3, 1], expiry_grace_days: 3 });
    Object.assign(s, { key: t.api_key, tenantId: t.id });
  });
  afterAll(() => s.f?.close());
  const get = (path: string) => s.f.ok(s.f.call('GET', '/api/v1' + path, undefined, s.key));
  const invoicesOf = async (subId: string) => (await get(`/invoices?subscription=${subId}`)).data;
  /** A new account and a monthly subscription of 1000 anchored at `anchor` (a local date). */
  async function subscribe(anchor: string, opts: { autoRenew?: boolean; balance?: number } = {}) {
    const account = await s.f.account(s.key);
    if (opts.balance) await s.f.topUp(s.key, account.id, opts.balance, `seed-${account.id}`);
    const sub = await s.f.subscription(s.key, { account_id: account.id, amount: 1000, interval: 'month', anchor, auto_renew: opts.autoRenew ?? false });
    return { account, sub };
  }
  const runNow = () => s.f.run(s.key, s.f.o.clock.now().toISOString());
  const jump = (iso: string) => s.f.o.clock.jump(new Date(iso));
  return { s, get, invoicesOf, subscribe, runNow, jump };
}

describe(`due reminders and overdue notices on ${backend}`, () => {
  const { s, get, invoicesOf, subscribe, runNow, jump } = setup('reminders');
  const remindAt = async (iso: string) => {
    await jump(iso);
    return recordReminders(s.f.t.db, s.f.o.clock.now());
  };
  /** The invoice's notices, oldest first, as kind:offset. */
  const noticesOf = async (invoiceId: string): Promise<string[]> =>
    (await get(`/notices?invoice=${invoiceId}`)).data.map((n: { kind: string; offset: string | null; invoice_id: string }) => {
      expect(n.invoice_id).toBe(invoiceId);
      return `${n.kind}:${n.offset}`;
    }).reverse();
  // A: due May 8 (reminders May 1, 5, 7). B: anchored Apr 28, due May 5. C: like A, paid on day one.
  let a: string, b: string, c: { id: string; account: string };

  it('at issue each open invoice gets the nearest reminder that has come; calling again adds nothing', async () => {
    const subs = [await subscribe('2025-05-01'), await subscribe('2025-04-28'), await subscribe('2025-05-01')];
    expect(await runNow()).toMatchObject({ created: 3, notices: 0 });
    const [ia, ib, ic] = [(await invoicesOf(subs[0]!.sub.id))[0], (await invoicesOf(subs[1]!.sub.id))[0], (await invoicesOf(subs[2]!.sub.id))[0]];
    expect(ia).toMatchObject({ status: 'open', issued_at: '2025-05-01T12:00:00.000Z', due_at: '2025-05-08T05:00:00.000Z' });
    expect(ib).toMatchObject({ status: 'open', due_at: '2025-05-05T05:00:00.000Z' });
    [a, b, c] = [ia.id, ib.id, { id: ic.id, account: subs[2]!.account.id }];

    expect(await remindAt(START)).toEqual({ reminders: 3, overdue: 0 });
    expect(await recordReminders(s.f.t.db, s.f.o.clock.now())).toEqual({ reminders: 0, overdue: 0 });
    expect(await recordReminders(s.f.t.db, s.f.o.clock.now())).toEqual({ reminders: 0, overdue: 0 });
    for (const id of [a, b, c.id]) expect(await noticesOf(id)).toEqual(['due_reminder:7d']);
    const row = await s.f.t.db.selectFrom('notices').selectAll().where('invoice_id', '=', a).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'due_reminder', offset_key: '7d', status: 'queued', account_id: subs[0]!.account.id });
    expect(row.payload).toMatchObject({ invoice_id: a, amount_due: '1000', currency: 'USD', days_before_due: 7 });

    // C is paid (a top-up settles it): it gets nothing more from here on.
    expect(await s.f.topUp(s.key, c.account, 1000, 'pay-c')).toMatchObject({ settled_invoices: [c.id], balance: 0 });
  });

  it("a job that missed B's 3d window sends only 1d; on the local calendar, A's 3d comes at local midnight", async () => {
    // May 4 07:00 local: B (due May 5) is inside its 1d window; its 3d window (May 2–4) was never seen.
    expect(await remindAt('2025-05-04T12:00:00Z')).toEqual({ reminders: 1, overdue: 0 });
    expect(await noticesOf(b)).toEqual(['due_reminder:7d', 'due_reminder:1d']);
    expect(await recordReminders(s.f.t.db, s.f.o.clock.now())).toEqual({ reminders: 0, overdue: 0 });

    // One second before local midnight of May 5, nothing is due yet.
    expect(await remindAt('2025-05-05T04:59:59Z')).toEqual({ reminders: 0, overdue: 0 });
    expect(await noticesOf(a)).toEqual(['due_reminder:7d']);
    // At it, A's 3d reminder comes and B (due at that instant) is overdue.
    expect(await remindAt('2025-05-05T05:00:00Z')).toEqual({ reminders: 1, overdue: 1 });
    expect(await noticesOf(a)).toEqual(['due_reminder:7d', 'due_reminder:3d']);
    expect(await noticesOf(b)).toEqual(['due_reminder:7d', 'due_reminder:1d', 'overdue:null']);

    expect(await remindAt('2025-05-07T12:00:00Z')).toEqual({ reminders: 1, overdue: 0 });
    expect(await noticesOf(a)).toEqual(['due_reminder:7d', 'due_reminder:3d', 'due_reminder:1d']);
  });

  it('after due, one overdue notice per invoice whatever the calls; a paid invoice gets no reminders', async () => {
    expect(await remindAt('2025-05-08T12:00:00Z')).toEqual({ reminders: 0, overdue: 1 });
    expect(await recordReminders(s.f.t.db, s.f.o.clock.now())).toEqual({ reminders: 0, overdue: 0 });
    expect(await remindAt('2025-05-20T12:00:00Z')).toEqual({ reminders: 0, overdue: 0 });
    expect(await noticesOf(a)).toEqual(['due_reminder:7d', 'due_reminder:3d', 'due_reminder:1d', 'overdue:null']);
    expect(await noticesOf(b)).toEqual(['due_reminder:7d', 'due_reminder:1d', 'overdue:null']);
    // The paid invoice got its receipt and no further reminder.
    expect((await noticesOf(c.id)).sort()).toEqual(['due_reminder:7d', 'receipt:null']);
    const rows = await s.f.t.db.selectFrom('notices').select(['invoice_id', 'kind', 'offset_key']).execute();
    expect(rows).toHaveLength(4 + 3 + 2);
    const all = (await get('/notices')).data;
    expect(all.filter((n: { kind: string }) => n.kind === 'overdue').map((n: { invoice_id: string }) => n.invoice_id).sort()).toEqual([a, b].sort());
  });
});

describe(`subscription states over time on ${backend}`, () => {
  const { s, get, invoicesOf, subscribe, runNow, jump } = setup('states');
  const advance = () => advanceSubscriptionStates(s.f.t.db, s.f.o.clock.now());
  const statusOf = async (subId: string) => (await get(`/subscriptions/${subId}`)).status;
  let unpaid: Awaited<ReturnType<typeof subscribe>>, prepaid: Awaited<ReturnType<typeof subscribe>>;

  it('unpaid: past_due once its service has run out (never paid: from the anchor), expired after the grace; paid stays active', async () => {
    unpaid = await subscribe('2025-05-02', { autoRenew: true });
    prepaid = await subscribe('2025-05-02', { autoRenew: true, balance: 5000 });
    expect(await advance()).toEqual({ canceled: 0, pastDue: 0, expired: 0 });

    await jump('2025-05-02T12:00:00Z');
    expect(await runNow()).toMatchObject({ created: 2, paid: 1, notices: 1 });
    expect(await get(`/subscriptions/${prepaid.sub.id}`)).toMatchObject({ status: 'active', service_expires_at: '2025-06-02T05:00:00.000Z' });
    expect(await get(`/subscriptions/${unpaid.sub.id}`)).toMatchObject({ status: 'active', service_expires_at: null });

    expect(await advance()).toEqual({ canceled: 0, pastDue: 1, expired: 0 });
    expect(await statusOf(unpaid.sub.id)).toBe('past_due');
    expect(await statusOf(prepaid.sub.id)).toBe('active');
    expect(await advance()).toEqual({ canceled: 0, pastDue: 0, expired: 0 });

    // Grace: 3 local days from the anchor (May 2 00:00 CDT) ends May 5 00:00 CDT.
    await jump('2025-05-05T04:59:59Z');
    expect(await advance()).toEqual({ canceled: 0, pastDue: 0, expired: 0 });
    expect(await statusOf(unpaid.sub.id)).toBe('past_due');
    await jump('2025-05-05T05:00:00Z');
    expect(await advance()).toEqual({ canceled: 0, pastDue: 0, expired: 1 });
    expect(await statusOf(unpaid.sub.id)).toBe('expired');
    expect(await statusOf(prepaid.sub.id)).toBe('active');
  });

  it('an expired subscription gets no new invoices; a top-up that pays its open invoice makes it active through that period', async () => {
    await jump('2025-06-03T12:00:00Z');
    await runNow();
    const unpaidInvoices = await invoicesOf(unpaid.sub.id);
    expect(unpaidInvoices.map((i: { status: string }) => i.status)).toEqual(['open']);
    const open = unpaidInvoices[0];
    expect((await invoicesOf(prepaid.sub.id)).map((i: { status: string }) => i.status)).toEqual(['paid', 'paid']);
    expect(await advance()).toEqual({ canceled: 0, pastDue: 0, expired: 0 });
    expect(await statusOf(unpaid.sub.id)).toBe('expired');

    const topUp = await s.f.topUp(s.key, unpaid.account.id, 1000, 'rescue');
    expect(topUp).toMatchObject({ balance: 0, settled_invoices: [open.id] });
    expect(await get(`/invoices/${open.id}`)).toMatchObject({ status: 'paid', amount_paid: 1000 });
    expect(await get(`/subscriptions/${unpaid.sub.id}`)).toMatchObject({ status: 'active', service_expires_at: open.period_end });
    expect(open.period_end).toBe('2025-06-02T05:00:00.000Z');
  });
});

describe(`the settlement sweep on ${backend}`, () => {
  const { s, get, invoicesOf, subscribe, runNow } = setup('sweep');
  const { logger } = silentDeps();
  const sweep = () => settlementSweep({ db: s.f.t.db, logger }, s.f.o.clock.now());
  const creditDirectly = (accountId: string, amount: bigint, reference: string) => creditLost(s, accountId, amount, reference);

  it('pays an open invoice that the balance covers but settlement left open, once; a short balance pays nothing', async () => {
    const covered = await subscribe('2025-04-15');
    const short = await subscribe('2025-04-15');
    expect(await runNow()).toMatchObject({ created: 2 });
    const [inv] = await invoicesOf(covered.sub.id);
    const [shortInv] = await invoicesOf(short.sub.id);
    await creditDirectly(covered.account.id, 1000n, 'lost-1');
    await creditDirectly(short.account.id, 999n, 'lost-2');
    expect(await get(`/accounts/${covered.account.id}`)).toMatchObject({ balance: 1000, open_invoices: [expect.objectContaining({ id: inv.id })] });

    expect(await sweep()).toEqual({ accounts: 1, paid: 1, released: 0 });
    const paid = await get(`/invoices/${inv.id}`);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1000, balance_applications: [expect.objectContaining({ amount: 1000 })] });
    expect(paid.payments).toEqual([expect.objectContaining({ method: 'balance', source: 'sweep', status: 'succeeded' })]);
    expect(await get(`/accounts/${covered.account.id}`)).toMatchObject({ balance: 0, open_invoices: [] });
    expect((await get(`/subscriptions/${covered.sub.id}`)).service_expires_at).toBe(inv.period_end);
    expect(await get(`/invoices/${shortInv.id}`)).toMatchObject({ status: 'open', payments: [] });
    expect((await get(`/accounts/${short.account.id}`)).balance).toBe(999);

    expect(await sweep()).toEqual({ accounts: 0, paid: 0, released: 0 });
    const payments = await s.f.t.db.selectFrom('invoice_payments').select('id').where('invoice_id', '=', inv.id).execute();
    expect(payments).toHaveLength(1);
  });
});

describe(`the settlement sweep warns only about real gaps, on ${backend}`, () => {
  const { s, get, invoicesOf, subscribe, runNow, jump } = setup('sweep-gaps');
  const captured = capturingLogger();
  const sweep = () => settlementSweep({ db: s.f.t.db, logger: captured.logger }, s.f.o.clock.now());
  /** What the sweep logged since the last call, as level:message. */
  const logged = () => captured.lines.splice(0).map((l) => `${l.level >= 40 ? 'warn' : l.level >= 30 ? 'info' : 'debug'}: ${l.msg}`);
  /** Step 1 of an invoice run only (its invoices committed, its auto-pay not yet run, or lost in a crash). */
  const generateOnly = () =>
    s.f.t.db.transaction().execute((trx) => generateInvoices(trx, { tenantId: s.tenantId, slot: s.f.o.clock.now(), dueDays: 7, cap: 1000, window: { after: new Date(0) } }, s.f.o.clock.now()));
  const statusOf = async (subId: string) => (await invoicesOf(subId)).map((i: { status: string; payments: unknown }) => i.status);

  it('racing an invoice run between creating its invoices and auto-paying them: it pays, and says so without a warning', async () => {
    await jump('2025-05-01T12:00:00Z');
    const { sub } = await subscribe('2025-04-15', { autoRenew: true, balance: 1000 });
    await jump('2025-05-01T12:01:00Z');
    expect(await generateOnly()).toMatchObject({ created: 1 });
    await jump('2025-05-01T12:01:02Z');
    expect(await sweep()).toEqual({ accounts: 1, paid: 1, released: 0 });
    expect(logged()).toEqual(['info: settlement sweep paid new invoices the balance already covered (no settlement had missed them yet)']);
    expect(await statusOf(sub.id)).toEqual(['paid']);
    // The run's own auto-pay (the same slot) then finds nothing left to pay.
    expect(await s.f.run(s.key, '2025-05-01T12:01:00Z')).toMatchObject({ created: 0, paid: 0 });
  });

  it('an auto-pay that never came (the run crashed after creating its invoices) is a gap once past the 5-minute tolerance', async () => {
    await jump('2025-05-02T12:00:00Z');
    const { sub } = await subscribe('2025-04-16', { autoRenew: true, balance: 1000 });
    await jump('2025-05-02T12:01:00Z');
    expect(await generateOnly()).toMatchObject({ created: 1 });
    await jump('2025-05-02T12:06:01Z');
    expect(await sweep()).toEqual({ accounts: 1, paid: 1, released: 0 });
    expect(logged()).toEqual(['warn: settlement sweep paid invoices left open for more than 5 minutes while the balance covered them']);
    expect(await statusOf(sub.id)).toEqual(['paid']);
  });

  it('a balance credited after the invoice existed, whose settlement was lost, is the top-up gap, however new the invoice', async () => {
    await jump('2025-05-03T12:00:00Z');
    const { account, sub } = await subscribe('2025-04-17');
    expect(await runNow()).toMatchObject({ created: 1, paid: 0 });
    await jump('2025-05-03T12:00:30Z');
    await creditLost(s, account.id, 1000n, 'lost-settlement');
    expect((await get(`/accounts/${account.id}`)).balance).toBe(1000);
    expect(await sweep()).toEqual({ accounts: 1, paid: 1, released: 0 });
    expect(logged()).toEqual(['warn: settlement sweep paid invoices that top-up settlement had left open']);
    expect(await statusOf(sub.id)).toEqual(['paid']);
  });
});

/** Credits an account's balance without settling (as a top-up whose settlement was lost would). */
function creditLost(s: { f: BillingFixture; tenantId: string }, accountId: string, amount: bigint, reference: string) {
  return s.f.t.db.transaction().execute((trx) => {
    const prepaid = ledgerAccounts.prepaid(accountId);
    const clearing = ledgerAccounts.pspClearing('external');
    return postTransaction(trx, {
      tenantId: s.tenantId,
      idempotencyKey: `top-up:${accountId}:${reference}`,
      kind: 'top_up',
      status: 'posted',
      currency: 'USD',
      accounts: [prepaid, clearing],
      entries: [
        { accountCode: clearing.code, direction: 'debit', amount },
        { accountCode: prepaid.code, direction: 'credit', amount },
      ],
      reference: { type: 'top_up', id: reference },
      effectiveAt: s.f.o.clock.now(),
    });
  });
}
