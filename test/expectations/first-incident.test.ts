import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChecks } from '../../src/expectations/loader.js';
import { setJobPaused } from '../../src/scheduler/store.js';
import { drivenOverdue, type TestOverdue } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { backend, testDatabase, type TestDatabase } from '../support/db.js';
import { apiClient, ok } from '../support/http.js';
import { insertApiKey } from '../support/keys.js';

// The first incident report: a half-applied upgrade on May 16 stopped scheduled tasks; the
// invoices of May 17 and 18 never appeared and nobody noticed until May 19. Replayed here with
// the invoice-run jobs stopped for two days while alerting and expectations go on.
// Days of scheduler, evaluator and incident ticks on a manual clock: slow on PGlite and small machines.
describe(`the first incident, replayed on ${backend}`, { timeout: 150_000 }, () => {
  let t: TestDatabase;
  let o: TestOverdue;
  let clock: ManualClock;
  let admin: string;
  const tenants: Record<string, { id: string; api_key: string }> = {};
  const call = (path: string, key: string, body?: unknown) => ok(apiClient(o)(body === undefined ? 'GET' : 'POST', `/api/v1${path}`, body, key));
  /**
   * Moves the clock in steps, letting the alert loop and the scheduler (jobs and evaluations) work at
   * each. Every-minute jobs catch up `latest`, so a longer step runs each job once, as a short one
   * does: the steps are as fine as the assertions about when something happened need, no finer.
   */
  const runUntil = async (until: string, stepMs = 5 * 60_000) => {
    const end = new Date(until).getTime();
    while (clock.now().getTime() < end) {
      await clock.jump(new Date(Math.min(end, clock.now().getTime() + stepMs)));
      await o.alerts.tick();
      await o.scheduler.tick();
      await o.scheduler.idle();
    }
  };
  const signals = (source: string) => t.db.selectFrom('signals').selectAll().where('source', '=', source).orderBy('id').execute();
  const invoiceCount = async () => Number((await sql<{ n: bigint }>`select count(*) as n from invoices`.execute(t.db)).rows[0]!.n);

  beforeAll(async () => {
    t = await testDatabase();
    clock = new ManualClock('2025-05-15T12:00:00Z');
    // Time moves here in 5–30 minute steps, so the every-minute reminder job cannot keep within
    // reminders-sent's 5-minute tolerance (it has its own tests in shipped-checks.test.ts).
    const checks = (await loadChecks('checks')).filter((c) => c.check.def.id !== 'reminders-sent');
    o = await drivenOverdue({ database: t, clock, checks });
    admin = await insertApiKey(t.db, { kind: 'admin' }, clock.now());
    for (const [slug, timezone] of [
      ['acme', 'America/Chicago'],
      ['globex', 'Europe/Berlin'],
    ] as const) {
      const tenant = await call('/tenants', admin, { slug, name: slug, timezone, currency: 'USD' });
      tenants[slug] = tenant;
      for (let i = 0; i < 3; i++) {
        const account = await call('/accounts', tenant.api_key, { name: `c${i}`, email: `c${i}@${slug}.example` });
        await call('/subscriptions', tenant.api_key, { account_id: account.id, description: 'daily', amount: 100, interval: 'day', anchor: '2025-05-15', auto_renew: false });
      }
    }
    // The jobs run as usual on May 16 (their heartbeats are up), then stop: the half-applied upgrade.
    o.scheduler.refreshSources();
    await runUntil('2025-05-16T12:00:00Z', 3 * 60 * 60_000);
    for (const slug of Object.keys(tenants)) await setJobPaused(t.db, `billing.invoice-run:${slug}`, true, clock.now());
  });
  afterAll(async () => {
    await o?.stop();
    await t?.close();
  });

  it('before the upgrade, the May 16 runs billed May 15 and 16 and every check passed', async () => {
    expect(await invoiceCount()).toBe(12);
    // (Heartbeats publish their flips as signals too; with time moving in 30-minute jumps Overdue's own
    // scheduler tick check flaps, which is not what this scenario is about.)
    const expectationSignals = await t.db.selectFrom('signals').selectAll().where('source', 'like', 'expectation:%').execute();
    expect(expectationSignals.map((s) => [s.source, s.kind, s.summary])).toEqual([]);
    const checks = await t.db.selectFrom('jobs').innerJoin('checks', 'checks.id', 'jobs.check_id').select('checks.status').where('jobs.key', 'like', 'billing.invoice-run:%').execute();
    expect(checks.map((c) => c.status)).toEqual(['up', 'up']);
  });

  it("Berlin's run slot passes unrun: the job's heartbeat goes down, invoices-exist fails within the grace and is repaired", async () => {
    // globex: 02:00 CEST on May 17 is 00:00Z; the job's grace (max run time) is 15 min, the tenant's invoice grace 30 min.
    // Hours at a time through the quiet evening, then five minutes at a time around the slot.
    await runUntil('2025-05-16T23:55:00Z', 4 * 60 * 60_000);
    await runUntil('2025-05-17T00:14:00Z');
    const job = await t.db.selectFrom('jobs').innerJoin('checks', 'checks.id', 'jobs.check_id').select(['checks.status']).where('jobs.key', '=', 'billing.invoice-run:globex').executeTakeFirstOrThrow();
    expect(job.status).not.toBe('down');
    expect(await signals('expectation:invoices-exist')).toEqual([]);
    await runUntil('2025-05-17T00:20:00Z');
    const flip = await t.db
      .selectFrom('flips')
      .innerJoin('jobs', 'jobs.check_id', 'flips.check_id')
      .select(['flips.created', 'flips.new_status'])
      .where('jobs.key', '=', 'billing.invoice-run:globex')
      .where('flips.new_status', '=', 'down')
      .executeTakeFirstOrThrow();
    expect(flip).toEqual({ created: new Date('2025-05-17T00:15:00Z'), new_status: 'down' });
    expect(await signals('expectation:invoices-exist')).toEqual([]); // still within the invoice grace

    await runUntil('2025-05-17T00:35:00Z');
    const s = await signals('expectation:invoices-exist');
    expect(s.map((x) => x.kind)).toEqual(['failing', 'update', 'update', 'recovered']);
    const failing = s[0]!;
    expect(failing.created_at).toEqual(new Date('2025-05-17T00:30:00Z')); // the slot plus the tenant's 30-minute grace
    // The May 17 period of each of globex's three subscriptions.
    expect(failing.summary).toBe('3 invoices missing for 1 tenant: globex — slot 2025-05-17 02:00 Europe/Berlin');
    expect(failing.tenant_id).toBe(tenants.globex!.id);
    expect(failing.component).toBe('billing');
    expect(failing.likely_cause).toMatch(/^heartbeat down for billing\.invoice-run:globex/);
    expect((failing.evidence as { tenants: unknown[] }).tenants).toEqual([{ id: tenants.globex!.id, slug: 'globex', count: 3 }]);
    expect(s[2]!.summary).toBe('Remediation finished: 3 invoices repaired');
    expect(await invoiceCount()).toBe(15);
    const remediations = await t.db.selectFrom('remediations').selectAll().execute();
    expect(remediations.map((r) => [r.tenant_id, r.slot.toISOString(), r.state])).toEqual([[tenants.globex!.id, '2025-05-17T00:00:00.000Z', 'succeeded']]);
  });

  it('two days of stopped jobs: each tenant and day is found and repaired once; nothing duplicated, nothing missing', async () => {
    await runUntil('2025-05-19T05:35:00Z', 3 * 60 * 60_000);
    await runUntil('2025-05-19T08:00:00Z', 60 * 60_000);
    const s = await signals('expectation:invoices-exist');
    const failing = s.filter((x) => x.kind === 'failing');
    expect(failing.map((x) => x.summary)).toEqual([
      '3 invoices missing for 1 tenant: globex — slot 2025-05-17 02:00 Europe/Berlin',
      '3 invoices missing for 1 tenant: acme — slot 2025-05-17 02:00 America/Chicago',
      '3 invoices missing for 1 tenant: globex — slot 2025-05-18 02:00 Europe/Berlin',
      '3 invoices missing for 1 tenant: acme — slot 2025-05-18 02:00 America/Chicago',
      '3 invoices missing for 1 tenant: globex — slot 2025-05-19 02:00 Europe/Berlin',
      '3 invoices missing for 1 tenant: acme — slot 2025-05-19 02:00 America/Chicago',
    ]);
    expect(s.filter((x) => x.kind === 'recovered')).toHaveLength(6);
    // Each subscription has exactly its periods of May 15–19, once.
    const perSub = await sql<{ n: bigint; first: Date; last: Date }>`
      select count(*) as n, min(period_start) as first, max(period_start) as last from invoices group by subscription_id`.execute(t.db);
    expect(perSub.rows).toHaveLength(6);
    for (const r of perSub.rows) expect(Number(r.n)).toBe(5);
    expect(await invoiceCount()).toBe(30);
    // The jobs themselves are still down, and that has its own failing expectation.
    const jobs = await signals('expectation:billing-jobs-healthy');
    expect(jobs.map((x) => x.kind)).toEqual(['failing']);
  });

  it('the jobs come back: their catch-up finds everything already there, and the job expectation recovers', async () => {
    for (const slug of Object.keys(tenants)) await setJobPaused(t.db, `billing.invoice-run:${slug}`, false, clock.now());
    await runUntil('2025-05-19T09:00:00Z');
    expect(await invoiceCount()).toBe(30);
    const runs = await t.db.selectFrom('job_runs').select(['job_key', 'state']).where('job_key', 'like', 'billing.invoice-run:%').execute();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.state === 'succeeded' || r.state === 'skipped')).toBe(true);
    expect((await signals('expectation:billing-jobs-healthy')).map((x) => x.kind)).toEqual(['failing', 'recovered']);
  });
});
