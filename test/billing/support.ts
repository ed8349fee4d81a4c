import { TestPaymentProvider } from '../../src/billing/providers.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, ok, type Api } from '../support/http.js';
import { billingSetup, type BillingSetup } from '../support/tenants.js';
import { insertApiKey } from '../support/keys.js';

export interface BillingFixture extends BillingSetup {
  t: TestDatabase;
  o: TestOverdue;
  admin: string;
  provider: TestPaymentProvider;
  /** The shared test client (no default key). */
  call: Api;
  /** The parsed body, failing the test on an unexpected status. */
  ok: typeof ok;
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
  const call = apiClient(o);
  return {
    t,
    o,
    admin,
    provider,
    call,
    ok,
    ...billingSetup(call, admin),
    close: async () => {
      await o.stop();
      await t.close();
    },
  };
}
