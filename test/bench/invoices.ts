/**
 * `npm run bench -- invoices [--tenants 1000] [--subs 1000] [--concurrency 4]`
 *
 * Invoice runs against real Postgres (DATABASE_URL, default the local server),
 * on a fresh database:
 *  - 1,000 tenants × 1,000 daily subscriptions (10 per account), anchored at
 *    local midnight on day 0 in a mix of zones, auto-renew off (the run's
 *    auto-pay and notice steps still run; they find nothing to do);
 *  - one invoice-run slot (day 0, 02:00 local) for every tenant, with the
 *    same `runInvoices` the scheduler job calls, `concurrency` tenants at a time;
 *  - the same slot again (must create 0 rows, goal < 10 % of the first run's time);
 *  - the slot of day 3 after days 1 and 2 were missed (3 periods per subscription);
 *  - a raw `INSERT … SELECT generate_series` of as many rows into a table made
 *    `LIKE invoices INCLUDING ALL` (same columns, checks and indexes; no foreign keys).
 * Goal (issue): invoices/s ≥ 0.5 × the raw rate.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { systemClock } from '../../src/clock.js';
import { runInvoices } from '../../src/billing/invoice-run.js';
import { listTenants, type TenantRow } from '../../src/billing/tenant-store.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/connect.js';
import { runMigrations } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { createLogger } from '../../src/logger.js';
import { createTelemetry } from '../../src/telemetry.js';
import { benchDatabase } from './support/database.js';

const ZONES = ['UTC', 'America/Chicago', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney'];
const GOAL_RATIO = 0.5;
const GOAL_RERUN = 0.1;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function eachTenant(tenants: TenantRow[], concurrency: number, fn: (t: TenantRow) => Promise<number>): Promise<number> {
  let next = 0;
  let total = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tenants.length) {
        const n = await fn(tenants[next++]!);
        total += n;
      }
    }),
  );
  return total;
}

async function seed(handle: DatabaseHandle, tenants: number, subs: number): Promise<void> {
  const db = handle.db;
  // Day 0 is 2025-05-16 local; every subscription is daily, anchored at its local midnight.
  await sql`
    insert into tenants (id, slug, name, timezone, currency, currency_exponent, invoice_schedule, invoice_grace_s, due_days, reminder_days, expiry_grace_days, created_at, updated_at)
    select gen_random_uuid(), 'bench-' || g, 'Bench ' || g, (${ZONES}::text[])[1 + g % ${ZONES.length}], 'USD', 2, '0 2 * * *', 1800, 7, '{7,3,1}', 7, now(), now()
    from generate_series(1, ${tenants}::int) g`.execute(db);
  await sql`
    insert into accounts (id, tenant_id, name, email, external_id, created_at)
    select gen_random_uuid(), t.id, 'Customer ' || g, 'c' || g || '@example.com', null, now()
    from tenants t cross join generate_series(1, ${Math.ceil(subs / 10)}::int) g`.execute(db);
  await sql`
    insert into subscriptions (id, tenant_id, account_id, description, amount, currency, interval, interval_count, anchor, anchor_local, timezone,
                               auto_renew, status, service_expires_at, next_period, next_period_start, ends_at, canceled_at, created_at, updated_at)
    select gen_random_uuid(), a.tenant_id, a.id, 'Plan', 1000 + g, 'USD', 'day', 1,
           timestamp '2025-05-16 00:00' at time zone t.timezone, timestamp '2025-05-16 00:00', t.timezone,
           false, 'active', null, 0, timestamp '2025-05-16 00:00' at time zone t.timezone, null, null, now(), now()
    from accounts a join tenants t on t.id = a.tenant_id cross join generate_series(1, 10) g`.execute(db);
  await sql`analyze`.execute(db);
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { tenants: { type: 'string', default: '1000' }, subs: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '4' } } });
  const tenantsN = Number(values.tenants);
  const subsN = Number(values.subs);
  const concurrency = Number(values.concurrency);
  const database = await benchDatabase();
  const telemetry = createTelemetry({ serviceName: 'overdue-bench', spanExporters: [], metricReaders: [] });
  const logger = createLogger('silent');
  const handle = openPostgres(database.url, concurrency + 2, { tracer: telemetry.tracer, logger });
  try {
    const migrated = await runMigrations(handle.db, migrations);
    if (migrated.error) throw migrated.error;
    const seeded = await timed(() => seed(handle, tenantsN, subsN));
    const tenants = await listTenants(handle.db);
    const subs = Number((await sql<{ n: bigint }>`select count(*) as n from subscriptions`.execute(handle.db)).rows[0]!.n);
    console.log(`invoices benchmark: ${tenants.length} tenants × ${subs / tenants.length} subscriptions = ${subs} (seeded in ${(seeded.ms / 1000).toFixed(1)} s), concurrency ${concurrency}`);

    // Day 0's 02:00 local is the slot; each tenant's zone gives its own instant.
    const slotOf = (t: TenantRow, day: number) => {
      const ms = Date.UTC(2025, 4, 16 + day, 2);
      const probe = new Date(ms);
      const local = new Date(probe.toLocaleString('en-US', { timeZone: t.timezone })).getTime();
      const utcAsLocal = new Date(probe.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
      return new Date(ms - (local - utcAsLocal));
    };
    const runAll = (day: number) =>
      timed(() => eachTenant(tenants, concurrency, async (t) => (await runInvoices({ db: handle.db, logger }, t, slotOf(t, day), () => systemClock.now())).created));

    const first = await runAll(0);
    const rerun = await runAll(0);
    const catchUp = await runAll(3);
    const total = Number((await sql<{ n: bigint }>`select count(*) as n from invoices`.execute(handle.db)).rows[0]!.n);

    await sql`create table raw_invoices (like invoices including all)`.execute(handle.db);
    const raw = await timed(async () => {
      await sql`
        insert into raw_invoices (id, tenant_id, account_id, subscription_id, period_index, period_start, period_end, currency, amount_due, amount_paid, status, issued_at, due_at, run_slot, auto_pay, created_at, updated_at)
        select gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0, timestamptz '2025-05-16' + g * interval '1 second', timestamptz '2025-05-17' + g * interval '1 second',
               'USD', 1000, 0, 'open', now(), timestamptz '2025-05-23', timestamptz '2025-05-16 02:00', false, now(), now()
        from generate_series(1, ${first.value}::int) g`.execute(handle.db);
    });

    const rate = (n: number, ms: number) => (n / ms) * 1000;
    const rawRate = rate(first.value, raw.ms);
    const firstRate = rate(first.value, first.ms);
    const catchRate = rate(catchUp.value, catchUp.ms);
    const rows: [string, number, number, string][] = [
      ['one slot, all tenants', first.value, first.ms, `${(firstRate / rawRate).toFixed(2)} of raw`],
      ['same slot again', rerun.value, rerun.ms, `${((rerun.ms / first.ms) * 100).toFixed(1)} % of the first run`],
      ['day 3 after 2 missed slots', catchUp.value, catchUp.ms, `${(catchRate / rawRate).toFixed(2)} of raw`],
      ['raw INSERT … SELECT', first.value, raw.ms, ''],
    ];
    console.log('| run | invoices | seconds | invoices/s | |');
    console.log('|---|---|---|---|---|');
    for (const [name, n, ms, note] of rows) console.log(`| ${name} | ${n.toLocaleString('en-US')} | ${(ms / 1000).toFixed(2)} | ${Math.round(rate(n, ms)).toLocaleString('en-US')} | ${note} |`);
    const expected = subs * 4;
    const pass = firstRate / rawRate >= GOAL_RATIO && rerun.value === 0 && rerun.ms < first.ms * GOAL_RERUN && total === expected;
    console.log(`invoices in the database: ${total.toLocaleString('en-US')} (expected ${expected.toLocaleString('en-US')})`);
    console.log(`goals: rate ≥ ${GOAL_RATIO} × raw, rerun creates 0 in < ${GOAL_RERUN * 100} % of the first run's time: ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await handle.close();
    await telemetry.shutdown();
    await database.drop();
  }
}
