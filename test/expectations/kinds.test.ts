import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backend } from '../support/db.js';
import { check, expectationsFixture, signalsOf, stateOf, type ExpectationsFixture } from './support.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const MIN = 60_000;

/** Small definitions over scratch tables: `violations` (invariants), `events` (freshness, volume), `flags` (thresholds). */
const checks = [
  check({
    id: 'inv',
    title: 'No violations',
    component: 'scratch',
    severity: 'critical',
    scope: 'forEachTenant',
    kind: 'invariant',
    unit: 'violations',
    failing: () => sql`select tenant_id, ref from violations order by ref`,
  }),
  check({ id: 'inv-warn', title: 'Violations warn', scope: 'platform', kind: 'invariant', warnOnly: true, failing: () => sql`select tenant_id, ref from violations` }),
  check({ id: 'inv-broken', title: 'Broken query', scope: 'platform', kind: 'invariant', failing: () => sql`select tenant_id from no_such_table` }),
  check({
    id: 'fresh',
    title: 'Events are fresh',
    scope: 'platform',
    kind: 'freshness',
    warnAfterS: 600,
    failAfterS: 3600,
    newest: () => sql`select null::uuid as tenant_id, max(at) as newest from events`,
  }),
  check({
    id: 'vol-abs',
    title: 'Two to four events an hour',
    scope: 'platform',
    kind: 'volume',
    windowS: 3600,
    min: 2,
    max: 4,
    count: ({ from, to }) => sql`select null::uuid as tenant_id, count(*) as n from events where at > ${from}::timestamptz and at <= ${to}::timestamptz`,
  }),
  check({
    id: 'vol-rel',
    title: 'Events per tenant like the last three hours',
    scope: 'forEachTenant',
    kind: 'volume',
    windowS: 3600,
    relative: { previousWindows: 3, tolerance: 0.5 },
    count: ({ from, to }) => sql`select tenant_id, count(*) as n from events where at > ${from}::timestamptz and at <= ${to}::timestamptz group by tenant_id`,
  }),
  check({
    id: 'vol-both',
    title: 'At least three events an hour, and about as many as before',
    scope: 'platform',
    kind: 'volume',
    windowS: 3600,
    min: 3,
    relative: { previousWindows: 3, tolerance: 1 },
    count: ({ from, to }) => sql`select null::uuid as tenant_id, count(*) as n from events where at > ${from}::timestamptz and at <= ${to}::timestamptz`,
  }),
  check({
    id: 'thr',
    title: 'No flags',
    component: 'flags',
    severity: 'minor',
    scope: 'forEachTenant',
    kind: 'invariant',
    failureThreshold: 2,
    recoveryThreshold: 2,
    failing: () => sql`select tenant_id from flags`,
  }),
];

describe(`expectation kinds on ${backend}`, () => {
  let f: ExpectationsFixture;
  const evaluate = (id: string) => f.o.expectations.evaluate(id, 'api');
  const ago = (ms: number) => new Date(f.clock.now().getTime() - ms);
  const events = async (rows: { tenant?: string; at: Date }[]) => {
    await sql`delete from events`.execute(f.t.db);
    for (const r of rows) await sql`insert into events (tenant_id, at) values (${r.tenant ?? null}::uuid, ${r.at}::timestamptz)`.execute(f.t.db);
  };
  const times = (n: number, tenant: string | undefined, at: (i: number) => Date) => Array.from({ length: n }, (_, i) => ({ tenant, at: at(i) }));

  beforeAll(async () => {
    f = await expectationsFixture({ start: '2026-03-10T12:00:00Z', checks });
    await sql`create table violations (tenant_id uuid, ref int)`.execute(f.t.db);
    await sql`create table events (tenant_id uuid, at timestamptz)`.execute(f.t.db);
    await sql`create table flags (tenant_id uuid)`.execute(f.t.db);
  });
  afterAll(() => f?.close());
  beforeEach(async () => {
    await sql`delete from violations`.execute(f.t.db);
  });

  it('invariant: no failing rows pass and signal nothing', async () => {
    const r = await evaluate('inv');
    expect(r).toMatchObject({ outcome: 'pass', failing_count: 0, sample: [], by_tenant: {}, error: null, trigger: 'api', summary: 'No violations: passing' });
    expect(r.observed_value).toBe(0n);
    expect(await signalsOf(f.t.db, 'inv')).toEqual([]);
  });

  it('invariant: failing rows give the count, the weight, 20 sample rows and the count per tenant, and one failing signal', async () => {
    const tenants = [...Array(15).fill(A), ...Array(9).fill(B), null];
    for (const [i, t] of tenants.entries()) await sql`insert into violations values (${t}::uuid, ${i})`.execute(f.t.db);
    const r = await evaluate('inv');
    expect(r.outcome).toBe('fail');
    expect(r.failing_count).toBe(25);
    expect(r.observed_value).toBe(25n);
    expect(r.sample).toHaveLength(20);
    expect(r.sample[0]).toEqual({ tenant_id: A, ref: 0 });
    expect(r.by_tenant).toEqual({ [A]: 15, [B]: 9, platform: 1 });
    expect(r.summary).toBe(`No violations: 25 violations for 2 tenants: ${A}, ${B}`);

    const s = await signalsOf(f.t.db, 'inv');
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ source: 'expectation:inv', kind: 'failing', component: 'scratch', severity: 'critical', tenant_id: null, summary: r.summary });
    expect(s[0]!.evidence).toMatchObject({ result_id: r.id.toString(), failing_count: 25, observed: '25' });
    expect(await stateOf(f.t.db, 'inv')).toMatchObject({ status: 'failing', consecutive_failures: 1, last_outcome: 'fail', last_result_id: r.id });

    // Clean again: one pass recovers it (recovery threshold 1).
    await sql`delete from violations`.execute(f.t.db);
    expect((await evaluate('inv')).outcome).toBe('pass');
    expect((await signalsOf(f.t.db, 'inv')).map((x) => x.kind)).toEqual(['failing', 'recovered']);
    expect((await stateOf(f.t.db, 'inv'))!.status).toBe('passing');
  });

  it('invariant with warnOnly: failing rows are a warning, which signals nothing', async () => {
    await sql`insert into violations values (${A}::uuid, 1), (${A}::uuid, 2)`.execute(f.t.db);
    const r = await evaluate('inv-warn');
    expect(r).toMatchObject({ outcome: 'warn', failing_count: 2, by_tenant: { [A]: 2 } });
    expect(r.summary).toContain('(warning)');
    expect(await signalsOf(f.t.db, 'inv-warn')).toEqual([]);
    expect(await stateOf(f.t.db, 'inv-warn')).toMatchObject({ status: 'passing', consecutive_passes: 1, last_outcome: 'warn' });
  });

  it('a query that breaks is recorded as an error, not thrown, and judges nothing', async () => {
    const r = await evaluate('inv-broken');
    expect(r.outcome).toBe('error');
    expect(r.error).toMatch(/no_such_table/);
    expect(r.summary).toMatch(/^Broken query: evaluation failed: .*no_such_table/);
    expect(r.observed_value).toBeNull();
    await evaluate('inv-broken');
    expect(await signalsOf(f.t.db, 'inv-broken')).toEqual([]);
    expect(await stateOf(f.t.db, 'inv-broken')).toMatchObject({ status: 'passing', consecutive_failures: 0, consecutive_passes: 0, last_outcome: 'error' });
    expect(await f.t.db.selectFrom('expectation_results').select('outcome').where('expectation_id', '=', 'inv-broken').execute()).toEqual([{ outcome: 'error' }, { outcome: 'error' }]);
  });

  it('freshness: newer than warnAfter passes, between warn and fail warns, older than failAfter or none fails', async () => {
    await events([]);
    let r = await evaluate('fresh');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { platform: 1 } });
    expect(r.sample).toEqual([{ tenant_id: null, newest: null, age_s: null, weight: 1 }]);

    await events([{ at: ago(5 * MIN) }, { at: ago(90 * MIN) }]);
    expect((await evaluate('fresh')).outcome).toBe('pass');

    await events([{ at: ago(20 * MIN) }, { at: ago(90 * MIN) }]);
    r = await evaluate('fresh');
    expect(r).toMatchObject({ outcome: 'warn', failing_count: 1 });
    expect(r.sample[0]).toMatchObject({ age_s: 1200, weight: 0 });

    await events([{ at: ago(61 * MIN) }]);
    r = await evaluate('fresh');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1 });
    expect(r.sample[0]).toMatchObject({ age_s: 3660, weight: 1 });
    expect((await signalsOf(f.t.db, 'fresh')).map((s) => s.kind)).toEqual(['failing', 'recovered', 'failing']);
  });

  it('volume with absolute bounds: inside passes, below min or above max fails', async () => {
    await events(times(3, undefined, (i) => ago((10 + i) * MIN)));
    let r = await evaluate('vol-abs');
    expect(r).toMatchObject({ outcome: 'pass', failing_count: 0 });
    expect(r.window_start).toEqual(ago(60 * MIN));
    expect(r.window_end).toEqual(f.clock.now());

    // Only one in the window (the others are older than an hour).
    await events([{ at: ago(10 * MIN) }, { at: ago(61 * MIN) }, { at: ago(120 * MIN) }]);
    r = await evaluate('vol-abs');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1 });
    expect(r.sample).toEqual([{ tenant_id: null, n: 1, lo: 2, hi: 4 }]);

    await events(times(5, undefined, (i) => ago((1 + i) * MIN)));
    r = await evaluate('vol-abs');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1 });
    expect(r.sample[0]).toMatchObject({ n: 5 });
  });

  /** `per` events of the tenant in each of the three previous hours, `now` in the current one. */
  const history = (tenant: string | undefined, per: number, now: number) => [
    ...times(now, tenant, (i) => ago((5 + i) * MIN)),
    ...[1, 2, 3].flatMap((h) => times(per, tenant, (i) => ago(h * 60 * MIN + (5 + i) * MIN))),
  ];

  it('volume relative to previous windows: within mean × (1 ± tolerance) passes, outside fails, per tenant', async () => {
    // Mean 4 an hour: bounds 2..6.
    await events([...history(A, 4, 4), ...history(B, 4, 2)]);
    expect((await evaluate('vol-rel')).outcome).toBe('pass');

    await events([...history(A, 4, 7), ...history(B, 4, 4)]);
    let r = await evaluate('vol-rel');
    expect(r).toMatchObject({ outcome: 'fail', failing_count: 1, by_tenant: { [A]: 1 } });
    expect(r.sample).toEqual([{ tenant_id: A, n: 7, lo: 2, hi: 6 }]);

    await events([...history(A, 4, 4), ...history(B, 4, 1)]);
    r = await evaluate('vol-rel');
    expect(r).toMatchObject({ outcome: 'fail', by_tenant: { [B]: 1 } });
    expect(r.sample[0]).toMatchObject({ tenant_id: B, n: 1 });
  });

  it('volume relative to previous windows: a tenant whose events stopped entirely (none this window) fails', async () => {
    // B had 4 an hour and has none now: 0 is outside 2..6, though B has no row in the current window's counts.
    await events([...history(A, 4, 4), ...history(B, 4, 0)]);
    const r = await evaluate('vol-rel');
    expect(r.outcome).toBe('fail');
    expect(r.by_tenant).toEqual({ [B]: 1 });
  });

  it('volume with min and relative bounds: both apply', async () => {
    // Two an hour before and now: inside the relative bounds (mean 2 × (1 ± 1) = 0..4), but below min 3.
    await events(history(undefined, 2, 2));
    const r = await evaluate('vol-both');
    expect(r.outcome).toBe('fail');
    expect(r.sample).toMatchObject([{ tenant_id: null, n: 2 }]);
    await events(history(undefined, 3, 3));
    expect((await evaluate('vol-both')).outcome).toBe('pass');
    await events(history(undefined, 3, 7));
    expect((await evaluate('vol-both')).outcome).toBe('fail'); // above mean × 2
  });

  it('thresholds: two failures to signal failing (once), two passes to signal recovered', async () => {
    const T = randomUUID();
    const flags = (on: boolean) => (on ? sql`insert into flags values (${T}::uuid)` : sql`delete from flags`).execute(f.t.db);
    const kinds = async () => (await signalsOf(f.t.db, 'thr')).map((s) => s.kind);
    await flags(true);

    expect((await evaluate('thr')).outcome).toBe('fail');
    expect(await kinds()).toEqual([]);
    expect(await stateOf(f.t.db, 'thr')).toMatchObject({ status: 'passing', consecutive_failures: 1 });

    const second = await evaluate('thr');
    expect(await kinds()).toEqual(['failing']);
    const [failing] = await signalsOf(f.t.db, 'thr');
    expect(failing).toMatchObject({ source: 'expectation:thr', tenant_id: T, component: 'flags', severity: 'minor', created_at: f.clock.now(), processed_at: null });
    expect(failing!.evidence).toMatchObject({ result_id: second.id.toString(), tenants: [{ id: T, slug: null, count: 1 }] });
    expect(await stateOf(f.t.db, 'thr')).toMatchObject({ status: 'failing', consecutive_failures: 2, failing_since: f.clock.now() });

    await f.clock.advance(MIN);
    await evaluate('thr');
    expect(await kinds()).toEqual(['failing']);
    expect(await stateOf(f.t.db, 'thr')).toMatchObject({ status: 'failing', consecutive_failures: 3 });

    await flags(false);
    await f.clock.advance(9 * MIN);
    expect((await evaluate('thr')).outcome).toBe('pass');
    expect(await kinds()).toEqual(['failing']);
    expect(await stateOf(f.t.db, 'thr')).toMatchObject({ status: 'failing', consecutive_failures: 0, consecutive_passes: 1 });

    // A failure in between resets the passes.
    await flags(true);
    await evaluate('thr');
    await flags(false);
    await evaluate('thr');
    expect(await kinds()).toEqual(['failing']);

    await evaluate('thr');
    expect(await kinds()).toEqual(['failing', 'recovered']);
    const recovered = (await signalsOf(f.t.db, 'thr'))[1]!;
    expect(recovered).toMatchObject({ component: 'flags', severity: 'minor', summary: 'No flags: passing again after 10 min' });
    expect(recovered.evidence).toMatchObject({ duration_s: 600 });
    expect(await stateOf(f.t.db, 'thr')).toMatchObject({ status: 'passing', failing_since: null, consecutive_passes: 2 });
  });
});
