import { isDeepStrictEqual } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/keys.js';
import type { DatabaseHandle } from '../src/db/connect.js';
import type { Database } from '../src/db/database.js';
import { defineHeartbeat } from '../src/expectations/define.js';
import type { LoadedCheck } from '../src/expectations/loader.js';
import type { StartReport } from '../src/overdue.js';
import { ensureServiceCheck } from '../src/scheduler/job-checks.js';
import { testOverdue, type TestOverdue } from './support/app.js';
import { ManualClock } from './support/clock.js';
import { backend, onPostgres, testDatabase, type TestDatabase } from './support/db.js';
import { check } from './expectations/support.js';

// Every start-up write must be safe when several instances start at the same
// moment on an empty database (a fresh deploy scaled to N replicas): the
// migrations, the admin key, the platform ping key, the default page, the
// expectation and heartbeat syncs, and the job rows and job checks the
// scheduler writes on its first tick.

const START = '2026-03-02T10:00:00Z';
const CHECKS: LoadedCheck[] = [
  check({ id: 'alpha', title: 'Alpha', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` }),
  check({ id: 'beta', title: 'Beta', scope: 'platform', kind: 'invariant', failing: () => sql`select null::uuid as tenant_id where false` }),
  { file: 'backup.ts', check: defineHeartbeat({ id: 'nightly-backup', title: 'Nightly backup', schedule: { periodS: 86_400 }, graceS: 3600 }) },
  { file: 'export.ts', check: defineHeartbeat({ id: 'hourly-export', title: 'Hourly export', schedule: { cron: '5 * * * *', tz: 'Europe/Berlin' }, graceS: 600 }) },
];

const open: { instances: TestOverdue[]; databases: TestDatabase[] } = { instances: [], databases: [] };
afterEach(async () => {
  for (const o of open.instances.splice(0)) await o.stop();
  for (const t of open.databases.splice(0)) await t.close();
});

function instance(database: DatabaseHandle): TestOverdue {
  const o = testOverdue({ database, clock: new ManualClock(START), env: { MIGRATE: 'on' }, checks: CHECKS });
  open.instances.push(o);
  return o;
}

/** What must exist exactly once after any number of starts, as counts and duplicates. */
async function startupState(db: Kysely<Database>) {
  const count = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(db)).rows[0]!.n);
  return {
    adminKeys: await count(sql`select count(*)::int as n from api_keys where kind = 'admin' and revoked_at is null`),
    platformPingKeys: await count(sql`select count(*)::int as n from ping_keys where tenant_id is null`),
    pages: await count(sql`select count(*)::int as n from pages`),
    expectations: (await db.selectFrom('expectations').select(['id', 'archived_at']).orderBy('id').execute()).map((r) => [r.id, r.archived_at]),
    heartbeatChecks: (await db.selectFrom('checks').select(['slug', 'status']).where('slug', 'like', 'checks-%').orderBy('slug').execute()).map((r) => [r.slug, r.status]),
    // Any slug twice under one ping key (heartbeat checks, job checks, the tick check) is a lost race.
    duplicateSlugs: (await sql<{ slug: string; n: number }>`select slug, count(*)::int as n from checks group by ping_key, slug having count(*) > 1`.execute(db)).rows,
    jobsWithoutCheck: (await db.selectFrom('jobs').select('key').where('check_id', 'is', null).execute()).map((r) => r.key),
    jobChecksWithoutJob: (await sql<{ slug: string }>`select c.slug from checks c where c.slug like 'job-%' and not exists (select 1 from jobs j where j.check_id = c.id)`.execute(db)).rows,
  };
}

const EXPECTED = {
  adminKeys: 1,
  platformPingKeys: 1,
  pages: 1,
  expectations: [
    ['alpha', null],
    ['beta', null],
  ],
  heartbeatChecks: [
    ['checks-hourly-export', 'new'],
    ['checks-nightly-backup', 'new'],
  ],
  duplicateSlugs: [],
  jobsWithoutCheck: [],
  jobChecksWithoutJob: [],
};

/** The instances' scheduler work of a first tick (job rows, job checks, the tick check), all at once. */
async function tickAll(instances: TestOverdue[], db: Kysely<Database>) {
  await Promise.all(instances.map((o) => o.background.stop()));
  await Promise.all(instances.map((o) => o.scheduler.tick()));
  // The tick check is created and pinged off the tick; wait for every instance's first ping.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pings p join checks c on c.id = p.check_id where c.slug = 'overdue-scheduler'`.execute(db);
    if (rows[0]!.n >= instances.length) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} of ${instances.length} tick pings arrived`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function errorLogs(instances: TestOverdue[]) {
  return instances.flatMap((o) => o.logs.filter((l) => l.level >= 50).map((l) => `${l.msg}: ${l.err?.message ?? ''}`));
}

/**
 * What went wrong in one round of concurrent starts, as named findings (so
 * every round runs and the failures can be counted); empty when all is well.
 */
async function startProblems(t: TestDatabase, reports: StartReport[], instances: TestOverdue[]): Promise<string[]> {
  const problems: string[] = [];
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (!isDeepStrictEqual(actual, expected)) problems.push(`${what}: ${JSON.stringify(actual)}`);
  };
  // The migrations ran once, the admin key was generated (and shown) once, every instance got the same ping key.
  same('instances that applied migrations', reports.filter((r) => r.migrated.length > 0).length, 1);
  const generated = reports.flatMap((r) => (r.generatedAdminKey ? [r.generatedAdminKey] : []));
  same('generated admin keys', generated.length, 1);
  same('stored admin key', await t.db.selectFrom('api_keys').select('key_hash').where('kind', '=', 'admin').execute(), generated.slice(0, 1).map((k) => ({ key_hash: hashApiKey(k) })));
  same('distinct platform ping keys reported', new Set(reports.map((r) => r.platformPingKey)).size, 1);
  // Each expectation was created by exactly one instance; nobody archived or rewrote anything.
  same('expectations reported created', reports.flatMap((r) => r.checks!.created).sort(), ['alpha', 'beta']);
  same('expectations reported updated or archived', reports.flatMap((r) => [...r.checks!.updated, ...r.checks!.archived]), []);
  const state = await startupState(t.db);
  for (const [key, expected] of Object.entries(EXPECTED)) same(key, state[key as keyof typeof state], expected);
  same('error logs', errorLogs(instances), []);
  return problems;
}

describe.skipIf(!onPostgres)('N instances starting at once on an empty database (Postgres only: PGlite is one session and cannot race)', () => {
  const N = 4;
  const ROUNDS = 6;

  it(`${N} instances started together, ${ROUNDS} times on fresh databases: all start, and everything they write exists once`, { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const t = await testDatabase({ migrated: false });
      open.databases.push(t);
      const instances = [instance(t), ...Array.from({ length: N - 1 }, () => instance(t.another()))];
      const settled = await Promise.allSettled(instances.map((o) => o.start()));
      const rejected = settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error)?.message ?? s.reason)] : []));
      const reports = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])) as StartReport[];
      const migrateErrors = reports.flatMap((r) => (r.migrateError ? [r.migrateError.message] : []));
      const problems =
        rejected.length + migrateErrors.length > 0
          ? [...rejected, ...migrateErrors]
          : await tickAll(instances, t.db)
              .then(() => startProblems(t, reports, instances))
              .catch((err: Error) => [err.message]);
      if (problems.length > 0) failures.push(`round ${round}: ${problems.join('; ')}`);
      // Each round's pools are closed before the next (the server's connections are shared).
      for (const o of open.instances.splice(0)) await o.stop();
      for (const d of open.databases.splice(0)) await d.close();
    }
    expect(failures).toEqual([]);
  });

  it(`a service check ensured by ${N} pools at once is one check, and every caller gets its id`, async () => {
    const t = await testDatabase();
    open.databases.push(t);
    const pools = [t, ...Array.from({ length: N - 1 }, () => t.another())];
    const spec = { slug: 'overdue-scheduler', name: 'Overdue scheduler tick', timeoutS: 60, graceS: 60 };
    const ids = await Promise.all(pools.map((p) => ensureServiceCheck(p.db, spec, new Date(START))));
    expect(new Set(ids).size).toBe(1);
    expect(await t.db.selectFrom('checks').select('id').where('slug', '=', spec.slug).execute()).toEqual([{ id: ids[0] }]);
  });
});

describe(`starting again on ${backend}`, () => {
  it('a second start (sequential, or at once on one session) changes nothing and generates no second admin key', { timeout: 60_000 }, async () => {
    const t = await testDatabase({ migrated: false });
    open.databases.push(t);
    const first = instance(t);
    const report = await first.start();
    expect(report.migrateError).toBeUndefined();
    expect(report.generatedAdminKey).toBeDefined();
    expect(report.checks).toEqual({ created: ['alpha', 'beta'], updated: [], archived: [] });
    await tickAll([first], t.db);
    const before = await startupState(t.db);
    expect(before).toEqual(EXPECTED);

    const again = await instance(t).start();
    expect(again).toEqual({ migrated: [], platformPingKey: report.platformPingKey, checks: { created: [], updated: [], archived: [] } });
    // Two more at once on the same handle: on PGlite the locks never contend, and nothing waits on itself.
    const both = await Promise.all([instance(t).start(), instance(t).start()]);
    for (const r of both) expect(r).toEqual(again);
    expect(await startupState(t.db)).toEqual(before);
    expect(errorLogs(open.instances)).toEqual([]);
  });
});
