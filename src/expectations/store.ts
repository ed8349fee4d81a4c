import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { lockForTransaction } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';
import { checksum, DEFAULT_EVAL_SCHEDULE, type ExpectationDefinition } from './define.js';
import type { ExpectationResultTable, ExpectationStateTable, ExpectationTable, Outcome, RemediationTable, Trigger } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type ExpectationRow = Selectable<ExpectationTable>;
export type ResultRow = Selectable<ExpectationResultTable>;
export type StateRow = Selectable<ExpectationStateTable>;

/**
 * Syncs loaded definitions to the table by id: new ones inserted, changed ones
 * (checksum) updated and un-archived, ones no longer defined archived (their
 * results stay). Returns what changed. Instances starting at once run it one
 * after another (an advisory lock in one transaction, joined when `db` already
 * is one), so each change is made, and reported, by exactly one of them.
 */
export async function syncExpectations(
  db: Kysely<Database>,
  defs: { file: string; def: ExpectationDefinition }[],
  now: Date,
): Promise<{ created: string[]; updated: string[]; archived: string[] }> {
  if (!db.isTransaction) return db.transaction().execute((trx) => syncExpectations(trx, defs, now));
  // Archiving what is not defined is decided from a read, so the whole sync is
  // serialized, not only its inserts. The lock comes before that read: under
  // read committed the read then sees everything the previous holder committed.
  await lockForTransaction(db as Transaction<Database>, 'overdue.startup:expectations');
  const existing = new Map((await db.selectFrom('expectations').selectAll().execute()).map((r) => [r.id, r]));
  const report = { created: [] as string[], updated: [] as string[], archived: [] as string[] };
  for (const { file, def } of defs) {
    const sum = checksum(def);
    const row = existing.get(def.id);
    const values = {
      title: def.title,
      component: def.component ?? null,
      kind: def.kind,
      scope: def.scope,
      severity: def.severity ?? 'major',
      schedule: JSON.stringify(def.schedule ?? DEFAULT_EVAL_SCHEDULE),
      failure_threshold: def.failureThreshold ?? 1,
      recovery_threshold: def.recoveryThreshold ?? 1,
      remediation: def.remediation ?? null,
      source_file: file,
      checksum: sum,
      archived_at: null,
      updated_at: now,
    };
    if (!row) {
      await db.insertInto('expectations').values({ id: def.id, ...values, created_at: now }).execute();
      report.created.push(def.id);
    } else if (row.checksum !== sum || row.archived_at || row.source_file !== file) {
      await db.updateTable('expectations').set(values).where('id', '=', def.id).execute();
      report.updated.push(def.id);
    }
    existing.delete(def.id);
  }
  for (const row of existing.values()) {
    if (row.archived_at) continue;
    await db.updateTable('expectations').set({ archived_at: now, updated_at: now }).where('id', '=', row.id).execute();
    report.archived.push(row.id);
  }
  return report;
}

export async function findExpectation(db: Db, id: string): Promise<ExpectationRow | undefined> {
  return db.selectFrom('expectations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listExpectations(db: Db): Promise<(ExpectationRow & { state: StateRow | null })[]> {
  const rows = await db.selectFrom('expectations').selectAll().orderBy('id').execute();
  const states = new Map((await db.selectFrom('expectation_states').selectAll().execute()).map((s) => [s.expectation_id, s]));
  return rows.map((r) => ({ ...r, state: states.get(r.id) ?? null }));
}

export async function findState(db: Db, id: string, lock = false): Promise<StateRow | undefined> {
  let q = db.selectFrom('expectation_states').selectAll().where('expectation_id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function ensureState(trx: Transaction<Database>, id: string, now: Date): Promise<StateRow> {
  await trx
    .insertInto('expectation_states')
    .values({ expectation_id: id, status: 'passing', consecutive_failures: 0, consecutive_passes: 0, last_outcome: null, last_result_id: null, failing_since: null, last_evaluated_at: null, resumed_at: null, gap_start: null, silenced_until: null, updated_at: now })
    .onConflict((oc) => oc.column('expectation_id').doNothing())
    .execute();
  return (await findState(trx, id, true))!;
}

export async function saveState(trx: Transaction<Database>, s: StateRow): Promise<void> {
  await trx.updateTable('expectation_states').set({ ...s, expectation_id: undefined } as never).where('expectation_id', '=', s.expectation_id).execute();
}

/** What one evaluation measured: the stored part of a kind's evaluation. */
export interface Measurement {
  outcome: Outcome;
  observed: bigint | null;
  failingCount: number;
  sample: Record<string, unknown>[];
  byTenant: Record<string, number>;
  windowStart: Date | null;
  windowEnd: Date | null;
}

export interface ResultDraft extends Measurement {
  expectationId: string;
  evaluatedAt: Date;
  durationMs: number;
  trigger: Trigger;
  summary: string;
  error: string | null;
}

export async function insertResult(trx: Transaction<Database>, r: ResultDraft): Promise<ResultRow> {
  return trx
    .insertInto('expectation_results')
    .values({
      expectation_id: r.expectationId,
      evaluated_at: r.evaluatedAt,
      outcome: r.outcome,
      observed_value: r.observed,
      failing_count: r.failingCount,
      sample: JSON.stringify(r.sample),
      by_tenant: JSON.stringify(r.byTenant),
      window_start: r.windowStart,
      window_end: r.windowEnd,
      duration_ms: r.durationMs,
      trigger: r.trigger,
      summary: r.summary,
      error: r.error,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listResults(db: Db, id: string, limit: number, before?: bigint): Promise<ResultRow[]> {
  let q = db.selectFrom('expectation_results').selectAll().where('expectation_id', '=', id);
  if (before !== undefined) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * The newest `limit` results of each of these expectations, newest first per
 * expectation: one statement, each expectation's rows read from the index
 * (a lateral limit, not a window over the whole history).
 */
export async function recentResultsOf(db: Db, ids: string[], limit: number): Promise<Map<string, ResultRow[]>> {
  const out = new Map<string, ResultRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const { rows } = await sql<ResultRow>`
    select r.* from unnest(${ids}::text[]) as e(id)
    cross join lateral (select * from expectation_results where expectation_id = e.id order by id desc limit ${limit}) r
    order by r.expectation_id, r.id desc`.execute(db);
  for (const r of rows) out.get(r.expectation_id)!.push(r);
  return out;
}

/**
 * Claims the repair of (expectation, tenant, slot): a new row, or a failed or
 * abandoned (lease expired) attempt taken over. Undefined when it succeeded
 * already or another instance holds it.
 */
export async function claimRemediation(db: Db, key: { expectationId: string; tenantId: string; slot: Date }, owner: string, now: Date, leaseMs: number) {
  const lease = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<{ id: bigint; attempts: number }>`
    insert into remediations (expectation_id, tenant_id, slot, state, attempts, claimed_by, lease_until, created_at, updated_at)
    values (${key.expectationId}, ${key.tenantId}, ${key.slot}::timestamptz, 'running', 1, ${owner}, ${lease}::timestamptz, ${now}::timestamptz, ${now}::timestamptz)
    on conflict (expectation_id, tenant_id, slot) do update
      set state = 'running', attempts = remediations.attempts + 1, claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, updated_at = excluded.updated_at
      where remediations.state = 'failed' or (remediations.state = 'running' and remediations.lease_until < ${now}::timestamptz)
    returning id, attempts`.execute(db);
  return rows[0];
}

export async function finishRemediation(db: Db, id: bigint, owner: string, outcome: { state: 'succeeded' | 'failed'; result?: Record<string, unknown>; error?: string }, now: Date): Promise<void> {
  await db
    .updateTable('remediations')
    .set({ state: outcome.state, outcome: outcome.result ? JSON.stringify(outcome.result) : null, error: outcome.error ?? null, updated_at: now })
    .where('id', '=', id)
    .where('claimed_by', '=', owner)
    .execute();
}

/**
 * Who an expectation is evaluated for, for features that let it be named
 * elsewhere (a status page component listing `expectation:<id>`): the platform
 * as a whole, or every tenant (`forEachTenant`, each tenant may speak for its
 * own part). Undefined when there is no such expectation or it is archived.
 */
export async function expectationOwner(db: Db, id: string): Promise<{ scope: ExpectationRow['scope'] } | undefined> {
  const row = await db.selectFrom('expectations').select('scope').where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst();
  return row && { scope: row.scope };
}

export type RemediationRow = Selectable<RemediationTable>;

/** The remediation ledger of an expectation, newest slot first; a tenant's own rows only when `tenantId` is given. */
export async function listRemediations(db: Db, expectationId: string, tenantId: string | null, limit: number): Promise<RemediationRow[]> {
  let q = db.selectFrom('remediations').selectAll().where('expectation_id', '=', expectationId);
  if (tenantId !== null) q = q.where('tenant_id', '=', tenantId);
  return q.orderBy('slot', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The failing expectations' count, and the tenants and slots their latest results fail for. */
export interface FailingTotals {
  expectations: number;
  /** Distinct tenants among the failing rows (the platform's own rows are no tenant's). */
  tenants: number;
  /** Failing slots: the summed weight of the failing rows (a slots expectation: its missing runs; otherwise one per row unless weighted). */
  slots: number;
}

/**
 * What the console's overview counts of failing expectations, in one
 * statement over the states and their latest results (one per expectation,
 * by `last_result_id`), so the work is bounded by the expectations defined,
 * not by their history. `tenantId` null is the admin key: the expectations
 * whose state is failing, across tenants. A tenant: the per-tenant
 * expectations whose latest result fails for it, and its own slots only
 * (the cut result-cut.ts makes of one result).
 */
export async function failingExpectationTotals(db: Db, tenantId: string | null): Promise<FailingTotals> {
  const { rows } =
    tenantId === null
      ? await sql<{ expectations: number; tenants: number; slots: string }>`
          with failing as (
            select r.by_tenant from expectation_states s
            left join expectation_results r on r.id = s.last_result_id
            where s.status = 'failing')
          select
            (select count(*) from failing)::int as expectations,
            (select count(distinct t.key) from failing, jsonb_each_text(failing.by_tenant) t where t.key <> 'platform')::int as tenants,
            (select coalesce(sum(t.value::bigint), 0) from failing, jsonb_each_text(failing.by_tenant) t)::text as slots`.execute(db)
      : await sql<{ expectations: number; tenants: number; slots: string }>`
          select count(*)::int as expectations, (count(*) > 0)::int as tenants, coalesce(sum(w.n), 0)::text as slots
          from expectations e
          join expectation_states s on s.expectation_id = e.id
          join expectation_results r on r.id = s.last_result_id
          cross join lateral (select coalesce((r.by_tenant ->> ${tenantId}::text)::bigint, 0) as n) w
          where e.scope = 'forEachTenant' and r.outcome = 'fail' and w.n > 0`.execute(db);
  const r = rows[0]!;
  return { expectations: r.expectations, tenants: r.tenants, slots: Number(r.slots) };
}
