import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Counter } from '@opentelemetry/api';
import type { LoopSpec } from '../background.js';
import type { HeartbeatService } from '../heartbeats/index.js';
import { createJobCheck, pingJobCheck } from './job-checks.js';
import { nextSlot, slotsBetween, type JobSchedule } from '../time/slots.js';
import { planCatchUp } from './catch-up.js';
import {
  claimNextSlot,
  claimSlot,
  ensurePendingSlot,
  findJob,
  findRun,
  finishRun,
  jobsWithOpenRuns,
  listJobs,
  lockJob,
  materializeSlots,
  recoverExpiredRuns,
  renewLease,
  setJobCheck,
  upsertJob,
  type JobRow,
  type RunRow,
} from './store.js';
import type { CatchUpPolicy } from './table.js';
import type { ServiceDeps } from '../service-deps.js';

export interface RunContext {
  jobKey: string;
  /** The slot this run serves: its work is defined by the slot, not by "now". */
  slot: Date;
  attempt: number;
  catchUp: boolean;
  /** Aborted when the run exceeds its max run time or the scheduler stops. */
  signal: AbortSignal;
}

export interface JobDefinition {
  key: string;
  schedule: JobSchedule;
  catchUp: CatchUpPolicy;
  /** For `all`: at most this many missed slots are run; older surplus is skipped (recorded). */
  catchUpCap?: number;
  maxRunS: number;
  maxAttempts?: number;
  tenantId?: string | null;
  /** Idempotent by contract: a slot may run again after a crash. */
  handler(ctx: RunContext): Promise<void>;
}

/** How often data-driven jobs are reloaded, so instances pick up each other's new tenants. */
const SOURCE_REFRESH_MS = 30_000;

export interface SchedulerOptions {
  leaseMs: number;
  horizonMs: number;
  /** `skip` still runs a slot this close to now; also what counts as catch-up. */
  skipToleranceMs: number;
  tickCapMs: number;
  retryBackoffMs: number;
}

/**
 * Runs every registered job exactly once per slot across instances. Slots
 * live in Postgres: a tick materializes what came due since the job's
 * watermark (per its catch-up policy, never before the job was first seen),
 * and claims the oldest pending slot unless a run of that job is live. Runs
 * execute off the tick, renew their lease, report start/success/fail to the
 * job's heartbeat check, and are retried (up to max attempts) when they throw
 * or when the instance running them dies.
 */
export class Scheduler {
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly #defs = new Map<string, JobDefinition>();
  readonly #inFlight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  /** Registered but not yet written to the database. */
  readonly #unsynced = new Set<string>();
  readonly #sources: { load: () => Promise<JobDefinition[]>; keys: Set<string> }[] = [];
  #sourcesLoadedAt = Number.NEGATIVE_INFINITY;
  #stopped = false;
  readonly #runs: Counter;
  readonly #failures: Counter;
  readonly #skips: Counter;

  constructor(
    private readonly deps: ServiceDeps & {
      heartbeats: HeartbeatService;
      options: SchedulerOptions;
      /** Called after each healthy tick (the scheduler's own heartbeat, self-ping). */
      onHealthyTick?: () => void;
    },
  ) {
    this.#runs = deps.meter.createCounter('overdue_job_runs_total', { description: 'Finished job runs, by job and outcome' });
    this.#failures = deps.meter.createCounter('overdue_job_failures_total', { description: 'Job runs that threw, timed out or lost their instance' });
    this.#skips = deps.meter.createCounter('overdue_job_skipped_slots_total', { description: 'Slots skipped by catch-up policy' });
  }

  register(job: JobDefinition): void {
    if (this.#defs.has(job.key)) throw new Error(`job ${job.key} registered twice`);
    this.#defs.set(job.key, job);
    this.#unsynced.add(job.key);
  }

  /**
   * Jobs that come from data (one invoice run per tenant): `load` is asked
   * again every `SOURCE_REFRESH_MS` and after `refreshSources()`; jobs it no
   * longer returns stop being scheduled (their history stays).
   */
  addSource(load: () => Promise<JobDefinition[]>): void {
    this.#sources.push({ load, keys: new Set() });
    this.#sourcesLoadedAt = Number.NEGATIVE_INFINITY;
  }

  /** Reloads data-driven jobs at the next tick (e.g. a tenant was just created). */
  refreshSources(): void {
    this.#sourcesLoadedAt = Number.NEGATIVE_INFINITY;
  }

  async #loadSources(): Promise<void> {
    for (const source of this.#sources) {
      const defs = await source.load();
      const seen = new Set<string>();
      for (const def of defs) {
        seen.add(def.key);
        const current = this.#defs.get(def.key);
        if (current && !source.keys.has(def.key)) throw new Error(`job ${def.key} is both registered and loaded from a source`);
        if (!current || JSON.stringify(current.schedule) !== JSON.stringify(def.schedule) || current.maxRunS !== def.maxRunS) this.#unsynced.add(def.key);
        this.#defs.set(def.key, def);
      }
      for (const key of source.keys) if (!seen.has(key)) this.#defs.delete(key);
      source.keys = seen;
    }
    this.#sourcesLoadedAt = this.deps.clock.now().getTime();
  }
  get jobKeys(): string[] {
    return [...this.#defs.keys()];
  }

  definition(key: string): JobDefinition | undefined {
    return this.#defs.get(key);
  }

  loop(): LoopSpec {
    return { name: 'scheduler', intervalMs: this.deps.options.tickCapMs, tick: () => this.tick() };
  }

  /** Writes the registered definitions to the database and gives each job its heartbeat check. */
  async sync(): Promise<void> {
    const now = this.deps.clock.now();
    for (const key of [...this.#unsynced]) {
      const def = this.#defs.get(key);
      if (!def) {
        this.#unsynced.delete(key);
        continue;
      }
      const row = await upsertJob(
        this.deps.db,
        {
          key: def.key,
          tenantId: def.tenantId ?? null,
          schedule: 'cron' in def.schedule ? def.schedule.cron : null,
          tz: 'cron' in def.schedule ? def.schedule.tz : 'UTC',
          intervalS: 'intervalS' in def.schedule ? def.schedule.intervalS : null,
          catchUp: def.catchUp,
          catchUpCap: def.catchUpCap ?? 1000,
          maxRunS: def.maxRunS,
          maxAttempts: def.maxAttempts ?? 3,
        },
        now,
      );
      if (!row.check_id) {
        // Under the job's lock, so instances syncing at once create one check between them.
        await this.deps.db.transaction().execute(async (trx) => {
          await lockJob(trx, def.key);
          if ((await findJob(trx, def.key))?.check_id) return;
          const checkId = await createJobCheck(trx, { key: def.key, tenantId: def.tenantId ?? null, schedule: def.schedule, maxRunS: def.maxRunS }, now);
          await setJobCheck(trx, def.key, checkId);
        });
      }
      this.#unsynced.delete(key);
    }
  }

  /** One pass over all jobs; returns ms until the next slot of any job. */
  async tick(): Promise<number> {
    if (this.#stopped) return this.deps.options.tickCapMs;
    if (this.#sources.length > 0 && this.deps.clock.now().getTime() - this.#sourcesLoadedAt >= SOURCE_REFRESH_MS) await this.#loadSources();
    if (this.#unsynced.size > 0) await this.sync();
    const now = this.deps.clock.now();
    const jobs = await listJobs(this.deps.db, this.jobKeys);
    const open = await jobsWithOpenRuns(this.deps.db, this.jobKeys);
    let next = Number.POSITIVE_INFINITY;
    for (const job of jobs) {
      const def = this.#defs.get(job.key)!;
      const upcoming = nextSlot(def.schedule, now);
      if (upcoming) next = Math.min(next, upcoming.getTime() - now.getTime());
      if (job.paused) continue;
      // Nothing to do for a job with no open run whose next slot is still ahead:
      // skip it without a transaction (a tick must stay cheap with thousands of jobs).
      const due = nextSlot(def.schedule, job.watermark ?? job.known_since);
      if (!open.has(job.key) && (!due || due > now)) continue;
      // Due slots are handed out even while this instance runs the job, so the
      // run that finishes can take the next one at once (its delay recorded).
      await this.#advance(job, def, now, !this.#inFlight.has(job.key));
    }
    this.deps.onHealthyTick?.();
    return Number.isFinite(next) ? Math.max(0, next) : this.deps.options.tickCapMs;
  }

  /** Materializes due slots and starts the oldest pending one, if the job is free. */
  async #advance(job: JobRow, def: JobDefinition, now: Date, claim: boolean): Promise<void> {
    const { db, options } = this.deps;
    const claimed = await db.transaction().execute(async (trx) => {
      await lockJob(trx, job.key);
      const expired = await recoverExpiredRuns(trx, job.key, job.max_attempts, now);
      for (const run of expired.retried) this.deps.logger.warn({ job: job.key, slot: run.slot_at.toISOString(), attempt: run.attempt }, 'job run lost its instance; retrying');
      for (const run of expired.failed) this.#reportFailure(job, run, run.error ?? 'lease expired');

      const from = new Date(Math.max((job.watermark ?? job.known_since).getTime(), now.getTime() - options.horizonMs));
      const due = slotsBetween(def.schedule, from, now, 10_000);
      if (due.truncated > 0) {
        this.#skips.add(due.truncated, { job: job.key });
        this.deps.logger.error({ job: job.key, truncated: due.truncated }, 'more missed slots than can be listed; the oldest were dropped');
      }
      if (due.slots.length > 0) {
        const plan = planCatchUp(job.catch_up, job.catch_up_cap, due.slots, now, options.skipToleranceMs);
        await materializeSlots(
          trx,
          job.key,
          { ...plan, watermark: due.slots[due.slots.length - 1]!, catchUpBefore: new Date(now.getTime() - options.skipToleranceMs) },
          now,
        );
        if (plan.skip.length > 0) {
          this.#skips.add(plan.skip.length, { job: job.key });
          this.deps.logger.warn(
            { job: job.key, skipped: plan.skip.length, oldest: plan.skip[0]!.slot.toISOString(), reason: plan.skip[0]!.reason },
            'job slots skipped by catch-up policy',
          );
        }
      }
      return claim ? claimNextSlot(trx, job.key, this.instanceId, now, options.leaseMs) : undefined;
    });
    if (claimed) this.#launch(job, def, claimed);
  }

  #launch(job: JobRow, def: JobDefinition, run: RunRow): void {
    const abort = new AbortController();
    const promise = this.#execute(job, def, run, abort)
      .catch((err) => this.deps.logger.error({ err, job: job.key }, 'scheduler failed to record a run'))
      .finally(() => this.#inFlight.delete(job.key));
    this.#inFlight.set(job.key, { promise, abort });
  }

  async #execute(job: JobRow, def: JobDefinition, first: RunRow, abort: AbortController): Promise<void> {
    const { db, clock, options } = this.deps;
    let run: RunRow | undefined = first;
    // Back-to-back: after a run, claim the job's next pending slot at once (catch-up runs in order).
    while (run && !this.#stopped) {
      const outcome = await this.#runOne(job, def, run, abort.signal);
      if (outcome !== 'succeeded' || abort.signal.aborted) break;
      const now = clock.now();
      run = await db.transaction().execute(async (trx) => {
        await lockJob(trx, job.key);
        return claimNextSlot(trx, job.key, this.instanceId, now, options.leaseMs);
      });
    }
  }

  async #runOne(job: JobRow, def: JobDefinition, run: RunRow, stop: AbortSignal): Promise<string> {
    const { db, clock, logger, options } = this.deps;
    const slot = run.slot_at;
    const log = { job: job.key, slot: slot.toISOString(), attempt: run.attempt, catchUp: run.catch_up };
    if (job.check_id) await this.#ping(job.check_id, { action: 'start', rid: run.run_id, slot });
    logger.info({ ...log, delayMs: Number(run.delay_ms ?? 0n) }, 'job run started');

    const runAbort = new AbortController();
    const done = new AbortController();
    const onStop = () => runAbort.abort(new Error('scheduler stopping'));
    stop.addEventListener('abort', onStop, { once: true });
    // Lease renewal and the max-run-time limit, on the scheduler's clock.
    const renew = (async () => {
      for (;;) {
        await clock.sleep(options.leaseMs / 3, done.signal);
        const ok = await renewLease(db, job.key, slot, this.instanceId, new Date(clock.now().getTime() + options.leaseMs));
        if (!ok) return runAbort.abort(new Error('lease lost to another instance'));
      }
    })().catch(() => undefined);
    const limit = clock
      .sleep(job.max_run_s * 1000, done.signal)
      .then(() => runAbort.abort(new Error(`exceeded max run time of ${job.max_run_s} s`)))
      .catch(() => undefined);
    const timedOut = new Promise<'timeout'>((resolve) => runAbort.signal.addEventListener('abort', () => resolve('timeout'), { once: true }));

    let state: 'succeeded' | 'failed' | 'timed_out' = 'succeeded';
    let error: string | null = null;
    try {
      const result = await Promise.race([def.handler({ jobKey: job.key, slot, attempt: run.attempt, catchUp: run.catch_up, signal: runAbort.signal }), timedOut]);
      if (result === 'timeout') {
        state = 'timed_out';
        error = String((runAbort.signal.reason as Error)?.message ?? 'aborted');
      }
    } catch (err) {
      state = runAbort.signal.aborted ? 'timed_out' : 'failed';
      error = (err as Error)?.stack ?? String(err);
    } finally {
      done.abort();
      stop.removeEventListener('abort', onStop);
      await Promise.all([renew, limit]);
    }

    const now = clock.now();
    const recorded = await finishRun(
      db,
      { key: job.key, slot, instanceId: this.instanceId, attempt: run.attempt, maxAttempts: job.max_attempts },
      { state, error, retryAt: state === 'succeeded' ? null : new Date(now.getTime() + options.retryBackoffMs * 2 ** (run.attempt - 1)) },
      now,
    );
    this.#runs.add(1, { job: job.key, outcome: state });
    if (state === 'succeeded') {
      if (job.check_id) await this.#ping(job.check_id, { action: 'success', rid: run.run_id, slot });
      logger.info(log, 'job run succeeded');
    } else {
      this.#failures.add(1, { job: job.key, outcome: state });
      logger.error({ ...log, outcome: state, error, recorded }, 'job run failed');
      if (job.check_id) await this.#ping(job.check_id, { action: 'fail', rid: run.run_id, slot, body: error ?? state });
    }
    return state;
  }

  /** A run that failed for good without this instance running it (its instance died). */
  #reportFailure(job: JobRow, run: RunRow, error: string): void {
    this.#failures.add(1, { job: job.key, outcome: 'failed' });
    this.deps.logger.error({ job: job.key, slot: run.slot_at.toISOString(), attempt: run.attempt, error }, 'job run failed for good');
    if (job.check_id) void this.#ping(job.check_id, { action: 'fail', rid: run.run_id, slot: run.slot_at, body: error });
  }

  async #ping(checkId: string, ping: Parameters<typeof pingJobCheck>[2]): Promise<void> {
    try {
      await pingJobCheck(this.deps.heartbeats, checkId, ping);
    } catch (err) {
      // The job's own outcome is already recorded; a lost heartbeat ping shows up as a late check.
      this.deps.logger.error({ err, checkId, action: ping.action }, 'could not ping a job heartbeat');
    }
  }

  /**
   * Runs one slot of a job now, on this instance, and returns its run row.
   * Idempotent: a slot that already succeeded is returned as it is;
   * 'busy' when a run of the job is live.
   */
  async runSlot(key: string, slot: Date): Promise<RunRow | 'busy' | undefined> {
    const def = this.#defs.get(key);
    const job = await findJob(this.deps.db, key);
    if (!def || !job) return undefined;
    const now = this.deps.clock.now();
    await ensurePendingSlot(this.deps.db, key, slot, now);
    const existing = await findRun(this.deps.db, key, slot);
    if (existing?.state === 'succeeded') return existing;
    if (this.#inFlight.has(key)) return 'busy';
    const claimed = await this.deps.db.transaction().execute(async (trx) => {
      await lockJob(trx, key);
      return claimSlot(trx, key, slot, this.instanceId, now, this.deps.options.leaseMs);
    });
    if (!claimed) return 'busy';
    const abort = new AbortController();
    const promise = this.#runOne(job, def, claimed, abort.signal).then(() => undefined);
    this.#inFlight.set(key, { promise, abort });
    try {
      await promise;
    } finally {
      this.#inFlight.delete(key);
    }
    return findRun(this.deps.db, key, slot);
  }

  /** Resolves when no run of this instance is in flight. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight.values()].map((r) => r.promise));
  }

  /**
   * Stops claiming and lets running handlers finish for up to `graceMs`; then
   * aborts them (their runs are retried elsewhere) and waits for them to record.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    const running = () => Promise.allSettled([...this.#inFlight.values()].map((r) => r.promise));
    let timer: NodeJS.Timeout | undefined;
    // Real time on purpose: a shutdown bound, not domain time.
    const deadline = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
    if ((await Promise.race([running(), deadline])) === 'late') {
      for (const r of this.#inFlight.values()) r.abort.abort(new Error('scheduler stopping'));
      await running();
    }
    clearTimeout(timer);
  }
}
