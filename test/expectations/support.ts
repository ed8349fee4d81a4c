import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/database.js';
import { defineExpectation, type ExpectationDefinition } from '../../src/expectations/define.js';
import type { LoadedCheck } from '../../src/expectations/loader.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { testDatabase, type TestDatabase } from '../support/db.js';
import { json } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

/** A loaded check made from a definition, as loadChecks would return it. */
export const check = (def: ExpectationDefinition, file = `${def.id}.ts`): LoadedCheck => ({ file, check: defineExpectation(def) });

export interface ExpectationsFixture {
  t: TestDatabase;
  o: TestOverdue & { pingKey: string };
  clock: ManualClock;
  admin: string;
  /** A JSON call to /api/v1: the response status and parsed body. */
  call(path: string, init?: { key?: string; body?: unknown; method?: string }): Promise<{ status: number; body: any }>;
  /** The body of a call that must succeed (2xx). */
  ok<T = any>(path: string, init?: { key?: string; body?: unknown; method?: string }): Promise<T>;
  tenant(slug: string, extra?: Record<string, unknown>): Promise<{ id: string; slug: string; api_key: string }>;
  account(key: string): Promise<{ id: string }>;
  subscription(key: string, body: Record<string, unknown>): Promise<{ id: string; next_period_start: string }>;
  run(key: string, slot: string): Promise<{ created: number; existing: number; paid: number; notices: number }>;
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
  const call: ExpectationsFixture['call'] = async (path, init = {}) => {
    const res = await o.app.request(`/api/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(init.key && { authorization: `Bearer ${init.key}` }), 'content-type': 'application/json' },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, body: await json(res) };
  };
  const ok: ExpectationsFixture['ok'] = async (path, init) => {
    const r = await call(path, init);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  let n = 0;
  return {
    t,
    o,
    clock,
    admin,
    call,
    ok,
    tenant: (slug, extra = {}) => ok('/tenants', { key: admin, body: { slug, name: slug, timezone: 'UTC', currency: 'USD', ...extra } }),
    account: (key) => ok('/accounts', { key, body: { name: `Customer ${++n}`, email: `c${n}@example.com` } }),
    subscription: (key, body) => ok('/subscriptions', { key, body: { description: 'Fibre 100', ...body } }),
    run: (key, slot) => ok('/invoice-runs', { key, body: { slot } }),
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
