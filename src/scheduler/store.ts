import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import { lockForTransaction } from '../db/advisory-lock.js';
import type { Database } from '../db/database.js';
import type { CatchUpPolicy, JobRunTable, JobTable } from './table.js';

type Db = Kysely<Database> | Transaction<Database>;
export type JobRow = Selectable<JobTable>;
export type RunRow = Selectable<JobRunTable>;

export interface JobSpecRow {
  key: string;
  tenantId: string | null;
  schedule: string | null;
  tz: string;
  intervalS: number | null;
  catchUp: CatchUpPolicy;
  catchUpCap: number;
  maxRunS: number;
  maxAttempts: number;
}

/**
 * Registers or updates a job's definition. `known_since` is set only when the
 * job is first seen, and the watermark is never touched here.
 */
export async function upsertJob(db: Db, job: JobSpecRow, now: Date): Promise<JobRow> {
  return db
    .insertInto('jobs')
    .values({
      key: job.key,
      tenant_id: job.tenantId,
      schedule: job.schedule,
      tz: job.tz,
      interval_s: job.intervalS,
      catch_up: job.catchUp,
      catch_up_cap: job.catchUpCap,
      max_run_s: job.maxRunS,
      max_attempts: job.maxAttempts,
      check_id: null,
      known_since: now,
      watermark: null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        tenant_id: eb.ref('excluded.tenant_id'),
        schedule: eb.ref('excluded.schedule'),
        tz: eb.ref('excluded.tz'),
        interval_s: eb.ref('excluded.interval_s'),
        catch_up: eb.ref('excluded.catch_up'),
        catch_up_cap: eb.ref('excluded.catch_up_cap'),
        max_run_s: eb.ref('excluded.max_run_s'),
        max_attempts: eb.ref('excluded.max_attempts'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setJobCheck(db: Db, key: string, checkId: string): Promise<void> {
  await db.updateTable('jobs').set({ check_id: checkId }).where('key', '=', key).execute();
}

export async function findJob(db: Db, key: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function listJobs(db: Db, keys?: string[]): Promise<JobRow[]> {
  let q = db.selectFrom('jobs').selectAll().orderBy('key');
  if (keys) q = q.where('key', 'in', keys.length > 0 ? keys : ['']);
  return q.execute();
}

export async function setJobPaused(db: Db, key: string, paused: boolean, now: Date): Promise<boolean> {
  const r = await db.updateTable('jobs').set({ paused, updated_at: now }).where('key', '=', key).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Serializes claims for one job across instances for the rest of the transaction. */
export async function lockJob(trx: Transaction<Database>, key: string): Promise<void> {
  await lockForTransaction(trx, `overdue.job:${key}`);
}

/** Serializes the find-or-create of one service check (by slug) across instances for the rest of the transaction. */
export async function lockServiceCheck(trx: Transaction<Database>, slug: string): Promise<void> {
  await lockForTransaction(trx, `overdue.service-check:${slug}`);
}

/**
 * Hands out slots: rows for the slots to run (pending) and to skip (skipped,
 * with the reason), then moves the watermark forward. Rows that already
 * exist are left alone, so two instances materializing the same slots agree.
 */
export async function materializeSlots(
  trx: Transaction<Database>,
  key: string,
  plan: { run: Date[]; skip: { slot: Date; reason: string }[]; watermark: Date; catchUpBefore: Date },
  now: Date,
): Promise<void> {
  const rows = [
    ...plan.run.map((slot) => ({ slot, state: 'pending' as const, error: null, catchUp: slot < plan.catchUpBefore })),
    ...plan.skip.map(({ slot, reason }) => ({ slot, state: 'skipped' as const, error: reason, catchUp: true })),
  ];
  for (let i = 0; i < rows.length; i += 1000) {
    await trx
      .insertInto('job_runs')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          job_key: key,
          slot_at: r.slot,
          state: r.state,
          run_id: randomUUID(),
          instance_id: null,
          catch_up: r.catchUp,
          not_before: null,
          lease_until: null,
          started_at: null,
          finished_at: r.state === 'skipped' ? now : null,
          delay_ms: null,
          error: r.error,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['job_key', 'slot_at']).doNothing())
      .execute();
  }
  await trx
    .updateTable('jobs')
    .set({ watermark: plan.watermark })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('watermark', 'is', null), eb('watermark', '<', plan.watermark)]))
    .execute();
}

/** The columns of a slot this instance starts: owner, lease, attempt, how late it started. */
function startRunning(instanceId: string, now: Date, leaseMs: number) {
  return (eb: ExpressionBuilder<Database, 'job_runs'>) => ({
    state: 'running' as const,
    instance_id: instanceId,
    attempt: eb('attempt', '+', 1),
    lease_until: new Date(now.getTime() + leaseMs),
    started_at: now,
    finished_at: null,
    delay_ms: sql<bigint>`(extract(epoch from (${now}::timestamptz - slot_at)) * 1000)::bigint`,
    not_before: null,
  });
}

/** Jobs with a slot waiting or running (those need attention whatever their schedule says). */
export async function jobsWithOpenRuns(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('job_runs').select('job_key').distinct().where('job_key', 'in', keys).where('state', 'in', ['pending', 'running']).execute();
  return new Set(rows.map((r) => r.job_key));
}

/** A run holding the job right now (running with a live lease), if any. */
export async function liveRun(db: Db, key: string, now: Date): Promise<RunRow | undefined> {
  return db
    .selectFrom('job_runs')
    .selectAll()
    .where('job_key', '=', key)
    .where('state', '=', 'running')
    .where('lease_until', '>=', now)
    .executeTakeFirst();
}

/**
 * Claims the oldest pending slot of a job, unless a run of it is live (no
 * overlap: the next slot waits, and its delay is recorded when it starts).
 * Call inside a transaction holding lockJob.
 */
export async function claimNextSlot(trx: Transaction<Database>, key: string, instanceId: string, now: Date, leaseMs: number): Promise<RunRow | undefined> {
  if (await liveRun(trx, key, now)) return undefined;
  return trx
    .updateTable('job_runs')
    .set(startRunning(instanceId, now, leaseMs))
    .where('job_key', '=', key)
    .where('slot_at', '=', (eb) =>
      eb
        .selectFrom('job_runs')
        .select((e) => e.fn.min('slot_at').as('slot'))
        .where('job_key', '=', key)
        .where('state', '=', 'pending')
        .where((e) => e.or([e('not_before', 'is', null), e('not_before', '<=', now)])),
    )
    .where('state', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Claims one given slot (an operator's "run this slot now"): pending, failed,
 * timed-out or skipped slots may run again; never while a run of the job is live.
 * Call inside a transaction holding lockJob.
 */
export async function claimSlot(trx: Transaction<Database>, key: string, slot: Date, instanceId: string, now: Date, leaseMs: number): Promise<RunRow | undefined> {
  if (await liveRun(trx, key, now)) return undefined;
  return trx
    .updateTable('job_runs')
    .set(startRunning(instanceId, now, leaseMs))
    .where('job_key', '=', key)
    .where('slot_at', '=', slot)
    .where('state', 'in', ['pending', 'failed', 'timed_out', 'skipped'])
    .returningAll()
    .executeTakeFirst();
}

/** Age of the oldest slot still waiting to run, per job (the lag). */
export async function oldestPending(db: Db, keys: string[]): Promise<Map<string, Date>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('job_runs')
    .select(['job_key', (eb) => eb.fn.min('slot_at').as('oldest')])
    .where('job_key', 'in', keys)
    .where('state', '=', 'pending')
    .groupBy('job_key')
    .execute();
  return new Map(rows.map((r) => [r.job_key, r.oldest as Date]));
}

/**
 * Runs whose instance stopped renewing the lease (it died). Below the job's
 * max attempts they go back to pending to be retried; at it they fail.
 */
export async function recoverExpiredRuns(
  trx: Transaction<Database>,
  key: string,
  maxAttempts: number,
  now: Date,
): Promise<{ retried: RunRow[]; failed: RunRow[] }> {
  const retried = await trx
    .updateTable('job_runs')
    .set({ state: 'pending', lease_until: null, error: 'lease expired: the instance running it stopped' })
    .where('job_key', '=', key)
    .where('state', '=', 'running')
    .where('lease_until', '<', now)
    .where('attempt', '<', maxAttempts)
    .returningAll()
    .execute();
  const failed = await trx
    .updateTable('job_runs')
    .set({ state: 'failed', finished_at: now, error: sql<string>`'lease expired after ' || attempt || ' attempts: the instance running it stopped'` })
    .where('job_key', '=', key)
    .where('state', '=', 'running')
    .where('lease_until', '<', now)
    .returningAll()
    .execute();
  return { retried, failed };
}

/** Extends the lease while this instance still owns the run; false when it was lost. */
export async function renewLease(db: Db, key: string, slot: Date, instanceId: string, until: Date): Promise<boolean> {
  const r = await db
    .updateTable('job_runs')
    .set({ lease_until: until })
    .where('job_key', '=', key)
    .where('slot_at', '=', slot)
    .where('instance_id', '=', instanceId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Records how a run ended, only if this instance still owns it. A failure
 * below max attempts goes back to pending with a backoff.
 */
export async function finishRun(
  db: Db,
  run: { key: string; slot: Date; instanceId: string; attempt: number; maxAttempts: number },
  outcome: { state: 'succeeded' | 'failed' | 'timed_out'; error: string | null; retryAt: Date | null },
  now: Date,
): Promise<'recorded' | 'retrying' | 'lost'> {
  const retry = outcome.state !== 'succeeded' && run.attempt < run.maxAttempts && outcome.retryAt !== null;
  const r = await db
    .updateTable('job_runs')
    .set(
      retry
        ? { state: 'pending', lease_until: null, not_before: outcome.retryAt, error: outcome.error }
        : { state: outcome.state, finished_at: now, lease_until: null, error: outcome.error },
    )
    .where('job_key', '=', run.key)
    .where('slot_at', '=', run.slot)
    .where('instance_id', '=', run.instanceId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return 'lost';
  return retry ? 'retrying' : 'recorded';
}

/** Inserts a slot as pending if it has no row yet (the operator's "run this slot now"). */
export async function ensurePendingSlot(db: Db, key: string, slot: Date, now: Date): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({
      job_key: key,
      slot_at: slot,
      state: 'pending',
      run_id: randomUUID(),
      instance_id: null,
      catch_up: false,
      not_before: null,
      lease_until: null,
      started_at: null,
      finished_at: null,
      delay_ms: null,
      error: null,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['job_key', 'slot_at']).doNothing())
    .execute();
}

export async function findRun(db: Db, key: string, slot: Date): Promise<RunRow | undefined> {
  return db.selectFrom('job_runs').selectAll().where('job_key', '=', key).where('slot_at', '=', slot).executeTakeFirst();
}

/** Newest first, before `cursor` (a slot instant) when given. */
export async function listRuns(db: Db, key: string, limit: number, cursor?: Date): Promise<RunRow[]> {
  let q = db.selectFrom('job_runs').selectAll().where('job_key', '=', key);
  if (cursor) q = q.where('slot_at', '<', cursor);
  return q.orderBy('slot_at', 'desc').limit(limit).execute();
}

/** The latest finished run of each job. */
export async function lastRuns(db: Db, keys: string[]): Promise<RunRow[]> {
  if (keys.length === 0) return [];
  return db
    .selectFrom('job_runs')
    .selectAll()
    .distinctOn('job_key')
    .where('job_key', 'in', keys)
    .where('state', 'not in', ['pending', 'skipped'])
    .orderBy('job_key')
    .orderBy('slot_at', 'desc')
    .execute();
}
