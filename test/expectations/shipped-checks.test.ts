import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReminders } from '../../src/billing/dunning.js';
import { ledgerAccounts } from '../../src/billing/ledger.js';
import { postTransaction } from '../../src/billing/ledger-store.js';
import { loadChecks } from '../../src/expectations/loader.js';
import { backend } from '../support/db.js';
import { count, expectationsFixture, signalsOf, type ExpectationsFixture } from './support.js';

const SHIPPED = ['invoices-exist', 'invoice-continuity', 'balance-settles-open-invoices', 'renewal-extends-expiry', 'reminders-sent', 'ledger-balanced', 'billing-jobs-healthy'];
const time = (v: unknown) => new Date(String(v)).getTime();

// One UTC tenant billed at 02:00 (grace 30 min, due in 7 days, reminders 7/3/1 days before):
// S1 pays its May renewal from a top-up; S2 (from April) and S3 (from February) are not
// auto-renewing and stay open except S3's February invoice, paid by card. Each test breaks
// one thing with SQL, sees its check fail, and puts it back (or lets the remediation do it).
describe(`the shipped checks on ${backend}`, () => {
  let f: ExpectationsFixture;
  let tenantId: string;
  let key: string;
  const subs: Record<'s1' | 's2' | 's3', string> = { s1: '', s2: '', s3: '' };
  const accounts: Record<'payer' | 'debtor' | 'lapsed', string> = { payer: '', debtor: '', lapsed: '' };
  const evaluate = (id: string) => f.o.expectations.evaluate(id, 'api');
  const db = () => f.t.db;
  /** The invoice of a subscription's period starting on `day` (UTC). */
  const invoice = (sub: string, day: string) =>
    db().selectFrom('invoices').selectAll().where('subscription_id', '=', sub).where('period_start', '=', new Date(`${day}T00:00:00Z`)).executeTakeFirstOrThrow();
  const results = (id: string) => db().selectFrom('expectation_results').select(['outcome', 'trigger']).where('expectation_id', '=', id).orderBy('id').execute();

  beforeAll(async () => {
    f = await expectationsFixture({ start: '2025-05-01T00:00:00Z', checks: await loadChecks('checks') });
    const tenant = await f.tenant('shipco');
    [tenantId, key] = [tenant.id, tenant.api_key];
    for (const name of ['payer', 'debtor', 'lapsed'] as const) accounts[name] = (await f.account(key)).id;
    await f.ok(`/accounts/${accounts.payer}/top-ups`, { key, body: { amount: 10_000, reference: 'seed-payer' } });
    subs.s1 = (await f.subscription(key, { account_id: accounts.payer, amount: 1000, interval: 'month', anchor: '2025-05-01', auto_renew: true })).id;
    subs.s2 = (await f.subscription(key, { account_id: accounts.debtor, amount: 1000, interval: 'month', anchor: '2025-04-01', auto_renew: false })).id;
    subs.s3 = (await f.subscription(key, { account_id: accounts.lapsed, amount: 500, interval: 'month', anchor: '2025-02-01', auto_renew: false })).id;
    // The tenant's invoice-run job and its heartbeat check (nothing is due yet, so the tick runs nothing).
    f.o.scheduler.refreshSources();
    await f.o.scheduler.tick();
    await f.o.scheduler.idle();

    await f.clock.jump('2025-05-01T02:05:00Z');
    expect(await f.run(key, '2025-05-01T02:00:00Z')).toMatchObject({ created: 7, paid: 1 });
    const feb = await invoice(subs.s3, '2025-02-01');
    expect(await f.ok(`/invoices/${feb.id}/pay`, { key, body: { method: 'external', amount: 500, reference: 'card-1' } })).toMatchObject({ status: 'paid' });
    expect(await recordReminders(db(), f.clock.now())).toEqual({ reminders: 2, overdue: 3 });
    await f.clock.jump('2025-05-01T02:40:00Z');
  });
  afterAll(() => f?.close());

  it('every shipped check passes on clean billing data, and nothing signals', async () => {
    expect(f.o.expectations.jobs().map((j) => j.key.replace('expectations.evaluate:', '')).sort()).toEqual([...SHIPPED].sort());
    for (const id of SHIPPED) {
      const r = await evaluate(id);
      expect([id, r.outcome, r.error]).toEqual([id, 'pass', null]);
    }
    expect(await count(db(), 'signals')).toBe(0);
    expect(await count(db(), 'invoices')).toBe(7);
  });

  it('invoice-continuity: a period missing between two invoices is a gap', async () => {
    const mar = await invoice(subs.s3, '2025-03-01');
    expect(mar.status).toBe('open');
    await sql`create table bak_notices as select * from notices where invoice_id = ${mar.id}`.execute(db());
    await sql`create table bak_invoices as select * from invoices where id = ${mar.id}`.execute(db());
    await db().deleteFrom('notices').where('invoice_id', '=', mar.id).execute();
    await db().deleteFrom('invoices').where('id', '=', mar.id).execute();

    const r = await evaluate('invoice-continuity');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { [tenantId]: 1 } });
    expect(r.sample).toHaveLength(1);
    const gap = r.sample[0]!;
    expect(gap.subscription_id).toBe(subs.s3);
    expect([time(gap.previous_end), time(gap.period_start)]).toEqual([time('2025-03-01T00:00:00Z'), time('2025-04-01T00:00:00Z')]);
    const [failing] = await signalsOf(db(), 'invoice-continuity');
    expect(failing).toMatchObject({ kind: 'failing', tenant_id: tenantId, component: 'billing', severity: 'major', summary: 'No gaps between invoice periods: 1 gaps for 1 tenant: shipco' });

    await sql`insert into invoices select * from bak_invoices`.execute(db());
    await sql`insert into notices select * from bak_notices`.execute(db());
    await sql`drop table bak_invoices; drop table bak_notices`.execute(db());
    expect((await evaluate('invoice-continuity')).outcome).toBe('pass');
    expect((await signalsOf(db(), 'invoice-continuity')).map((s) => s.kind)).toEqual(['failing', 'recovered']);
  });

  it('balance-settles-open-invoices: a balance credited without settling fails; the settle remediation pays and re-verifies', async () => {
    const apr = await invoice(subs.s2, '2025-04-01');
    const prepaid = ledgerAccounts.prepaid(accounts.debtor);
    const clearing = ledgerAccounts.pspClearing('external');
    await db()
      .transaction()
      .execute((trx) =>
        postTransaction(trx, {
          tenantId,
          idempotencyKey: 'test:credit-without-settling',
          kind: 'top_up',
          status: 'posted',
          currency: 'USD',
          accounts: [prepaid, clearing],
          entries: [
            { accountCode: clearing.code, direction: 'debit', amount: 1000n },
            { accountCode: prepaid.code, direction: 'credit', amount: 1000n },
          ],
          effectiveAt: f.clock.now(),
        }),
      );

    const final = await evaluate('balance-settles-open-invoices');
    expect(final).toMatchObject({ outcome: 'pass', trigger: 'reverify' });
    expect(await results('balance-settles-open-invoices')).toEqual([
      { outcome: 'pass', trigger: 'api' },
      { outcome: 'fail', trigger: 'api' },
      { outcome: 'pass', trigger: 'reverify' },
    ]);
    const failed = await db().selectFrom('expectation_results').selectAll().where('expectation_id', '=', 'balance-settles-open-invoices').where('outcome', '=', 'fail').executeTakeFirstOrThrow();
    expect(failed.sample).toEqual([{ tenant_id: tenantId, account_id: accounts.debtor, invoice_id: apr.id, amount_due: '1000', balance: '1000' }]);

    const s = await signalsOf(db(), 'balance-settles-open-invoices');
    expect(s.map((x) => [x.kind, x.summary])).toEqual([
      ['failing', 'Balances settle open invoices: 1 invoices left unpaid while covered for 1 tenant: shipco'],
      ['update', 'Remediation started: settle for the failing tenant(s)'],
      ['update', 'Remediation finished: 1 invoices left unpaid while covered repaired'],
      ['recovered', 'Balances settle open invoices: passing again after 0 min'],
    ]);
    expect((await invoice(subs.s2, '2025-04-01')).status).toBe('paid');
    expect((await invoice(subs.s2, '2025-05-01')).status).toBe('open'); // the balance is spent
    const ledger = await db().selectFrom('remediations').selectAll().where('expectation_id', '=', 'balance-settles-open-invoices').execute();
    expect(ledger.map((r) => [r.tenant_id, r.slot, r.state, r.attempts])).toEqual([['00000000-0000-0000-0000-000000000000', new Date('2025-05-01T02:40:00Z'), 'succeeded', 1]]);
  });

  it('renewal-extends-expiry: a paid renewal whose service ends before its period does fails', async () => {
    const may = await invoice(subs.s1, '2025-05-01');
    expect(may.status).toBe('paid');
    const before = await db().selectFrom('subscriptions').select('service_expires_at').where('id', '=', subs.s1).executeTakeFirstOrThrow();
    expect(before.service_expires_at).toEqual(new Date('2025-06-01T00:00:00Z'));
    await db().updateTable('subscriptions').set({ service_expires_at: new Date('2025-05-20T00:00:00Z') }).where('id', '=', subs.s1).execute();

    const r = await evaluate('renewal-extends-expiry');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { [tenantId]: 1 } });
    expect(r.sample[0]).toMatchObject({ tenant_id: tenantId, subscription_id: subs.s1, invoice_id: may.id });

    await db().updateTable('subscriptions').set({ service_expires_at: before.service_expires_at }).where('id', '=', subs.s1).execute();
    expect((await evaluate('renewal-extends-expiry')).outcome).toBe('pass');
  });

  it('reminders-sent: a missing due reminder or overdue notice fails until the reminder job records it again', async () => {
    const may = await invoice(subs.s3, '2025-05-01');
    const apr = await invoice(subs.s3, '2025-04-01');
    await db().deleteFrom('notices').where('invoice_id', '=', may.id).where('kind', '=', 'due_reminder').execute();
    await db().deleteFrom('notices').where('invoice_id', '=', apr.id).where('kind', '=', 'overdue').execute();

    const r = await evaluate('reminders-sent');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 2, by_tenant: { [tenantId]: 2 } });
    expect(r.sample.map((x) => [x.invoice_id, x.missing]).sort()).toEqual(
      [
        [may.id, 'due_reminder 7d'],
        [apr.id, 'overdue'],
      ].sort(),
    );
    expect((await signalsOf(db(), 'reminders-sent'))[0]).toMatchObject({ kind: 'failing', severity: 'minor' });

    expect(await recordReminders(db(), f.clock.now())).toEqual({ reminders: 1, overdue: 1 });
    expect((await evaluate('reminders-sent')).outcome).toBe('pass');
  });

  it('ledger-balanced: cached totals that differ from the entries, and unbalanced transactions, fail', async () => {
    await sql`update ledger_accounts set posted_credits = posted_credits + 1 where tenant_id = ${tenantId} and code = 'revenue'`.execute(db());
    let r = await evaluate('ledger-balanced');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1 });
    expect(r.sample).toEqual([{ tenant_id: tenantId, what: 'account', ref: 'revenue', difference: null }]);
    expect((await signalsOf(db(), 'ledger-balanced'))[0]).toMatchObject({ kind: 'failing', severity: 'critical' });
    await sql`update ledger_accounts set posted_credits = posted_credits - 1 where tenant_id = ${tenantId} and code = 'revenue'`.execute(db());
    expect((await evaluate('ledger-balanced')).outcome).toBe('pass');

    // An entry changed along with its account's total: the totals agree, the transaction does not balance.
    const seed = await db().selectFrom('ledger_transactions').select('id').where('tenant_id', '=', tenantId).where('idempotency_key', '=', `top-up:${accounts.payer}:seed-payer`).executeTakeFirstOrThrow();
    const credit = sql`transaction_id = ${seed.id} and direction = 'credit'`;
    await sql`update ledger_accounts set posted_credits = posted_credits + 1 where id = (select account_id from ledger_entries where ${credit})`.execute(db());
    await sql`update ledger_entries set amount = amount + 1 where ${credit}`.execute(db());
    r = await evaluate('ledger-balanced');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1 });
    expect(r.sample).toEqual([{ tenant_id: tenantId, what: 'transaction', ref: seed.id, difference: '-1' }]);
    await sql`update ledger_entries set amount = amount - 1 where ${credit}`.execute(db());
    await sql`update ledger_accounts set posted_credits = posted_credits - 1 where id = (select account_id from ledger_entries where ${credit})`.execute(db());
    expect((await evaluate('ledger-balanced')).outcome).toBe('pass');
  });

  it('billing-jobs-healthy: an invoice-run job whose heartbeat is down fails', async () => {
    const job = await db().selectFrom('jobs').select(['check_id', 'tenant_id']).where('key', '=', 'billing.invoice-run:shipco').executeTakeFirstOrThrow();
    expect(job.tenant_id).toBe(tenantId);
    const { status } = await db().selectFrom('checks').select('status').where('id', '=', job.check_id!).executeTakeFirstOrThrow();
    await db().updateTable('checks').set({ status: 'down' }).where('id', '=', job.check_id!).execute();

    const r = await evaluate('billing-jobs-healthy');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { [tenantId]: 1 } });
    expect(r.sample[0]).toMatchObject({ tenant_id: tenantId, job: 'billing.invoice-run:shipco' });

    await db().updateTable('checks').set({ status }).where('id', '=', job.check_id!).execute();
    expect((await evaluate('billing-jobs-healthy')).outcome).toBe('pass');
  });

  it('invoices-exist: a run slot left unrun fails once its grace has passed, and the invoice-run remediation repairs it', async () => {
    const daily = (await f.account(key)).id;
    const s4 = (await f.subscription(key, { account_id: daily, amount: 100, interval: 'day', anchor: '2025-05-01', auto_renew: false })).id;
    // The May 2 slot (02:00) is within its 30-minute grace: not judged yet.
    await f.clock.jump('2025-05-02T02:20:00Z');
    expect((await evaluate('invoices-exist')).outcome).toBe('pass');

    await f.clock.jump('2025-05-02T02:45:00Z');
    const final = await evaluate('invoices-exist');
    expect(final).toMatchObject({ outcome: 'pass', trigger: 'reverify' });
    const failed = await db().selectFrom('expectation_results').selectAll().where('expectation_id', '=', 'invoices-exist').where('outcome', '=', 'fail').execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ failing_count: 1, by_tenant: { [tenantId]: 2 }, window_end: new Date('2025-05-02T02:00:00Z') });
    expect(failed[0]!.observed_value).toBe(2n);
    expect(failed[0]!.sample).toMatchObject([{ tenant_id: tenantId, subscription_id: s4, weight: 2 }]);

    const s = await signalsOf(db(), 'invoices-exist');
    expect(s.map((x) => x.kind)).toEqual(['failing', 'update', 'update', 'recovered']);
    expect(s[0]).toMatchObject({ tenant_id: tenantId, component: 'billing', likely_cause: null });
    expect(s[0]!.summary).toMatch(/^2 invoices missing for 1 tenant: shipco — slots? .*2025-05-02 02:00 UTC$/);
    expect(s[2]!.summary).toBe('Remediation finished: 2 invoices repaired');

    const periods = await db().selectFrom('invoices').select('period_start').where('subscription_id', '=', s4).orderBy('period_start').execute();
    expect(periods.map((p) => p.period_start)).toEqual([new Date('2025-05-01T00:00:00Z'), new Date('2025-05-02T00:00:00Z')]);
    const ledger = await db().selectFrom('remediations').selectAll().where('expectation_id', '=', 'invoices-exist').execute();
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger.every((r) => r.state === 'succeeded' && r.tenant_id === tenantId)).toBe(true);
    expect(ledger.map((r) => r.slot).at(-1)).toEqual(new Date('2025-05-02T02:00:00Z'));

    // Evaluated again: nothing more to repair, nothing signalled.
    await f.clock.advance(60_000);
    expect((await evaluate('invoices-exist')).outcome).toBe('pass');
    expect(await signalsOf(db(), 'invoices-exist')).toHaveLength(4);
  });
  it('invoices-exist: a subscription anchored later in the day than the run slot is counted for the invoices it actually misses', async () => {
    // Anchored at creation (May 2 02:46): the May 3 02:00 slot bills period 0 only; period 1 starts at 02:46.
    const account = (await f.account(key)).id;
    const s5 = (await f.subscription(key, { account_id: account, amount: 100, interval: 'day', auto_renew: false })).id;
    expect(f.clock.now()).toEqual(new Date('2025-05-02T02:46:00Z'));
    await f.clock.jump('2025-05-03T02:31:00Z');
    expect((await evaluate('invoices-exist')).outcome).toBe('pass'); // repaired and re-verified

    const failed = await db().selectFrom('expectation_results').selectAll().where('expectation_id', '=', 'invoices-exist').where('outcome', '=', 'fail').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const created = await db().selectFrom('invoices').select('period_start').where('subscription_id', '=', s5).execute();
    expect(created.map((i) => i.period_start)).toEqual([new Date('2025-05-02T02:46:00Z')]);
    // S5 misses one invoice, the daily subscription of the previous test one (its May 3 period).
    const weights = Object.fromEntries(failed.sample.map((x) => [x.subscription_id, x.weight]));
    expect(weights[s5]).toBe(1);
    expect(failed.observed_value).toBe(2n);
    const s = (await signalsOf(db(), 'invoices-exist')).slice(4);
    expect(s.map((x) => x.summary)).toEqual([
      '2 invoices missing for 1 tenant: shipco — slot 2025-05-03 02:00 UTC',
      'Remediation started: invoice-run for 1 tenant(s)',
      'Remediation finished: 2 invoices repaired',
      'Every due invoice exists: passing again after 0 min',
    ]);
  });
});
