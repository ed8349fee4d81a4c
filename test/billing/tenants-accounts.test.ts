import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestOverdue } from '../support/app.js';
import { testOverdue } from '../support/app.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

describe(`tenants, accounts, balances and top-ups on ${backend}`, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let admin: string;
  const call = apiClient(() => o);
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };

  beforeAll(async () => {
    t = await testDatabase();
    o = testOverdue({ database: t });
    await o.start();
    admin = await insertApiKey(t.db, { kind: 'admin' }, o.clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('the admin creates tenants; the tenant key is returned once and stored hashed', async () => {
    const res = await call('POST', '/api/v1/tenants', { slug: 'acme', name: 'Acme ISP', timezone: 'America/Chicago', currency: 'USD' }, admin);
    expect(res.status).toBe(201);
    acme = res.body;
    expect(acme).toMatchObject({
      slug: 'acme',
      timezone: 'America/Chicago',
      currency: 'USD',
      currency_exponent: 2,
      invoice_schedule: '0 2 * * *',
      invoice_grace: 1800,
      due_days: 7,
      reminder_days: [7, 3, 1],
    });
    expect(acme.api_key).toMatch(/^od_tenant_/);
    expect((acme as unknown as { ping_key: string }).ping_key).toMatch(/^[a-z0-9]{22}$/);
    const stored = await t.db.selectFrom('api_keys').select('key_hash').where('tenant_id', '=', acme.id).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(acme.api_key);

    globex = (await call('POST', '/api/v1/tenants', { slug: 'globex', name: 'Globex', timezone: 'Asia/Tokyo', currency: 'JPY', invoice_schedule: '30 1 * * *', reminder_days: [1, 5] }, admin)).body;
    expect(globex).toMatchObject({ currency_exponent: 0, invoice_schedule: '30 1 * * *', reminder_days: [5, 1] });
  });

  it('bad tenant input is 400 naming the field; a taken slug is 409; tenant keys cannot create tenants', async () => {
    const before = (await t.db.selectFrom('tenants').select('id').execute()).length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ slug: 'A B', name: 'x', timezone: 'UTC', currency: 'USD' }, /^slug/],
      [{ slug: 'ok-slug', name: '', timezone: 'UTC', currency: 'USD' }, /^name/],
      [{ slug: 'ok-slug', name: 'x', timezone: 'Mars/Base', currency: 'USD' }, /^timezone/],
      [{ slug: 'ok-slug', name: 'x', timezone: 'UTC', currency: 'XXQ' }, /^currency/],
      [{ slug: 'ok-slug', name: 'x', timezone: 'UTC', currency: 'USD', invoice_schedule: 'every day' }, /^invoice_schedule/],
      [{ slug: 'ok-slug', name: 'x', timezone: 'UTC', currency: 'USD', invoice_grace: 0 }, /^invoice_grace/],
      [{ slug: 'ok-slug', name: 'x', timezone: 'UTC', currency: 'USD', reminder_days: [3, 3] }, /^reminder_days/],
    ];
    for (const [body, message] of cases) {
      const res = await call('POST', '/api/v1/tenants', body, admin);
      const err = res.body.error;
      expect([res.status, err.code]).toEqual([400, 'validation_failed']);
      expect(err.message).toMatch(message);
    }
    const dup = await call('POST', '/api/v1/tenants', { slug: 'acme', name: 'Again', timezone: 'UTC', currency: 'USD' }, admin);
    expect(dup.status).toBe(409);
    const byTenant = await call('POST', '/api/v1/tenants', { slug: 'sneaky', name: 'x', timezone: 'UTC', currency: 'USD' }, acme.api_key);
    expect(byTenant.status).toBe(403);
    expect((await t.db.selectFrom('tenants').select('id').execute()).length).toBe(before);
  });

  it("a tenant key reads its own tenant and accounts; another tenant's ids are 404, never 403", async () => {
    expect((await call('GET', `/api/v1/tenants/${acme.id}`, undefined, acme.api_key)).status).toBe(200);
    expect((await call('GET', `/api/v1/tenants/${globex.id}`, undefined, acme.api_key)).status).toBe(404);
    expect((await call('GET', `/api/v1/tenants/${globex.id}`, undefined, admin)).status).toBe(200);

    const acct = (await call('POST', '/api/v1/accounts', { name: 'Initech', email: 'billing@initech.example', external_id: 'cust-1' }, globex.api_key)).body;
    expect(acct).toMatchObject({ balance: 0, currency: 'JPY', external_id: 'cust-1' });
    expect((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, acme.api_key)).status).toBe(404);
    expect((await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 100, reference: 'x' }, acme.api_key)).status).toBe(404);
    expect((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, admin)).status).toBe(403);
    const dupExt = await call('POST', '/api/v1/accounts', { name: 'Other', email: 'o@initech.example', external_id: 'cust-1' }, globex.api_key);
    expect(dupExt.status).toBe(409);
  });

  it('top-ups credit the balance through balanced ledger transactions; a reference never credits twice', async () => {
    const acct = (await call('POST', '/api/v1/accounts', { name: 'Wayne', email: 'bruce@wayne.example' }, acme.api_key)).body;
    const first = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 2500, reference: 'pi_1' }, acme.api_key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amount: 2500, balance: 2500, currency: 'USD' });
    const big = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: '9007199254740993', reference: 'pi_2' }, acme.api_key);
    expect((big.body).balance).toBe('9007199254743493'); // beyond 2^53: exact, as a string
    const again = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 2500, reference: 'pi_1' }, acme.api_key);
    expect([again.status, (again.body).balance]).toEqual([200, '9007199254743493']);

    const ledger = (await call('GET', `/api/v1/accounts/${acct.id}/ledger?limit=1`, undefined, acme.api_key)).body;
    expect(ledger.data).toHaveLength(1);
    expect(ledger.data[0]).toMatchObject({ kind: 'top_up', direction: 'credit', amount: '9007199254740993', reference: 'pi_2' });
    const page2 = (await call('GET', `/api/v1/accounts/${acct.id}/ledger?limit=1&cursor=${ledger.next_cursor}`, undefined, acme.api_key)).body;
    expect(page2.data[0]).toMatchObject({ amount: 2500, reference: 'pi_1' });

    // Every transaction balances; the cached balance equals the entries.
    const sums = await t.db
      .selectFrom('ledger_entries')
      .select((eb) => ['transaction_id', eb.fn.sum<bigint>(eb.case().when('direction', '=', 'debit').then(eb.ref('amount')).else(eb.neg(eb.ref('amount'))).end()).as('net')])
      .groupBy('transaction_id')
      .execute();
    expect(sums.every((s) => BigInt(s.net) === 0n)).toBe(true);
  });

  it('bad amounts are 400 and write nothing', async () => {
    const acct = (await call('POST', '/api/v1/accounts', { name: 'Stark', email: 'tony@stark.example' }, acme.api_key)).body;
    for (const amount of [0, -5, 1.5, '1.50', '+10', '1e3', 9007199254740993, '99999999999999999999', null, 'ten']) {
      const res = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount, reference: `r-${String(amount)}` }, acme.api_key);
      expect([String(amount), res.status]).toEqual([String(amount), 400]);
    }
    expect(((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, acme.api_key)).body).balance).toBe(0);
  });

  // Issue 17 item 6: the replay answered 200 echoing the new amount, and 2^63−1 was accepted and then made every later top-up a 500.
  it('a reference replayed with a different amount is 409 idempotency_conflict; amounts past 10^16 are 400; totals never overflow', async () => {
    const acct = (await call('POST', '/api/v1/accounts', { name: 'Edge', email: 'edge@acme.example' }, acme.api_key)).body;
    expect((await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 1000, reference: 'pi_edge' }, acme.api_key)).status).toBe(201);
    const changed = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 5000, reference: 'pi_edge' }, acme.api_key);
    const err = (changed.body).error;
    expect([changed.status, err.code]).toEqual([409, 'idempotency_conflict']);
    expect(err.message).toContain('1000');
    expect(((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, acme.api_key)).body).balance).toBe(1000);

    const huge = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: '9223372036854775807', reference: 'pi_huge' }, acme.api_key);
    expect([huge.status, (huge.body).error.message]).toEqual([400, expect.stringMatching(/^amount must be .*at most 10000000000000000/)]);

    // The tenant's clearing account sums every top-up: the posting that would pass 10^18 is a 400, and the next ordinary one still lands.
    const clearing = () => t.db.selectFrom('ledger_accounts').select(['id', 'posted_debits']).where('tenant_id', '=', acme.id).where('allow_negative', '=', true).execute();
    const before = await clearing();
    await t.db.updateTable('ledger_accounts').set({ posted_debits: (10n ** 18n - 5n).toString() as never }).where('tenant_id', '=', acme.id).where('allow_negative', '=', true).execute();
    const over = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 10, reference: 'pi_over' }, acme.api_key);
    expect([over.status, (over.body).error.code]).toEqual([400, 'validation_failed']);
    const fits = await call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 5, reference: 'pi_fits' }, acme.api_key);
    expect(fits.status).toBe(201);
    expect(((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, acme.api_key)).body).balance).toBe(1005);
    // Put the cached totals back to what the entries say (the 5 that landed included), for the tests after this one.
    for (const row of before) {
      const sum = await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<string>('amount').as('n')).where('account_id', '=', row.id).where('direction', '=', 'debit').executeTakeFirstOrThrow();
      await t.db.updateTable('ledger_accounts').set({ posted_debits: String(sum.n ?? 0) as never }).where('id', '=', row.id).execute();
    }
  });

  it.runIf(onPostgres)('concurrent top-ups on one account all land, each once (ledger sums hold)', async () => {
    const acct = (await call('POST', '/api/v1/accounts', { name: 'Parallel', email: 'p@acme.example' }, acme.api_key)).body;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => call('POST', `/api/v1/accounts/${acct.id}/top-ups`, { amount: 100, reference: `par-${i % 20}` }, acme.api_key)),
    );
    expect(results.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(((await call('GET', `/api/v1/accounts/${acct.id}`, undefined, acme.api_key)).body).balance).toBe(2000);
  });
});
