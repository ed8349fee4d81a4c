import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChecks } from '../../src/expectations/loader.js';
import { backend } from '../support/db.js';
import { check, count, expectationsFixture, signalsOf, stateOf, type ExpectationsFixture } from './support.js';

// POST /api/v1/expectations/:id/evaluate with a tenant key evaluates and repairs that tenant only:
// it repairs none of the other tenants' missing invoices, stores no result of the whole, moves no
// thresholds and writes no signals. The admin key evaluates and repairs for everyone.
describe(`a tenant's own evaluation on ${backend}`, () => {
  let f: ExpectationsFixture;
  const tenants: Record<string, { id: string; api_key: string }> = {};
  const invoicesOf = async (tenantId: string) => Number((await sql<{ n: bigint }>`select count(*) as n from invoices i join accounts a on a.id = i.account_id where a.tenant_id = ${tenantId}::uuid`.execute(f.t.db)).rows[0]!.n);

  beforeAll(async () => {
    const invoicesExist = (await loadChecks('checks')).filter((c) => c.check.def.id === 'invoices-exist');
    f = await expectationsFixture({
      start: '2025-05-14T12:00:00Z',
      checks: [...invoicesExist, check({ id: 'platform-rows', title: 'Platform rows', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` })],
    });
    await f.clock.jump('2025-05-15T00:00:00Z');
    for (const slug of ['north', 'south']) {
      tenants[slug] = await f.tenant(slug);
      for (let i = 0; i < 3; i++) await f.subscription(tenants[slug]!.api_key, { account_id: (await f.account(tenants[slug]!.api_key)).id, amount: 100, interval: 'day', auto_renew: false });
    }
    await f.clock.jump('2025-05-15T02:05:00Z');
    for (const slug of ['north', 'south']) await f.run(tenants[slug]!.api_key, '2025-05-15T02:00:00Z');
    // The runs of May 16 and 17 never happened, for either tenant.
    await f.clock.jump('2025-05-17T03:00:00Z');
  });
  afterAll(() => f?.close());

  it('a tenant key repairs its own missing invoices only, and records nothing shared', async () => {
    const { north, south } = tenants;
    expect([await invoicesOf(north!.id), await invoicesOf(south!.id)]).toEqual([3, 3]);
    const r = await f.ok('/expectations/invoices-exist/evaluate', { key: north!.api_key, body: {} });
    expect(r).toMatchObject({ id: null, scope: 'tenant', outcome: 'pass', trigger: 'reverify', repaired: 6, by_tenant: {}, sample: [] });
    expect(JSON.stringify(r)).not.toContain(south!.id);
    expect([await invoicesOf(north!.id), await invoicesOf(south!.id)]).toEqual([9, 3]);
    const ledger = await f.t.db.selectFrom('remediations').select(['tenant_id', 'slot', 'state']).orderBy('slot').execute();
    expect(ledger).toEqual([
      { tenant_id: north!.id, slot: new Date('2025-05-16T02:00:00Z'), state: 'succeeded' },
      { tenant_id: north!.id, slot: new Date('2025-05-17T02:00:00Z'), state: 'succeeded' },
    ]);
    expect(await count(f.t.db, 'expectation_results')).toBe(0);
    expect(await signalsOf(f.t.db, 'invoices-exist')).toEqual([]);
    expect(await stateOf(f.t.db, 'invoices-exist')).toBeUndefined();

    // Evaluated again by the other tenant: it sees (and repairs) only its own.
    const again = await f.ok('/expectations/invoices-exist/evaluate', { key: south!.api_key, body: {} });
    expect(again).toMatchObject({ outcome: 'pass', trigger: 'reverify', repaired: 6 });
    expect([await invoicesOf(north!.id), await invoicesOf(south!.id)]).toEqual([9, 9]);
    // Nothing left to repair: a plain evaluation, no remediation.
    expect(await f.ok('/expectations/invoices-exist/evaluate', { key: north!.api_key, body: {} })).toMatchObject({ outcome: 'pass', trigger: 'api', repaired: null });
    expect(await count(f.t.db, 'remediations')).toBe(4);
  });

  it('a platform-wide run needs the admin key: a tenant key on a platform expectation is 403, nothing evaluated', async () => {
    const refused = await f.call('POST', '/api/v1/expectations/platform-rows/evaluate', {}, tenants.north!.api_key);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await count(f.t.db, 'expectation_results')).toBe(0);
    const admin = await f.ok('/expectations/platform-rows/evaluate', { key: f.admin, body: {} });
    expect(admin).toMatchObject({ outcome: 'pass', trigger: 'api' });
    expect(admin.id).not.toBeNull();
    expect(await count(f.t.db, 'expectation_results')).toBe(1);
  });
});
