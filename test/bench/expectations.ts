/**
 * `npm run bench -- expectations [--tenants 10000] [--subs 100]`
 *
 * The `invoices-exist` expectation against real Postgres (DATABASE_URL, default
 * the local server), on a fresh database: 10,000 tenants × 100 daily
 * subscriptions (1,000,000) in five zones, each with its invoice for day 0,
 * except 0.1 % of them whose invoice run never happened (watermark behind,
 * no invoice). Times:
 *  - `select count(*) from subscriptions` (the floor);
 *  - one evaluation of `invoices-exist` through the same service the job calls;
 *  - its remediation (the invoice runs of the tenants concerned) and re-verify.
 * Checks that the missing set found is exactly the one made missing.
 * Goal (issue): evaluation ≤ 1 s and ≤ 5 × the floor.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import invoicesExist from '../../checks/invoices-exist.js';
import { runInvoices } from '../../src/billing/invoice-run.js';
import { findTenant } from '../../src/billing/tenant-store.js';
import { openPostgres } from '../../src/db/connect.js';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import type { ExpectationDefinition } from '../../src/expectations/define.js';
import { ExpectationService } from '../../src/expectations/service.js';
import { syncExpectations } from '../../src/expectations/store.js';
import { createLogger } from '../../src/logger.js';
import { createTelemetry } from '../../src/telemetry.js';
import { ManualClock } from '../support/clock.js';
import { benchDatabase } from './support/database.js';

const ZONES = ['UTC', 'America/Chicago', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const MISSING_FRACTION = 0.001;

const timed = async <T>(fn: () => Promise<T>) => {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
};

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { tenants: { type: 'string', default: '10000' }, subs: { type: 'string', default: '100' } } });
  const tenantsN = Number(values.tenants);
  const subsN = Number(values.subs);
  const database = await benchDatabase();
  const telemetry = createTelemetry({ serviceName: 'overdue-bench', spanExporters: [], metricReaders: [] });
  const logger = createLogger('silent');
  const handle = openPostgres(database.url, 8, { tracer: telemetry.tracer, logger });
  const db = handle.db;
  try {
    const migrated = await runMigrations(db, migrations);
    if (migrated.error) throw migrated.error;
    // Day 0 is 2025-05-16 local; the expectation was known from the day before.
    const clock = new ManualClock('2025-05-15T00:00:00Z');
    const def = (invoicesExist as unknown as { def: ExpectationDefinition }).def;
    await syncExpectations(db, [{ file: 'invoices-exist.ts', def }], clock.now());

    const seeded = await timed(async () => {
      await sql`
        insert into tenants (id, slug, name, timezone, currency, currency_exponent, invoice_schedule, invoice_grace_s, due_days, reminder_days, expiry_grace_days, created_at, updated_at)
        select gen_random_uuid(), 'bench-' || g, 'Bench ' || g, (${ZONES}::text[])[1 + g % ${ZONES.length}], 'USD', 2, '0 2 * * *', 1800, 7, '{7,3,1}', 7, '2025-05-01', '2025-05-01'
        from generate_series(1, ${tenantsN}::int) g`.execute(db);
      await sql`
        insert into accounts (id, tenant_id, name, email, external_id, created_at)
        select gen_random_uuid(), t.id, 'Customer', 'c@example.com', null, '2025-05-01' from tenants t`.execute(db);
      // Billed through day 0: next period is 1.
      await sql`
        insert into subscriptions (id, tenant_id, account_id, description, amount, currency, interval, interval_count, anchor, anchor_local, timezone,
                                   auto_renew, status, service_expires_at, next_period, next_period_start, ends_at, canceled_at, created_at, updated_at)
        select gen_random_uuid(), a.tenant_id, a.id, 'Plan', 1000, 'USD', 'day', 1,
               timestamp '2025-05-16 00:00' at time zone t.timezone, timestamp '2025-05-16 00:00', t.timezone,
               false, 'active', null, 1, timestamp '2025-05-17 00:00' at time zone t.timezone, null, null, '2025-05-01', '2025-05-01'
        from accounts a join tenants t on t.id = a.tenant_id cross join generate_series(1, ${subsN}::int) g`.execute(db);
      await sql`
        insert into invoices (id, tenant_id, account_id, subscription_id, period_index, period_start, period_end, currency, amount_due, amount_paid, status,
                              issued_at, due_at, run_slot, auto_pay, created_at, updated_at)
        select gen_random_uuid(), s.tenant_id, s.account_id, s.id, 0, s.anchor, s.next_period_start, 'USD', 1000, 0, 'open',
               '2025-05-16', s.anchor + interval '7 days', null, false, '2025-05-16', '2025-05-16'
        from subscriptions s`.execute(db);
      // The missing 0.1 %: their run never happened.
      await sql`
        with lost as (select id from subscriptions order by random() limit ${Math.round(tenantsN * subsN * MISSING_FRACTION)}::int),
             gone as (delete from invoices i using lost where i.subscription_id = lost.id returning i.subscription_id)
        update subscriptions s set next_period = 0, next_period_start = s.anchor from gone where s.id = gone.subscription_id`.execute(db);
      await sql`vacuum analyze`.execute(db);
    });
    const expected = new Set((await db.selectFrom('subscriptions').select('id').where('next_period', '=', 0).execute()).map((r) => r.id));
    const subs = Number((await sql<{ n: bigint }>`select count(*) as n from subscriptions`.execute(db)).rows[0]!.n);
    console.log(`expectations benchmark: ${tenantsN} tenants, ${subs} subscriptions, ${expected.size} missing invoices (seeded in ${(seeded.ms / 1000).toFixed(1)} s)`);

    // Every tenant's day-0 slot (02:00 local) plus its 30-minute grace has passed by 12:00Z.
    await clock.jump(new Date('2025-05-16T12:00:00Z'));
    const deps = {
      db,
      clock,
      logger,
      meter: telemetry.meter,
      outageThresholdMs: 86_400_000,
      remediation: {
        db,
        logger,
        now: () => clock.now(),
        instanceId: 'bench',
        runInvoices: async (tenantId: string, slot: Date) => runInvoices({ db, logger }, (await findTenant(db, tenantId))!, slot, () => clock.now()),
        settle: async () => ({ paid: 0 }),
      },
    };
    const service = new ExpectationService(deps);
    service.setDefinitions([def]);

    await sql`select count(*) from subscriptions`.execute(db); // warm
    const floor = await timed(() => sql`select count(*) from subscriptions`.execute(db));
    // Evaluation alone (no remediation): a copy of the definition without it.
    const evalOnly = new ExpectationService(deps);
    evalOnly.setDefinitions([{ ...def, remediation: undefined }]);
    await evalOnly.evaluate(def.id, 'api'); // warm
    const evaluation = await timed(() => evalOnly.evaluate(def.id, 'api'));
    const repaired = await timed(() => service.evaluate(def.id, 'api'));
    const created = Number((await sql<{ n: bigint }>`select count(*) as n from invoices where subscription_id = any(${[...expected]}::uuid[])`.execute(db)).rows[0]!.n);
    const after = await db.selectFrom('expectation_results').select(['outcome', 'trigger']).orderBy('id', 'desc').limit(3).execute();

    console.log('| step | ms | |');
    console.log('|---|---|---|');
    console.log(`| count(*) of subscriptions (floor) | ${floor.ms.toFixed(0)} | |`);
    console.log(`| evaluate invoices-exist | ${evaluation.ms.toFixed(0)} | ${(evaluation.ms / floor.ms).toFixed(2)} × floor; found ${evaluation.value.observed_value} missing in ${Object.keys(evaluation.value.by_tenant as object).length} tenants |`);
    console.log(`| evaluate + remediate + re-verify | ${repaired.ms.toFixed(0)} | created ${created} invoices; last results: ${after.map((r) => `${r.trigger}:${r.outcome}`).join(', ')} |`);
    const rightSet = Number(evaluation.value.observed_value) === expected.size && created === expected.size && after[0]!.outcome === 'pass';
    const pass = evaluation.ms <= 1000 && evaluation.ms <= 5 * floor.ms && rightSet;
    console.log(`goals: evaluation ≤ 1 s and ≤ 5 × floor, the right missing set found and repaired: ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await handle.close();
    await telemetry.shutdown();
    await database.drop();
  }
}
