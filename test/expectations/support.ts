import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { defineExpectation, type ExpectationDefinition } from '../../src/expectations/define.js';
import type { LoadedCheck } from '../../src/expectations/loader.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, ok, type Api } from '../support/http.js';
import { billingSetup, type BillingSetup } from '../support/tenants.js';
import { insertApiKey } from '../support/keys.js';

/** A loaded check made from a definition, as loadChecks would return it. */
export const check = (def: ExpectationDefinition, file = `${def.id}.ts`): LoadedCheck => ({ file, check: defineExpectation(def) });

export interface ExpectationsFixture extends Omit<BillingSetup, 'tenant'> {
  t: TestDatabase;
  o: TestOverdue & { pingKey: string };
  clock: ManualClock;
  admin: string;
  /** The shared test client (no default key). */
  call: Api;
  /** A UTC, USD tenant with this slug (and any other fields). */
  tenant(slug: string, extra?: Record<string, unknown>): Promise<{ id: string; slug: string; api_key: string }>;
  /** The body of a /api/v1 call that must succeed (2xx): POST when there is a body. */
  ok<T = any>(path: string, init?: { key?: string; body?: unknown; method?: string }): Promise<T>;
  close(): Promise<void>;
}

/**
 * A started service (background loops stopped: the test drives everything) on a
 * fresh database, with the given checks, a manual clock and an admin key.
 */
export async function expectationsFixture(opts: { start: string; checks: LoadedCheck[]; env?: Record<string, string>; database?: TestDatabase }): Promise<ExpectationsFixture> {
  const t = opts.database ?? (await testDatabase());
  const clock = new ManualClock(opts.start);
  const o = await drivenOverdue({ database: t, clock, checks: opts.checks, ...(opts.env && { env: opts.env }) });
  const admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
  const call = apiClient(o);
  const billing = billingSetup(call, admin);
  return {
    t,
    o,
    clock,
    admin,
    call,
    ok: (path, init = {}) => ok(call(init.method ?? (init.body === undefined ? 'GET' : 'POST'), `/api/v1${path}`, init.body, init.key)),
    ...billing,
    tenant: (slug, extra = {}) => billing.tenant({ slug, name: slug, timezone: 'UTC', currency: 'USD', ...extra }),
    close: async () => {
      await o.stop();
      await t.close();
    },
  };
}

export const signalsOf = (db: Kysely<Database>, id: string) => db.selectFrom('signals').selectAll().where('source', '=', `expectation:${id}`).orderBy('id').execute();

export const stateOf = (db: Kysely<Database>, id: string) => db.selectFrom('expectation_states').selectAll().where('expectation_id', '=', id).executeTakeFirst();

export async function count(db: Kysely<Database>, table: string, where = sql`true`): Promise<number> {
  const { rows } = await sql<{ n: bigint }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db);
  return Number(rows[0]!.n);
}
