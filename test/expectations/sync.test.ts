import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksLoadError, loadChecks } from '../../src/expectations/loader.js';
import { testOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { insertApiKey } from '../support/keys.js';
import { check, count, expectationsFixture, stateOf, type ExpectationsFixture } from './support.js';

// Files in a temporary folder import the definitions by absolute file URL. The module
// cache is keyed by URL, so every version of a folder is written to a new folder.
const DEFINE = pathToFileURL(resolve('src/expectations/define.ts')).href;
const roots: string[] = [];
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'overdue-checks-'));
  roots.push(dir);
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  return dir;
}
const expectation = (id: string, title: string, extra = '') =>
  `import { sql } from 'kysely';\nimport { defineExpectation } from '${DEFINE}';\n` +
  `export default defineExpectation({ id: '${id}', title: '${title}', scope: 'platform', kind: 'invariant', failing: () => sql\`select null::uuid as tenant_id where false\`${extra} });\n`;
const heartbeat = (id: string) => `import { defineHeartbeat } from '${DEFINE}';\nexport const hb = defineHeartbeat({ id: '${id}', title: 'Nightly backup', schedule: { periodS: 86400 }, graceS: 3600 });\n`;
const loadError = async (dir: string): Promise<ChecksLoadError> => {
  const err: unknown = await loadChecks(dir).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ChecksLoadError);
  return err as ChecksLoadError;
};

afterAll(async () => {
  for (const dir of roots) await rm(dir, { recursive: true, force: true });
});

describe('loading checks/', () => {
  it('loads exactly the seven shipped expectations', async () => {
    const loaded = await loadChecks('checks');
    expect(loaded.map((c) => [c.check.type, c.check.def.id]).sort()).toEqual(
      ['balance-settles-open-invoices', 'billing-jobs-healthy', 'invoice-continuity', 'invoices-exist', 'ledger-balanced', 'reminders-sent', 'renewal-extends-expiry'].map((id) => ['expectation', id]),
    );
    for (const c of loaded) expect(c.file).toBe(`${c.check.def.id}.ts`);
  });

  it('skips helpers (_*), .d.ts and non-code files; a missing folder is empty', async () => {
    const dir = await folder({ 'a.ts': expectation('alpha', 'A'), '_helper.ts': 'export const x = 1;\n', 'types.d.ts': 'export {};\n', 'README.md': '# no\n' });
    expect((await loadChecks(dir)).map((c) => [c.file, c.check.def.id])).toEqual([['a.ts', 'alpha']]);
    expect(await loadChecks(join(dir, 'nope'))).toEqual([]);
  });

  it('loads .mjs files and several definitions per file (a default and a named export of one counts once)', async () => {
    const dir = await folder({
      'both.mjs': `import { defineExpectation, defineHeartbeat } from '${DEFINE}';\nconst e = defineExpectation({ id: 'mjs-one', title: 'M', scope: 'platform', kind: 'invariant', failing: () => null });\nexport default e;\nexport { e };\nexport const hb = defineHeartbeat({ id: 'mjs-hb', title: 'H', schedule: { cron: '0 3 * * *', tz: 'Europe/Berlin' }, graceS: 600 });\n`,
    });
    expect((await loadChecks(dir)).map((c) => `${c.file}:${c.check.type}:${c.check.def.id}`)).toEqual(['both.mjs:expectation:mjs-one', 'both.mjs:heartbeat:mjs-hb']);
  });

  it.each([
    ['a bad id', `id: 'A B', title: 'x', scope: 'platform', kind: 'invariant', failing: () => null`, /definition A B is invalid: id: id must be 2–63 characters/],
    ['a missing query', `id: 'no-query', title: 'x', scope: 'platform', kind: 'invariant'`, /definition no-query is invalid: failing: must be a function/],
    ['an unknown kind', `id: 'odd-kind', title: 'x', scope: 'platform', kind: 'weird', failing: () => null`, /definition odd-kind is invalid: kind: /],
    ['an unknown field', `id: 'extra', title: 'x', scope: 'platform', kind: 'invariant', failing: () => null, colour: 'red'`, /definition extra is invalid: .*colour/],
    ['a volume without bounds', `id: 'vol', title: 'x', scope: 'platform', kind: 'volume', windowS: 60, count: () => null`, /a volume expectation needs min, max or relative/],
    ['a bad cron', `id: 'cron', title: 'x', scope: 'platform', kind: 'invariant', schedule: { cron: 'every day', tz: 'UTC' }, failing: () => null`, /definition cron is invalid: schedule/],
  ])('an invalid definition (%s) stops the load naming the file and the reason', async (_, body, reason) => {
    const dir = await folder({ 'fine.ts': expectation('fine', 'Fine'), 'broken-def.ts': `import { defineExpectation } from '${DEFINE}';\nexport default defineExpectation({ ${body} } as never);\n` });
    const err = await loadError(dir);
    expect(err.file).toBe('broken-def.ts');
    expect(err.message).toMatch(/^broken-def\.ts: /);
    expect(err.message).toMatch(reason);
  });

  it('a file that exports no definition, or does not load, stops the load', async () => {
    let err = await loadError(await folder({ 'empty.ts': '' }));
    expect(err.message).toBe('empty.ts: exports no defineExpectation(…) or defineHeartbeat(…) definition');
    err = await loadError(await folder({ 'plain.ts': 'export const limit = 5;\n' }));
    expect(err.message).toMatch(/^plain\.ts: exports no defineExpectation/);
    err = await loadError(await folder({ 'throws.ts': "throw new Error('no database here');\n" }));
    expect(err.message).toBe('throws.ts: could not be loaded: no database here');
  });

  it('the same id in two files stops the load naming both', async () => {
    const err = await loadError(await folder({ 'one.ts': expectation('dup', 'One'), 'two.ts': expectation('dup', 'Two') }));
    expect(err.file).toBe('two.ts');
    expect(err.message).toBe('two.ts: expectation id dup is also defined in one.ts');
  });
});

/**
 * A fresh database for one describe block, and deploys onto it: each starts an
 * instance with a folder's checks (as a deploy would) and returns what the
 * sync changed. The instances are stopped and the database closed afterwards.
 */
function deployments() {
  let database: TestDatabase | undefined;
  const clock = new ManualClock('2026-02-01T00:00:00Z');
  const instances: TestOverdue[] = [];
  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => {
    for (const o of instances) await o.stop();
    await database?.close();
  });
  return {
    clock,
    get t(): TestDatabase {
      if (!database) throw new Error('the database opens in beforeAll');
      return database;
    },
    async deploy(dir: string) {
      const o = testOverdue({ database: this.t, clock, checks: await loadChecks(dir) });
      instances.push(o);
      const report = await o.start();
      await o.background.stop();
      return { o, checks: report.checks };
    },
  };
}

describe(`syncing checks to the database on ${backend}`, () => {
  const env = deployments();
  const { clock } = env;
  const deploy = (dir: string) => env.deploy(dir);
  const rows = () => env.t.db.selectFrom('expectations').selectAll().orderBy('id').execute();
  const backup = () => env.t.db.selectFrom('checks').select(['slug', 'tenant_id', 'status', 'name']).where('slug', '=', 'checks-nightly-backup').execute();

  it('adds, updates (by checksum), archives (results kept) and restores definitions; heartbeats become platform checks', async () => {
    const a = expectation('alpha', 'Alpha');
    const b = expectation('beta', 'Beta', ", severity: 'minor', failureThreshold: 3");
    let d = await deploy(await folder({ 'a.ts': a, 'b.ts': b, 'hb.ts': heartbeat('nightly-backup') }));
    expect(d.checks).toEqual({ created: ['alpha', 'beta'], updated: [], archived: [] });
    const first = await rows();
    expect(first.map((r) => [r.id, r.title, r.source_file, r.severity, r.failure_threshold, r.archived_at])).toEqual([
      ['alpha', 'Alpha', 'a.ts', 'major', 1, null],
      ['beta', 'Beta', 'b.ts', 'minor', 3, null],
    ]);
    expect(first[0]!.schedule).toEqual({ everyS: 60 });
    expect(await backup()).toEqual([{ slug: 'checks-nightly-backup', tenant_id: null, status: 'new', name: 'Nightly backup' }]);
    expect((await d.o.expectations.evaluate('beta', 'api')).outcome).toBe('pass');

    // The same files again: nothing changes. (The clock stays put: a deploy at a later time would
    // also let the new instance's first scheduler tick evaluate what came due.)
    d = await deploy(await folder({ 'a.ts': a, 'b.ts': b, 'hb.ts': heartbeat('nightly-backup') }));
    expect(d.checks).toEqual({ created: [], updated: [], archived: [] });

    // A changed title: updated, with a new checksum; the unchanged one keeps its row.
    d = await deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha v2'), 'b.ts': b, 'hb.ts': heartbeat('nightly-backup') }));
    expect(d.checks).toEqual({ created: [], updated: ['alpha'], archived: [] });
    const second = await rows();
    expect(second[0]).toMatchObject({ title: 'Alpha v2', source_file: 'a.ts', created_at: first[0]!.created_at });
    expect(second[0]!.checksum).not.toBe(first[0]!.checksum);
    expect(second[1]).toEqual(first[1]);

    // A removed file: archived, its results kept; it can no longer be evaluated. The removed heartbeat is paused.
    d = await deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha v2') }));
    expect(d.checks).toEqual({ created: [], updated: [], archived: ['beta'] });
    expect((await rows())[1]).toMatchObject({ id: 'beta', archived_at: clock.now() });
    expect(await env.t.db.selectFrom('expectation_results').select('outcome').where('expectation_id', '=', 'beta').execute()).toEqual([{ outcome: 'pass' }]);
    await expect(d.o.expectations.evaluate('beta', 'api')).rejects.toMatchObject({ code: 'not_found' });
    expect((await backup())[0]!.status).toBe('paused');
    const admin = await insertApiKey(env.t.db, { kind: 'admin' }, clock.now());
    const api = (path: string, method = 'GET') => d.o.app.request(`/api/v1/expectations${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
    expect(await (await api('/beta')).json()).toMatchObject({ id: 'beta', archived: true });
    const refused = await api('/beta/evaluate', 'POST');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_state' } });
    d = await deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha v2') }));
    expect(d.checks).toEqual({ created: [], updated: [], archived: [] });

    // Back again: un-archived (an update), and the heartbeat resumes.
    d = await deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha v2'), 'b2.ts': b, 'hb.ts': heartbeat('nightly-backup') }));
    expect(d.checks).toEqual({ created: [], updated: ['beta'], archived: [] });
    expect((await rows())[1]).toMatchObject({ id: 'beta', archived_at: null, source_file: 'b2.ts' });
    expect((await d.o.expectations.evaluate('beta', 'api')).outcome).toBe('pass');
    expect((await backup())[0]!.status).not.toBe('paused');
  });
});

describe(`a heartbeat from checks/ next to a tenant's check of the same slug on ${backend}`, () => {
  const env = deployments();

  it("becomes a platform check of its own and leaves the tenant's check alone", async () => {
    const first = await env.deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha') }));
    const tenantKey = await insertApiKey(env.t.db, { kind: 'tenant', tenantId: randomUUID() }, env.clock.now());
    const res = await first.o.app.request('/api/v3/checks/', {
      method: 'POST',
      headers: { 'X-Api-Key': tenantKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'My backup', slug: 'checks-nightly-backup', timeout: 600, grace: 60 }),
    });
    expect(res.status).toBe(201);
    const mine = (await res.json()) as { uuid: string };

    await env.deploy(await folder({ 'a.ts': expectation('alpha', 'Alpha'), 'hb.ts': heartbeat('nightly-backup') }));
    const rows = await env.t.db.selectFrom('checks').select(['id', 'tenant_id', 'name', 'timeout_s', 'grace_s']).where('slug', '=', 'checks-nightly-backup').orderBy('created_at').execute();
    expect(rows.find((r) => r.id === mine.uuid)).toMatchObject({ name: 'My backup', timeout_s: 600, grace_s: 60 });
    expect(rows.filter((r) => r.tenant_id === null)).toMatchObject([{ name: 'Nightly backup', timeout_s: 86_400, grace_s: 3600 }]);
  });
});

describe(`run bounds of a heartbeat from checks/ on ${backend}`, () => {
  const env = deployments();

  it('minDurationS and maxDurationS become the check\'s bounds, cleared when the definition drops them; min ≥ max stops the load', async () => {
    const bounded = (extra: string) =>
      `import { defineHeartbeat } from '${DEFINE}';\nexport const hb = defineHeartbeat({ id: 'etl', title: 'ETL', schedule: { periodS: 86400 }, graceS: 3600${extra} });\n`;
    const bounds = () => env.t.db.selectFrom('checks').select(['min_duration_s', 'max_duration_s']).where('slug', '=', 'checks-etl').executeTakeFirstOrThrow();
    await env.deploy(await folder({ 'etl.ts': bounded(', minDurationS: 60, maxDurationS: 7200') }));
    expect(await bounds()).toEqual({ min_duration_s: 60, max_duration_s: 7200 });
    await env.deploy(await folder({ 'etl.ts': bounded('') }));
    expect(await bounds()).toEqual({ min_duration_s: null, max_duration_s: null });
    const err = await loadError(await folder({ 'etl.ts': bounded(', minDurationS: 600, maxDurationS: 60') }));
    expect(err.message).toMatch(/definition etl is invalid: minDurationS: minDurationS must be less than maxDurationS/);
  });
});

describe(`the expectations API on ${backend}`, () => {
  let f: ExpectationsFixture;
  let acme: { id: string; api_key: string };
  let globex: { id: string; api_key: string };
  let initech: { id: string; api_key: string };
  const results = (path: string, key: string) => f.ok(`/expectations/api-rows${path}`, { key });

  beforeAll(async () => {
    f = await expectationsFixture({
      start: '2026-02-01T00:00:00Z',
      checks: [
        check({
          id: 'api-rows',
          title: 'No bad rows',
          description: 'Bad rows must not exist.',
          unit: 'bad rows',
          component: 'billing',
          scope: 'forEachTenant',
          kind: 'invariant',
          failing: () => sql`select tenant_id, ref from bad_rows order by ref`,
        }),
        check({ id: 'api-other', title: 'Other', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` }),
      ],
    });
    acme = await f.tenant('acme');
    globex = await f.tenant('globex');
    initech = await f.tenant('initech');
    await sql`create table bad_rows (tenant_id uuid, ref int)`.execute(f.t.db);
    await sql`insert into bad_rows values (${acme.id}::uuid, 1), (${acme.id}::uuid, 2), (${globex.id}::uuid, 3)`.execute(f.t.db);
  });
  afterAll(() => f?.close());

  it('needs a valid key (401) and names unknown expectations (404)', async () => {
    expect((await f.call('GET', '/api/v1/expectations')).status).toBe(401);
    expect((await f.call('GET', '/api/v1/expectations', undefined, 'od_nope')).status).toBe(401);
    expect((await f.call('POST', '/api/v1/expectations/api-rows/evaluate', {})).status).toBe(401);
    for (const [path, method] of [['/expectations/nope', 'GET'], ['/expectations/nope/results', 'GET'], ['/expectations/nope/evaluate', 'POST']] as const) {
      const r = await f.call(method, `/api/v1${path}`, method === 'POST' ? {} : undefined, f.admin);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });

  it('lists expectations and shows one, with its state once evaluated', async () => {
    const list = await f.ok('/expectations', { key: f.admin });
    expect(list.data.map((e: { id: string }) => e.id)).toEqual(['api-other', 'api-rows']);
    expect(list.data[1]).toMatchObject({ id: 'api-rows', title: 'No bad rows', kind: 'invariant', scope: 'forEachTenant', severity: 'major', component: 'billing', source_file: 'api-rows.ts', archived: false, state: null });
    const one = await f.ok('/expectations/api-rows', { key: f.admin });
    expect(one).toMatchObject({ id: 'api-rows', description: 'Bad rows must not exist.', unit: 'bad rows', latest_result: null, tenants: [], state: null });
  });

  it('evaluates on demand; an admin sees every tenant, a tenant key only its own part', async () => {
    const admin = await f.ok('/expectations/api-rows/evaluate', { key: f.admin, body: {} });
    expect(admin).toMatchObject({ outcome: 'fail', failing_count: 3, observed_value: '3', by_tenant: { [acme.id]: 2, [globex.id]: 1 }, trigger: 'api' });
    expect(admin.sample).toHaveLength(3);
    expect(admin.summary).toMatch(/^No bad rows: 3 bad rows for 2 tenants: (acme, globex|globex, acme)$/);

    // A tenant key evaluates its own part only: not stored as a result of the whole, no thresholds moved, no signals.
    const before = { results: await count(f.t.db, 'expectation_results'), signals: await count(f.t.db, 'signals'), state: await stateOf(f.t.db, 'api-rows') };
    const mine = await f.ok('/expectations/api-rows/evaluate', { key: globex.api_key, body: {} });
    expect(mine).toMatchObject({ id: null, scope: 'tenant', outcome: 'fail', failing_count: 1, observed_value: '1', by_tenant: { [globex.id]: 1 }, sample: [{ tenant_id: globex.id, ref: 3 }], repaired: null });
    expect(mine.summary).toBeUndefined();
    expect(JSON.stringify(mine)).not.toContain(acme.id);
    const clean = await f.ok('/expectations/api-rows/evaluate', { key: initech.api_key, body: {} });
    expect(clean).toMatchObject({ outcome: 'pass', failing_count: 0, by_tenant: {}, sample: [] });
    expect({ results: await count(f.t.db, 'expectation_results'), signals: await count(f.t.db, 'signals'), state: await stateOf(f.t.db, 'api-rows') }).toEqual(before);

    // A platform-wide expectation needs the admin key.
    const refused = await f.call('POST', '/api/v1/expectations/api-other/evaluate', {}, globex.api_key);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await count(f.t.db, 'expectation_results')).toBe(before.results);

    const shownToAdmin = await f.ok('/expectations/api-rows', { key: f.admin });
    expect(shownToAdmin.state).toMatchObject({ status: 'failing', last_outcome: 'fail' });
    expect(shownToAdmin.tenants).toHaveLength(2);
    const shownToAcme = await f.ok('/expectations/api-rows', { key: acme.api_key });
    expect(shownToAcme).toMatchObject({ state: null, tenants: [{ tenant_id: acme.id, outcome: 'fail', failing: 2 }] });
    expect(shownToAcme.latest_result).toMatchObject({ by_tenant: { [acme.id]: 2 }, sample: [{ tenant_id: acme.id, ref: 1 }, { tenant_id: acme.id, ref: 2 }] });
    expect(JSON.stringify(shownToAcme)).not.toContain(globex.id);
  });

  it("a tenant key does not see the overall state (failing because of other tenants), in the list as in GET /:id", async () => {
    expect((await f.ok('/expectations/api-rows', { key: f.admin })).state).toMatchObject({ status: 'failing' });
    expect((await f.ok('/expectations/api-rows', { key: initech.api_key })).state).toBeNull();
    const listed = await f.ok('/expectations', { key: initech.api_key });
    expect(listed.data.map((e: { id: string; state: unknown }) => [e.id, e.state])).toEqual([['api-other', null], ['api-rows', null]]);
  });

  it('pages results newest first with next_cursor', async () => {
    for (let i = 0; i < 3; i++) await f.o.expectations.evaluate('api-rows', 'api');
    const all = await results('/results', f.admin);
    expect(all.data).toHaveLength(4); // the admin's evaluation and these three (tenants' own evaluations are not stored)
    expect(all.next_cursor).toBeNull();
    const ids = all.data.map((r: { id: string }) => BigInt(r.id));
    expect([...ids].sort((x, y) => (x < y ? 1 : -1))).toEqual(ids);

    const seen: string[] = [];
    let page = await results('/results?limit=4', f.admin);
    seen.push(...page.data.map((r: { id: string }) => r.id));
    expect(page.next_cursor).toBe(page.data[3].id);
    page = await results(`/results?limit=4&cursor=${page.next_cursor}`, f.admin);
    seen.push(...page.data.map((r: { id: string }) => r.id));
    expect(page.next_cursor).toBeNull();
    expect(seen).toEqual(all.data.map((r: { id: string }) => r.id));

    const tenantView = await results('/results?limit=2', acme.api_key);
    expect(tenantView.data.every((r: { by_tenant: object }) => Object.keys(r.by_tenant).every((k) => k === acme.id))).toBe(true);
    expect((await f.call('GET', '/api/v1/expectations/api-rows/results?limit=0', undefined, f.admin)).status).toBe(400);
    expect((await f.call('GET', '/api/v1/expectations/api-rows/results?cursor=abc', undefined, f.admin)).status).toBe(400);
  });
});

