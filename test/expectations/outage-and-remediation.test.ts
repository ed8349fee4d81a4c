import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExpectationDefinition } from '../../src/expectations/define.js';
import { loadChecks, type LoadedCheck } from '../../src/expectations/loader.js';
import { claimRemediation, finishRemediation } from '../../src/expectations/store.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { check, count, expectationsFixture, signalsOf, stateOf, type ExpectationsFixture } from './support.js';

const MIN = 60_000;
let invoicesExist: LoadedCheck[];
beforeAll(async () => {
  invoicesExist = (await loadChecks('checks')).filter((c) => c.check.def.id === 'invoices-exist');
});

// Overdue evaluates invoices-exist every minute. When its own evaluation stops for longer than two
// intervals plus MONITOR_OUTAGE_THRESHOLD, slots that came due in the gap are not judged until a
// fresh grace from the resumption has passed: Overdue's own outage is not the tenant's failure.
describe(`unverified slots after our own outage on ${backend}`, () => {
  let f: ExpectationsFixture;
  let key: string;
  let tenantId: string;
  afterEach(() => f?.close());
  const noRepair: LoadedCheck[] = [];
  beforeAll(() => {
    // The same check without its remediation, to see what a bare evaluation reports.
    const def = invoicesExist[0]!.check.def as ExpectationDefinition;
    noRepair.push(check({ ...def, id: 'slots-no-repair', remediation: undefined }));
  });

  /**
   * The checks exist from May 14 12:00. A tenant billed daily at 02:00 UTC (grace 30 min) gets three
   * daily subscriptions at `created` (anchored then, unless `anchor`); the slots before May 16 are
   * run (`runs`). Evaluated at 01:00 on May 16, then two days of silence: neither runs nor evaluations.
   */
  async function outage(opts: { created: string; anchor?: string; runs: string[] }) {
    f = await expectationsFixture({ start: '2025-05-14T12:00:00Z', checks: [...invoicesExist, ...noRepair], env: { MONITOR_OUTAGE_THRESHOLD: '30' } });
    await f.clock.jump(opts.created);
    ({ id: tenantId, api_key: key } = await f.tenant('outage'));
    for (let i = 0; i < 3; i++) {
      await f.subscription(key, { account_id: (await f.account(key)).id, amount: 100, interval: 'day', auto_renew: false, ...(opts.anchor && { anchor: opts.anchor }) });
    }
    for (const slot of opts.runs) {
      await f.clock.jump(new Date(new Date(slot).getTime() + 5 * MIN));
      await f.run(key, slot);
    }
    const before = await count(f.t.db, 'invoices');
    await f.clock.jump('2025-05-16T01:00:00Z');
    expect((await f.o.expectations.evaluate('invoices-exist', 'schedule')).outcome).toBe('pass');

    await f.clock.jump('2025-05-18T01:00:00Z');
    const first = await f.o.expectations.evaluate('invoices-exist', 'schedule');
    expect(await signalsOf(f.t.db, 'invoices-exist')).toEqual([]);
    expect(first.outcome).toBe('unknown');
    expect(first.summary).toBe("Every due invoice exists: not judged yet for 1 tenant(s) (their slots fell in Overdue's own outage; re-verified after a fresh grace)");
    expect(first.by_tenant).toEqual({});
    expect(await stateOf(f.t.db, 'invoices-exist')).toMatchObject({
      status: 'passing',
      last_outcome: 'unknown',
      gap_start: new Date('2025-05-16T01:00:00Z'),
      resumed_at: new Date('2025-05-18T01:00:00Z'),
      last_evaluated_at: new Date('2025-05-18T01:00:00Z'),
    });
    expect(await count(f.t.db, 'invoices')).toBe(before);
  }
  /** Subscriptions from May 15 00:00, billed by the May 15 run. */
  const midnight = { created: '2025-05-15T00:00:00Z', runs: ['2025-05-15T02:00:00Z'] };
  /** Scheduled evaluations every minute up to `until`; their outcomes. */
  async function everyMinute(until: string, id = 'invoices-exist'): Promise<string[]> {
    const outcomes: string[] = [];
    while (f.clock.now() < new Date(until)) {
      await f.clock.advance(MIN);
      outcomes.push((await f.o.expectations.evaluate(id, 'schedule')).outcome);
    }
    return outcomes;
  }

  it('the missed runs made after resuming: the slots pass once judged and nothing ever signals', async () => {
    await outage(midnight);
    expect(await everyMinute('2025-05-18T01:05:00Z')).toEqual(Array(5).fill('unknown'));
    for (const slot of ['2025-05-16T02:00:00Z', '2025-05-17T02:00:00Z']) await f.run(key, slot);
    expect(await count(f.t.db, 'invoices')).toBe(9);
    // Past the resumption plus the tenant's grace (01:30), and on.
    expect(await everyMinute('2025-05-18T01:45:00Z')).toEqual(Array(40).fill('pass'));
    expect(await signalsOf(f.t.db, 'invoices-exist')).toEqual([]);
    expect(await count(f.t.db, 'remediations')).toBe(0);
    expect(await count(f.t.db, 'invoices')).toBe(9);
  });

  it('the missed runs never made: unknown during the fresh grace, then one failing signal, and the remediation repairs it', async () => {
    await outage(midnight);
    expect(await everyMinute('2025-05-18T01:29:00Z')).toEqual(Array(29).fill('unknown'));
    expect(await signalsOf(f.t.db, 'invoices-exist')).toEqual([]);

    // 01:30: the resumption plus the 30-minute grace. The slots of May 16 and 17 are judged now.
    await f.clock.advance(MIN);
    const r = await f.o.expectations.evaluate('invoices-exist', 'schedule');
    expect(r).toMatchObject({ outcome: 'pass', trigger: 'reverify' });
    const failed = await f.t.db.selectFrom('expectation_results').selectAll().where('outcome', '=', 'fail').execute();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ evaluated_at: new Date('2025-05-18T01:30:00Z'), trigger: 'schedule', by_tenant: { [tenantId]: 6 }, failing_count: 3 });

    const s = await signalsOf(f.t.db, 'invoices-exist');
    expect(s.map((x) => x.kind)).toEqual(['failing', 'update', 'update', 'recovered']);
    expect(s[0]).toMatchObject({ created_at: new Date('2025-05-18T01:30:00Z'), tenant_id: tenantId });
    expect(s[0]!.summary).toBe('6 invoices missing for 1 tenant: outage — slots 2025-05-16 02:00 and 2025-05-17 02:00 UTC');
    expect(s[2]!.summary).toBe('Remediation finished: 6 invoices repaired');

    // Each subscription has its periods of May 15, 16 and 17, once.
    const perSub = await f.t.db.selectFrom('invoices').select(({ fn }) => ['subscription_id', fn.countAll<bigint>().as('n')]).groupBy('subscription_id').execute();
    expect(perSub.map((p) => Number(p.n))).toEqual([3, 3, 3]);
    const ledger = await f.t.db.selectFrom('remediations').selectAll().orderBy('slot').execute();
    expect(ledger.map((x) => [x.tenant_id, x.slot.toISOString(), x.state, x.attempts])).toEqual([
      [tenantId, '2025-05-16T02:00:00.000Z', 'succeeded', 1],
      [tenantId, '2025-05-17T02:00:00.000Z', 'succeeded', 1],
    ]);

    expect(await everyMinute('2025-05-18T01:35:00Z')).toEqual(Array(5).fill('pass'));
    expect(await signalsOf(f.t.db, 'invoices-exist')).toHaveLength(4);
  });

  it("subscriptions anchored at the start of the day they were created (before that day's slot) are not judged for it either", async () => {
    // Anchored at 00:00 May 15 but created at 12:00: the May 15 02:00 slot could not bill them; their
    // first slot is May 16 02:00, in the gap. Their first period starts before the last slot judged
    // before the gap, but that does not make them judgeable for it.
    await outage({ created: '2025-05-15T12:00:00Z', anchor: '2025-05-15', runs: [] });
  });

  it('failing_count counts the failing rows of judged tenants only, however many unjudged ones there are', async () => {
    f = await expectationsFixture({ start: '2025-05-14T12:00:00Z', checks: noRepair, env: { MONITOR_OUTAGE_THRESHOLD: '30' } });
    const late = await f.tenant('late'); // one subscription never billed: failing since before the gap
    await f.subscription(late.api_key, { account_id: (await f.account(late.api_key)).id, amount: 100, interval: 'day', anchor: '2025-05-14', auto_renew: false });
    await f.clock.jump('2025-05-15T12:00:00Z');
    const busy = await f.tenant('busy'); // 21 subscriptions whose first slot falls in the gap
    for (let i = 0; i < 21; i++) await f.subscription(busy.api_key, { account_id: (await f.account(busy.api_key)).id, amount: 100, interval: 'day', auto_renew: false });
    await f.clock.jump('2025-05-16T01:00:00Z');
    expect(await f.o.expectations.evaluate('slots-no-repair', 'schedule')).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { [late.id]: 2 } });

    await f.clock.jump('2025-05-18T01:00:00Z');
    const r = await f.o.expectations.evaluate('slots-no-repair', 'schedule');
    expect(r).toMatchObject({ outcome: 'fail', by_tenant: { [late.id]: 4 } });
    expect(r.observed_value).toBe(4n);
    // The judged tenant's row, whatever order the query returns rows in (the sample is taken from them).
    expect({ failing_count: r.failing_count, sample: r.sample.map((x) => x.tenant_id) }).toEqual({ failing_count: 1, sample: [late.id] });
  });
});

describe(`the remediation ledger on ${backend}`, () => {
  let f: ExpectationsFixture;
  const at = (min: number) => new Date(new Date('2025-06-01T03:00:00Z').getTime() + min * MIN);
  const LEASE = 10 * MIN;
  beforeAll(async () => {
    f = await expectationsFixture({ start: '2025-06-01T03:00:00Z', checks: invoicesExist });
  });
  afterAll(() => f?.close());
  const newKey = () => ({ expectationId: 'invoices-exist', tenantId: randomUUID(), slot: new Date('2025-06-01T02:00:00Z') });
  const row = (id: bigint) => f.t.db.selectFrom('remediations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('a running claim with a live lease is not claimed twice; a failed one is claimed again; a succeeded one never', async () => {
    const key = newKey();
    const a = await claimRemediation(f.t.db, key, 'inst-a', at(0), LEASE);
    expect(a).toMatchObject({ attempts: 1 });
    expect(await claimRemediation(f.t.db, key, 'inst-b', at(1), LEASE)).toBeUndefined();
    expect(await claimRemediation(f.t.db, key, 'inst-a', at(10), LEASE)).toBeUndefined(); // lease_until is not yet past
    expect(await row(a!.id)).toMatchObject({ state: 'running', claimed_by: 'inst-a', lease_until: at(10), attempts: 1 });

    await finishRemediation(f.t.db, a!.id, 'inst-a', { state: 'failed', error: 'boom' }, at(2));
    expect(await row(a!.id)).toMatchObject({ state: 'failed', error: 'boom' });
    const b = await claimRemediation(f.t.db, key, 'inst-b', at(3), LEASE);
    expect(b).toEqual({ id: a!.id, attempts: 2 });
    expect(await row(a!.id)).toMatchObject({ state: 'running', claimed_by: 'inst-b', lease_until: at(13) });

    // A late finish from the previous owner changes nothing.
    await finishRemediation(f.t.db, a!.id, 'inst-a', { state: 'succeeded', result: { repaired: 1 } }, at(4));
    expect((await row(a!.id)).state).toBe('running');

    await finishRemediation(f.t.db, a!.id, 'inst-b', { state: 'succeeded', result: { repaired: 3 } }, at(5));
    expect(await row(a!.id)).toMatchObject({ state: 'succeeded', outcome: { repaired: 3 }, error: null, attempts: 2 });
    for (const [owner, min] of [
      ['inst-a', 6],
      ['inst-b', 30],
      ['inst-c', 60 * 24 * 30],
    ] as const) {
      expect(await claimRemediation(f.t.db, key, owner, at(min), LEASE)).toBeUndefined();
    }
    expect(await count(f.t.db, 'remediations')).toBe(1);
  });

  it('an abandoned claim (lease expired) is taken over', async () => {
    const key = newKey();
    const a = await claimRemediation(f.t.db, key, 'inst-a', at(0), LEASE);
    const b = await claimRemediation(f.t.db, key, 'inst-b', at(10.5), LEASE);
    expect(b).toEqual({ id: a!.id, attempts: 2 });
    expect(await row(a!.id)).toMatchObject({ state: 'running', claimed_by: 'inst-b', lease_until: at(20.5) });
    await finishRemediation(f.t.db, a!.id, 'inst-a', { state: 'failed', error: 'late' }, at(11));
    expect((await row(a!.id)).state).toBe('running');
    // Another slot or tenant is its own unit of repair.
    expect(await claimRemediation(f.t.db, { ...key, slot: new Date('2025-06-02T02:00:00Z') }, 'inst-a', at(12), LEASE)).toMatchObject({ attempts: 1 });
    expect(await claimRemediation(f.t.db, { ...key, tenantId: randomUUID() }, 'inst-a', at(12), LEASE)).toMatchObject({ attempts: 1 });
  });
});

describe.skipIf(!onPostgres)(`two instances repairing at once on ${backend}`, () => {
  let t: TestDatabase;
  const clock = new ManualClock('2025-06-01T00:00:00Z');
  let one: TestOverdue;
  let two: TestOverdue;
  let f: ExpectationsFixture;
  beforeAll(async () => {
    t = await testDatabase();
    f = await expectationsFixture({ start: '2025-06-01T00:00:00Z', checks: invoicesExist, database: t });
    one = f.o;
    two = await drivenOverdue({ database: t.another(), clock, checks: invoicesExist });
    for (const slug of ['north', 'south', 'east']) {
      const tenant = await f.tenant(slug);
      for (let i = 0; i < 4; i++) await f.subscription(tenant.api_key, { account_id: (await f.account(tenant.api_key)).id, amount: 100, interval: 'day', anchor: '2025-06-01', auto_renew: false });
    }
  });
  afterAll(async () => {
    await two?.stop();
    await f?.close();
  });

  it.skipIf(!onPostgres)('evaluating a failing invoices-exist at the same time creates each invoice once, with one succeeded repair per tenant and slot', async () => {
    expect(one.scheduler.instanceId).not.toBe(two.scheduler.instanceId);
    for (const [day, expected] of [
      ['2025-06-01', 12],
      ['2025-06-02', 24],
      ['2025-06-03', 36],
    ] as const) {
      await f.clock.jump(`${day}T02:31:00Z`);
      await clock.jump(`${day}T02:31:00Z`);
      const results = await Promise.all([one.expectations.evaluate('invoices-exist', 'api'), two.expectations.evaluate('invoices-exist', 'api')]);
      // An instance whose claims were all taken re-verifies at once, possibly while the other is still repairing.
      expect(results.map((r) => r.outcome)).toContain('pass');
      expect(await count(t.db, 'invoices')).toBe(expected);
      expect((await one.expectations.evaluate('invoices-exist', 'api')).outcome).toBe('pass');
    }
    const dupes = await t.db.selectFrom('invoices').select(['subscription_id', 'period_start']).groupBy(['subscription_id', 'period_start']).having((eb) => eb.fn.countAll(), '>', 1).execute();
    expect(dupes).toEqual([]);
    const ledger = await t.db.selectFrom('remediations').selectAll().execute();
    expect(ledger).toHaveLength(9);
    expect(new Set(ledger.map((r) => `${r.tenant_id}|${r.slot.toISOString()}`)).size).toBe(9);
    for (const r of ledger) {
      expect(r).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect([one.scheduler.instanceId, two.scheduler.instanceId]).toContain(r.claimed_by);
      expect(r.outcome).toEqual({ repaired: 4 });
    }
    // What the instances report having repaired adds up to the invoices, counted once.
    const all = await signalsOf(t.db, 'invoices-exist');
    const finished = all.filter((s) => s.summary.startsWith('Remediation finished'));
    expect(finished.reduce((n, s) => n + Number((s.evidence as { repaired: number }).repaired), 0)).toBe(36);
  });
});
