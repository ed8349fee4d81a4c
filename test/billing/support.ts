import { TestPaymentProvider } from '../../src/billing/providers.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

export type V1Call = (path: string, init?: { method?: string; key?: string; body?: unknown; idem?: string }) => Promise<Response>;

/** A JSON call to the instance's /api/v1 (POST when there is a body), with a key and an Idempotency-Key when given. */
export function v1Caller(o: Pick<TestOverdue, 'app'>): V1Call {
  return (path, init = {}) =>
    Promise.resolve(
      o.app.request(`/api/v1${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(init.key && { authorization: `Bearer ${init.key}` }),
          'content-type': 'application/json',
          ...(init.idem && { 'Idempotency-Key': init.idem }),
        },
        ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      }),
    );
}

export interface BillingFixture {
  t: TestDatabase;
  o: TestOverdue;
  admin: string;
  provider: TestPaymentProvider;
  /** A JSON call to /api/v1 (POST when there is a body). */
  call: V1Call;
  /** The parsed body, failing the test on an unexpected status. */
  ok<T = any>(res: Promise<Response> | Response, status?: number): Promise<T>;
  tenant(body: Record<string, unknown>): Promise<{ id: string; slug: string; api_key: string }>;
  account(key: string, body?: Record<string, unknown>): Promise<{ id: string }>;
  subscription(key: string, body: Record<string, unknown>): Promise<{ id: string; next_period_start: string; status: string }>;
  topUp(key: string, accountId: string, amount: number, reference: string): Promise<any>;
  run(key: string, slot: string): Promise<{ created: number; existing: number; paid: number; notices: number }>;
  close(): Promise<void>;
}

/**
 * The real service on a test database with a manual clock (not started: no
 * background loops, so tests drive invoice runs and jobs themselves) and the
 * test payment provider.
 */
export async function billingFixture(start: string): Promise<BillingFixture> {
  const t = await testDatabase();
  const provider = new TestPaymentProvider();
  const o = testOverdue({ database: t, clock: new ManualClock(start), paymentProvider: provider });
  const admin = await insertApiKey(t.db, { kind: 'admin' }, o.clock.now());
  const call = v1Caller(o);
  const ok: BillingFixture['ok'] = async (res, status) => {
    const r = await res;
    const body = await json(r);
    if (status !== undefined ? r.status !== status : r.status >= 300) throw new Error(`expected ${status ?? '2xx'}, got ${r.status}: ${JSON.stringify(body)}`);
    return body;
  };
  let n = 0;
  return {
    t,
    o,
    admin,
    provider,
    call,
    ok,
    tenant: (body) => ok(call('/tenants', { key: admin, body }), 201),
    account: (key, body = {}) => ok(call('/accounts', { key, body: { name: `Customer ${++n}`, email: `c${n}@example.com`, ...body } }), 201),
    subscription: (key, body) => ok(call('/subscriptions', { key, body: { description: 'Fibre 100', ...body } }), 201),
    topUp: (key, accountId, amount, reference) => ok(call(`/accounts/${accountId}/top-ups`, { key, body: { amount, reference } })),
    run: (key, slot) => ok(call('/invoice-runs', { key, body: { slot } }), 200),
    close: async () => {
      await o.stop();
      await t.close();
    },
  };
}
