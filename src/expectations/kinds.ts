import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { nextSlot, type JobSchedule } from '../time/slots.js';
import type { EvalContext, ExpectationDefinition, Query } from './define.js';
import type { Measurement } from './store.js';
import type { Outcome } from './table.js';
import { slotsInRange, tenantSlots, type Outage } from './tenant-slots.js';

export interface RepairTarget {
  tenantId: string;
  slug: string;
  tz: string | null;
  /** Slots to run again, oldest first. */
  slots: Date[];
}

export interface Evaluation extends Measurement {
  /** Per failing tenant, what a slots remediation would run. */
  targets: RepairTarget[];
  /** Tenants whose missing slots fell in our own outage and are not judged yet. */
  unverifiedTenants: string[];
}

interface Failing {
  rows: number;
  weight: bigint;
  byTenant: Record<string, number>;
  rowsByTenant: Record<string, number>;
  sinceByTenant: Record<string, string>;
  sample: Record<string, unknown>[];
}

/**
 * Runs a failing-rows query once and reduces it in SQL: row count, total
 * weight, weight per tenant, oldest `since` per tenant, and 20 sample rows.
 * Read-only and time-bounded.
 */
async function failingRows(db: Kysely<Database>, q: Query): Promise<Failing> {
  return db.transaction().execute(async (trx) => {
    await sql`set local statement_timeout = '60s'`.execute(trx);
    await sql`set local transaction_read_only = on`.execute(trx);
    const { rows } = await sql<{
      n: bigint;
      weight: string | null;
      by_tenant: Record<string, number>;
      rows_by_tenant: Record<string, number>;
      since: Record<string, string>;
      sample: Record<string, unknown>[];
    }>`
      with failing as materialized (select to_jsonb(f) as j from (${q as never}) f)
      select
        (select count(*) from failing) as n,
        (select sum(coalesce((j->>'weight')::bigint, 1)) from failing)::text as weight,
        (select coalesce(jsonb_object_agg(t, w), '{}'::jsonb) from (
           select coalesce(j->>'tenant_id', 'platform') as t, sum(coalesce((j->>'weight')::bigint, 1)) as w from failing group by 1) x) as by_tenant,
        (select coalesce(jsonb_object_agg(t, c), '{}'::jsonb) from (
           select coalesce(j->>'tenant_id', 'platform') as t, count(*) as c from failing group by 1) x) as rows_by_tenant,
        (select coalesce(jsonb_object_agg(t, s), '{}'::jsonb) from (
           select coalesce(j->>'tenant_id', 'platform') as t, min((j->>'since')::timestamptz) as s from failing where j ? 'since' group by 1) x) as since,
        -- Up to 20 rows of each tenant (at most 200), so a sample can still be cut to the tenants that count.
        (select coalesce(jsonb_agg(j), '[]'::jsonb) from (
           select j from (select j, row_number() over (partition by j->>'tenant_id') as r from failing) y where r <= 20 limit 200) x) as sample`.execute(trx);
    const r = rows[0]!;
    const num = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));
    return { rows: Number(r.n), weight: BigInt(r.weight ?? '0'), byTenant: num(r.by_tenant), rowsByTenant: num(r.rows_by_tenant), sinceByTenant: r.since, sample: r.sample };
  });
}

const empty = (outcome: Outcome): Evaluation => ({ outcome, observed: 0n, failingCount: 0, sample: [], byTenant: {}, windowStart: null, windowEnd: null, targets: [], unverifiedTenants: [] });

/** Evaluates one definition as of `asOf`. Throws only on a broken query (the caller records `error`). */
export async function evaluateKind(def: ExpectationDefinition, ctx: EvalContext, knownSince: Date, outage: Outage | null): Promise<Evaluation> {
  const { db, asOf } = ctx;
  switch (def.kind) {
    case 'invariant': {
      const f = await failingRows(db, def.failing(ctx));
      const outcome: Outcome = f.rows === 0 ? 'pass' : def.warnOnly ? 'warn' : 'fail';
      return { ...empty(outcome), observed: f.weight, failingCount: f.rows, sample: f.sample.slice(0, 20), byTenant: f.byTenant };
    }
    case 'freshness': {
      const failAfter = def.failAfterS;
      const warnAfter = def.warnAfterS ?? failAfter;
      const limit = Math.min(warnAfter, failAfter);
      const newest = def.newest(ctx);
      const f = await failingRows(
        db,
        sql`select n.*, extract(epoch from (${asOf}::timestamptz - n.newest))::bigint as age_s,
                   case when n.newest is null or n.newest < ${new Date(asOf.getTime() - failAfter * 1000)}::timestamptz then 1 else 0 end as weight
            from (${newest as never}) n
            where n.newest is null or n.newest < ${new Date(asOf.getTime() - limit * 1000)}::timestamptz`,
      );
      // weight 1 = older than failAfter, 0 = only older than warnAfter.
      const outcome: Outcome = f.rows === 0 ? 'pass' : f.weight > 0n ? 'fail' : 'warn';
      return { ...empty(outcome), observed: BigInt(f.rows), failingCount: f.rows, sample: f.sample.slice(0, 20), byTenant: f.byTenant };
    }
    case 'volume': {
      const to = asOf;
      const from = new Date(asOf.getTime() - def.windowS * 1000);
      const current = def.count({ ...ctx, from, to });
      // Absolute bounds and, when set, bounds relative to the mean of the previous windows both apply.
      // A full join: a tenant whose count fell to nothing this window is compared as 0.
      let baseline = sql`select null::uuid as tenant_id, null::numeric as mean where false`;
      const tolerance = def.relative?.tolerance ?? 0;
      if (def.relative) {
        const parts = Array.from({ length: def.relative.previousWindows }, (_, i) => {
          const wTo = new Date(from.getTime() - i * def.windowS * 1000);
          return sql`select * from (${def.count({ ...ctx, from: new Date(wTo.getTime() - def.windowS * 1000), to: wTo }) as never}) p${sql.raw(String(i))}`;
        });
        baseline = sql`select tenant_id, sum(n)::numeric / ${def.relative.previousWindows} as mean from (${sql.join(parts, sql` union all `)}) w group by tenant_id`;
      }
      const f = await failingRows(
        db,
        sql`select * from (
              select coalesce(c.tenant_id, b.tenant_id) as tenant_id, coalesce(c.n, 0) as n,
                     greatest(${def.min ?? null}::numeric, b.mean * ${1 - tolerance}::numeric) as lo,
                     least(${def.max ?? null}::numeric, b.mean * ${1 + tolerance}::numeric) as hi
              from (${current as never}) c
              full join (${baseline}) b
                on coalesce(b.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(c.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)
            ) v
            where (v.lo is not null and v.n < v.lo) or (v.hi is not null and v.n > v.hi)`,
      );
      return { ...empty(f.rows === 0 ? 'pass' : 'fail'), observed: BigInt(f.rows), failingCount: f.rows, sample: f.sample.slice(0, 20), byTenant: f.byTenant, windowStart: from, windowEnd: to };
    }
    case 'slots': {
      const infos = await tenantSlots(db, def.slots, asOf, knownSince, outage);
      if (infos.length === 0) return empty('pass');
      const f = await failingRows(db, def.missing({ ...ctx, tenantIds: infos.map((i) => i.tenantId), slots: infos.map((i) => i.due) }));
      const byId = new Map(infos.map((i) => [i.tenantId, i]));
      const targets: RepairTarget[] = [];
      const unverified: string[] = [];
      const byTenant: Record<string, number> = {};
      let weight = 0n;
      for (const [tenantId, w] of Object.entries(f.byTenant)) {
        const info = byId.get(tenantId);
        if (!info) continue;
        const since = f.sinceByTenant[tenantId] ? new Date(f.sinceByTenant[tenantId]!) : info.due;
        if (!info.verifiable || since > info.verifiable) {
          unverified.push(tenantId);
          continue;
        }
        byTenant[tenantId] = w;
        weight += BigInt(w);
        const first = nextSlot(info.schedule, new Date(since.getTime() - 1)) ?? info.due;
        const slots = slotsInRange(info.schedule, first, info.due);
        targets.push({ tenantId, slug: info.slug, tz: 'tz' in info.schedule ? info.schedule.tz : null, slots: slots.length ? slots : [info.due] });
      }
      const outcome: Outcome = targets.length > 0 ? 'fail' : unverified.length > 0 ? 'unknown' : 'pass';
      const dues = infos.map((i) => i.due.getTime());
      return {
        outcome,
        observed: weight,
        failingCount: Object.keys(byTenant).reduce((n, t) => n + (f.rowsByTenant[t] ?? 0), 0),
        sample: f.sample.filter((r) => byTenant[String(r.tenant_id)] !== undefined).slice(0, 20),
        byTenant,
        windowStart: null,
        windowEnd: new Date(Math.max(...dues)),
        targets,
        unverifiedTenants: unverified,
      };
    }
  }
}

export type { JobSchedule };
