import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLocal } from '../../src/time/local-time.js';
import { periodStart } from '../../src/billing/periods.js';
import { parseAnchor } from '../../src/billing/subscription-input.js';
import { insertSubscription, periodStartInSql } from '../../src/billing/subscription-store.js';
import { backend } from '../support/db.js';
import { json } from '../support/http.js';
import { billingFixture, type BillingFixture } from './support.js';

const localDay = (iso: string, tz: string) => {
  const l = toLocal(new Date(iso), tz);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')} ${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
};

describe(`invoice runs on ${backend}`, () => {
  let f: BillingFixture;
  let acme: { id: string; slug: string; api_key: string };
  const invoicesOf = async (subscriptionId: string) =>
    ((await f.ok(f.call('GET', `/api/v1/invoices?subscription=${subscriptionId}&limit=500`, undefined, acme.api_key))).data as { period_start: string; period_end: string; run_slot: string; status: string }[]).sort((a, b) =>
      a.period_start.localeCompare(b.period_start),
    );

  beforeAll(async () => {
    f = await billingFixture('2025-05-15T12:00:00Z');
    acme = await f.tenant({ slug: 'acme', name: 'Acme ISP', timezone: 'America/Chicago', currency: 'USD' });
  });
  afterAll(() => f?.close());

  it('a run after 2 missed daily slots creates exactly the missing invoices, once', async () => {
    const account = await f.account(acme.api_key);
    const sub = await f.subscription(acme.api_key, { account_id: account.id, amount: 1500, interval: 'day', anchor: '2025-05-16', auto_renew: false });
    expect(sub).toMatchObject({ status: 'active', next_period_start: '2025-05-16T05:00:00.000Z' });

    await f.o.clock.jump(new Date('2025-05-16T07:05:00Z'));
    expect(await f.run(acme.api_key, '2025-05-16T07:00:00Z')).toMatchObject({ created: 1, existing: 0 });
    // The slots of May 17 and 18 (02:00 Chicago) never ran, as in the first incident.
    await f.o.clock.jump(new Date('2025-05-19T07:05:00Z'));
    expect(await f.run(acme.api_key, '2025-05-19T07:00:00Z')).toMatchObject({ created: 3, existing: 0 });
    const invoices = await invoicesOf(sub.id);
    expect(invoices.map((i) => localDay(i.period_start, 'America/Chicago'))).toEqual(['2025-05-16 00:00', '2025-05-17 00:00', '2025-05-18 00:00', '2025-05-19 00:00']);
    expect(invoices.map((i) => i.period_end)).toEqual(invoices.slice(1).map((i) => i.period_start).concat('2025-05-20T05:00:00.000Z'));

    // Repeats, for this slot or the missed ones: nothing new; `existing` counts the slot's own periods.
    expect(await f.run(acme.api_key, '2025-05-19T07:00:00Z')).toMatchObject({ created: 0, existing: 1 });
    expect(await f.run(acme.api_key, '2025-05-17T07:00:00Z')).toMatchObject({ created: 0, existing: 1 });
    expect(await invoicesOf(sub.id)).toHaveLength(4);
    const again = await f.ok(f.call('GET', `/api/v1/subscriptions/${sub.id}`, undefined, acme.api_key));
    expect(again.next_period_start).toBe('2025-05-20T05:00:00.000Z');
  });

  it('the database refuses a second invoice for one (subscription, period)', async () => {
    const row = await f.t.db.selectFrom('invoices').selectAll().where('tenant_id', '=', acme.id).limit(1).executeTakeFirstOrThrow();
    await expect(f.t.db.insertInto('invoices').values({ ...row, id: '00000000-0000-4000-8000-000000000001' }).execute()).rejects.toThrow(/invoices_period_uq/);
  });

  it('month-end and leap-day anchors over 14 months, caught up in one run', async () => {
    await f.o.clock.jump(new Date('2025-06-01T00:00:00Z'));
    const old = await f.tenant({ slug: 'longago', name: 'Long Ago', timezone: 'America/New_York', currency: 'EUR' });
    const account = await f.account(old.api_key);
    const monthEnd = await f.subscription(old.api_key, { account_id: account.id, amount: 999, interval: 'month', anchor: '2024-01-31', auto_renew: false });
    const leapMonthly = await f.subscription(old.api_key, { account_id: account.id, amount: 999, interval: 'month', anchor: '2024-02-29', auto_renew: false });
    const leapYearly = await f.subscription(old.api_key, { account_id: account.id, amount: 12000, interval: 'year', anchor: '2024-02-29', auto_renew: false });
    const quarterly = await f.subscription(old.api_key, { account_id: account.id, amount: 2500, interval: 'month', interval_count: 3, anchor: '2024-03-31', auto_renew: false });
    const run = await f.run(old.api_key, '2025-04-01T06:00:00Z');
    expect(run.created).toBe(15 + 14 + 2 + 5);

    const days = async (id: string) => (await f.ok(f.call('GET', `/api/v1/invoices?subscription=${id}&limit=500`, undefined, old.api_key))).data.map((i: { period_start: string }) => localDay(i.period_start, 'America/New_York').slice(0, 10)).sort();
    expect(await days(monthEnd.id)).toEqual([
      '2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31', '2024-06-30', '2024-07-31', '2024-08-31',
      '2024-09-30', '2024-10-31', '2024-11-30', '2024-12-31', '2025-01-31', '2025-02-28', '2025-03-31',
    ]);
    expect(await days(leapMonthly.id)).toEqual([
      '2024-02-29', '2024-03-29', '2024-04-29', '2024-05-29', '2024-06-29', '2024-07-29', '2024-08-29',
      '2024-09-29', '2024-10-29', '2024-11-29', '2024-12-29', '2025-01-29', '2025-02-28', '2025-03-29',
    ]);
    expect(await days(leapYearly.id)).toEqual(['2024-02-29', '2025-02-28']);
    expect(await days(quarterly.id)).toEqual(['2024-03-31', '2024-06-30', '2024-09-30', '2024-12-31', '2025-03-31']);
  });

  it('the SQL period rule and the TypeScript one agree, across DST gaps and repeats in several zones', async () => {
    const tenants = await f.t.db.selectFrom('tenants').selectAll().execute();
    const account = await f.t.db.selectFrom('accounts').select('id').where('tenant_id', '=', acme.id).executeTakeFirstOrThrow();
    const zones = ['America/New_York', 'America/Santiago', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    // Local wall-time anchors, some inside a gap or a repeat in some zone.
    const anchors = ['2024-09-07T00:00:00Z', '2025-03-09T07:30:00Z', '2025-10-26T00:30:00Z', '2024-01-31T05:00:00Z'];
    let compared = 0;
    for (const tz of zones) {
      for (const a of anchors) {
        for (const [interval, count] of [['day', 1], ['week', 1], ['month', 1]] as const) {
          const anchor = parseAnchor(a, tz, new Date())!;
          const sub = await insertSubscription(
            f.t.db,
            { ...tenants[0]!, timezone: tz },
            { accountId: account.id, description: 'dst', amount: 1n, interval, intervalCount: count, ...anchor, autoRenew: false },
            f.o.clock.now(),
          );
          await f.t.db.updateTable('subscriptions').set({ status: 'canceled' }).where('id', '=', sub.id).execute();
          const cycle = { anchor: sub.anchor, interval, intervalCount: count, tz };
          for (const n of [0, 1, 2, 5, 20, 60, 100, 200, 400]) {
            expect((await periodStartInSql(f.t.db, sub.id, n)).toISOString(), `${tz} ${a} ${interval} n=${n}`).toBe(periodStart(cycle, n).toISOString());
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(5 * 4 * 3 * 9);
  });

  it("a tenant's invoice run is a scheduler job on its schedule, with a heartbeat check", async () => {
    const s = f.o.scheduler;
    s.refreshSources();
    await s.tick();
    const job = await f.t.db.selectFrom('jobs').selectAll().where('key', '=', 'billing.invoice-run:acme').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ tenant_id: acme.id, schedule: '0 2 * * *', tz: 'America/Chicago', catch_up: 'all' });
    expect(job.check_id).not.toBeNull();
    const check = await f.t.db.selectFrom('checks').select(['tenant_id', 'kind']).where('id', '=', job.check_id!).executeTakeFirstOrThrow();
    expect(check).toEqual({ tenant_id: acme.id, kind: 'cron' });

    const account = await f.account(acme.api_key);
    const sub = await f.subscription(acme.api_key, { account_id: account.id, amount: 700, interval: 'day', anchor: '2025-06-02', auto_renew: false });
    await f.o.clock.jump(new Date('2025-06-02T07:00:01Z')); // 02:00:01 in Chicago
    await s.tick();
    await s.idle();
    const run = await f.t.db.selectFrom('job_runs').selectAll().where('job_key', '=', job.key).where('slot_at', '=', new Date('2025-06-02T07:00:00Z')).executeTakeFirstOrThrow();
    expect(run.state).toBe('succeeded');
    const invoices = await invoicesOf(sub.id);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]!.run_slot).toBe('2025-06-02T07:00:00.000Z');
  });

  it('bad subscription input is a 400 naming the field, an unknown or foreign account 404, and nothing is written', async () => {
    const account = await f.account(acme.api_key);
    const other = await f.tenant({ slug: 'other', name: 'Other', timezone: 'UTC', currency: 'USD' });
    const foreign = await f.account(other.api_key);
    const before = (await f.t.db.selectFrom('subscriptions').select('id').execute()).length;
    const base = { account_id: account.id, description: 'Plan', amount: 100, interval: 'month' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, amount: 0 }, /^amount/],
      [{ ...base, amount: -1 }, /^amount/],
      [{ ...base, amount: '9223372036854775808' }, /^amount/],
      [{ ...base, amount: '10000000000000001' }, /^amount/],
      [{ ...base, amount: 10.5 }, /^amount/],
      [{ ...base, interval: 'fortnight' }, /^interval/],
      [{ ...base, interval_count: 0 }, /^interval_count/],
      [{ ...base, anchor: '2025-02-30' }, /^anchor/],
      [{ ...base, anchor: '2025-05-01T00:00:00' }, /^anchor/],
      [{ ...base, auto_renew: 'yes' }, /^auto_renew/],
      [{ ...base, description: '' }, /^description/],
      [{ ...base, currency: 'EUR' }, /^currency/],
      [{ ...base, account_id: 'nope' }, /^account_id/],
    ];
    for (const [body, message] of cases) {
      const res = await f.call('POST', '/api/v1/subscriptions', body, acme.api_key);
      const err = res.body.error;
      expect([res.status, err.code], JSON.stringify(body)).toEqual([400, 'validation_failed']);
      expect(err.message).toMatch(message);
    }
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000']) {
      expect((await f.call('POST', '/api/v1/subscriptions', { ...base, account_id: id }, acme.api_key)).status).toBe(404);
    }
    expect((await f.t.db.selectFrom('subscriptions').select('id').execute()).length).toBe(before);
    // The documented maximum (10^16) is fine, as a string.
    const big = await f.subscription(acme.api_key, { ...base, amount: '10000000000000000', auto_renew: false });
    expect((big as unknown as { amount: string }).amount).toBe('10000000000000000');
  });

  it('invoice lists page with next_cursor, newest period first, filtered by status and account', async () => {
    const account = await f.account(acme.api_key);
    await f.subscription(acme.api_key, { account_id: account.id, amount: 100, interval: 'day', anchor: '2025-05-01', auto_renew: false });
    await f.run(acme.api_key, '2025-05-20T07:00:00Z');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string; period_start: string }[]; next_cursor: string | null } = await f.ok(
        f.call('GET', `/api/v1/invoices?account=${account.id}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, undefined, acme.api_key),
      );
      expect(page.data.length).toBeLessThanOrEqual(7);
      seen.push(...page.data.map((i) => i.period_start));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(20);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect((await f.ok(f.call('GET', `/api/v1/invoices?account=${account.id}&status=paid`, undefined, acme.api_key))).data).toEqual([]);
    expect((await f.call('GET', '/api/v1/invoices?status=late', undefined, acme.api_key)).status).toBe(400);
    expect((await f.call('GET', '/api/v1/invoices?cursor=zzz', undefined, acme.api_key)).status).toBe(400);
  });
});
