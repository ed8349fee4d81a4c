import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../support/db.js';
import { billingFixture, type BillingFixture } from './support.js';

/** Issue 18: tenants, accounts and subscriptions had no list routes. */
describe(`list routes for tenants, accounts and subscriptions on ${backend}`, () => {
  let f: BillingFixture;
  let acme: { id: string; slug: string; api_key: string };
  let globex: { id: string; slug: string; api_key: string };
  beforeAll(async () => {
    f = await billingFixture('2026-05-04T09:00:00Z');
    acme = await f.tenant({ slug: 'acme', name: 'Acme', timezone: 'UTC', currency: 'USD' });
    await f.o.clock.advance(1000);
    globex = await f.tenant({ slug: 'globex', name: 'Globex', timezone: 'Asia/Tokyo', currency: 'JPY' });
  });
  afterAll(async () => f?.close());

  /** Every item of a list, following next_cursor with pages of `limit`. */
  const all = async (path: string, key: string, limit: number) => {
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: any = await f.ok(f.call('GET', `/api/v1${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, undefined, key));
      seen.push(...body.data);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    return seen;
  };

  it('tenants: the admin key lists all, newest first, and finds one by slug; a tenant key sees only its own', async () => {
    expect((await all('/tenants', f.admin, 1)).map((t) => t.slug)).toEqual(['globex', 'acme']);
    expect((await f.ok<any>(f.call('GET', '/api/v1/tenants?slug=acme', undefined, f.admin))).data.map((t: any) => t.id)).toEqual([acme.id]);
    expect((await f.ok<any>(f.call('GET', '/api/v1/tenants?slug=nobody', undefined, f.admin))).data).toEqual([]);
    expect((await all('/tenants', globex.api_key, 10)).map((t) => t.id)).toEqual([globex.id]);
    expect((await f.ok<any>(f.call('GET', '/api/v1/tenants?slug=acme', undefined, globex.api_key))).data).toEqual([]);
    expect(JSON.stringify(await all('/tenants', f.admin, 10))).not.toMatch(/api_key|ping_key/);
  });

  it('accounts: with balances, by e-mail in any case and by external id, paged; never another tenant\'s', async () => {
    const made: { id: string }[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await f.account(acme.api_key, { name: `Customer ${i}`, email: i === 3 ? 'Billing@Wayne.example' : `c${i}@acme.example`, external_id: `cus_${i}` }));
      await f.o.clock.advance(1000);
    }
    await f.topUp(acme.api_key, made[3]!.id, 4900, 'pi_list');
    await f.account(globex.api_key, { name: 'Other', email: 'billing@wayne.example' });

    const listed = await all('/accounts', acme.api_key, 2);
    expect(listed.map((a) => a.id)).toEqual(made.map((a) => a.id).reverse());
    expect(listed.find((a) => a.id === made[3]!.id)).toMatchObject({ balance: 4900, currency: 'USD', email: 'Billing@Wayne.example' });
    expect(listed.find((a) => a.id === made[0]!.id)).toMatchObject({ balance: 0 });
    expect((await f.ok<any>(f.call('GET', '/api/v1/accounts?email=billing@WAYNE.example', undefined, acme.api_key))).data.map((a: any) => a.id)).toEqual([made[3]!.id]);
    expect((await f.ok<any>(f.call('GET', '/api/v1/accounts?external_id=cus_1', undefined, acme.api_key))).data.map((a: any) => a.id)).toEqual([made[1]!.id]);
    expect((await f.call('GET', '/api/v1/accounts', undefined, f.admin)).status).toBe(403);
    for (const bad of ['/accounts?cursor=nope', '/accounts?limit=0', `/accounts?email=${'x'.repeat(255)}`]) expect((await f.call('GET', '/api/v1' + bad, undefined, acme.api_key)).status, bad).toBe(400);
  });

  it('subscriptions: newest first, by account and by status', async () => {
    const a = await f.account(acme.api_key, { name: 'Subscriber', email: 's@acme.example' });
    const b = await f.account(acme.api_key, { name: 'Other', email: 'o@acme.example' });
    const s1 = await f.subscription(acme.api_key, { account_id: a.id, description: 'Plan', amount: 100, interval: 'month', anchor: '2026-05-04' });
    await f.o.clock.advance(1000);
    const s2 = await f.subscription(acme.api_key, { account_id: a.id, description: 'Add-on', amount: 50, interval: 'month', anchor: '2026-05-04' });
    await f.o.clock.advance(1000);
    const s3 = await f.subscription(acme.api_key, { account_id: b.id, description: 'Plan', amount: 100, interval: 'year', anchor: '2026-05-04' });
    await f.ok(f.call('POST', `/api/v1/subscriptions/${s2.id}/cancel`, { at_period_end: false }, acme.api_key));

    expect((await all('/subscriptions', acme.api_key, 2)).map((s) => s.id)).toEqual([s3.id, s2.id, s1.id]);
    expect((await all(`/subscriptions?account=${a.id}`, acme.api_key, 10)).map((s) => s.id)).toEqual([s2.id, s1.id]);
    expect((await all(`/subscriptions?account=${a.id}&status=active`, acme.api_key, 10)).map((s) => s.id)).toEqual([s1.id]);
    expect((await all('/subscriptions?status=canceled', acme.api_key, 10)).map((s) => s.id)).toEqual([s2.id]);
    expect(await all('/subscriptions', globex.api_key, 10)).toEqual([]);
    for (const bad of ['/subscriptions?status=paused', '/subscriptions?account=nope']) expect((await f.call('GET', '/api/v1' + bad, undefined, acme.api_key)).status, bad).toBe(400);
  });

  it('the new routes are in the OpenAPI document', async () => {
    const doc: any = await f.ok(f.call('GET', '/api/v1/openapi.json', undefined, f.admin));
    for (const path of ['/tenants', '/accounts', '/subscriptions']) expect(doc.paths[path].get, path).toBeDefined();
  });
});
