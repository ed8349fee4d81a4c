import type { Counter } from '@opentelemetry/api';
import { AppError } from '../errors.js';
import type { JobDefinition } from '../scheduler/index.js';
import { DEFAULT_EVAL_SCHEDULE, type ExpectationDefinition } from './define.js';
import { evaluateKind, type Evaluation } from './kinds.js';
import { runRemediation, type RemediationDeps } from './remediations.js';
import { afterSilenceNote, recordSignal, type MaintenanceWindows, type SignalDraft } from '../signals/index.js';
import { ensureState, findExpectation, findState, insertResult, saveState, type ResultRow } from './store.js';
import { summarize } from './summary.js';
import { evaluationForTenant, type TenantEvaluation } from './tenant-evaluation.js';
import type { Outage } from './tenant-slots.js';
import type { Trigger } from './table.js';
import type { ServiceDeps } from '../service-deps.js';

/** How long after resuming from our own outage its slots keep a fresh grace. */
const OUTAGE_MEMORY_MS = 24 * 3600 * 1000;

function intervalMs(def: ExpectationDefinition): number {
  const s = def.schedule ?? DEFAULT_EVAL_SCHEDULE;
  return 'everyS' in s ? s.everyS * 1000 : 86_400_000;
}

/**
 * Evaluates expectations: runs the kind's set-based query, stores the result,
 * applies the thresholds and writes the signals they cause in the same
 * transaction, then remediates a failure and re-verifies at once.
 */
export class ExpectationService {
  readonly #defs = new Map<string, ExpectationDefinition>();
  readonly #evaluations: Counter;
  readonly #errors: Counter;

  constructor(
    private readonly deps: ServiceDeps & {
      remediation: RemediationDeps;
      /** A pause in evaluation longer than two intervals plus this is our own outage. */
      outageThresholdMs: number;
      /** Windows that hold failing flips (incidents' maintenances); none when absent. */
      maintenance?: MaintenanceWindows;
    },
  ) {
    this.#evaluations = deps.meter.createCounter('overdue_expectation_evaluations_total', { description: 'Expectation evaluations, by expectation and outcome' });
    this.#errors = deps.meter.createCounter('overdue_expectation_errors_total', { description: 'Expectation evaluations or remediations that broke' });
  }

  setDefinitions(defs: ExpectationDefinition[]): void {
    this.#defs.clear();
    for (const d of defs) this.#defs.set(d.id, d);
  }

  definition(id: string): ExpectationDefinition | undefined {
    return this.#defs.get(id);
  }

  /** One scheduler job per expectation, on its evaluation schedule. */
  jobs(): JobDefinition[] {
    return [...this.#defs.values()].map((def) => {
      const s = def.schedule ?? DEFAULT_EVAL_SCHEDULE;
      return {
        key: `expectations.evaluate:${def.id}`,
        schedule: 'everyS' in s ? { intervalS: s.everyS } : { cron: s.cron, tz: s.tz },
        catchUp: 'latest' as const,
        maxRunS: 600,
        handler: async () => void (await this.evaluate(def.id, 'schedule')),
      };
    });
  }

  /** Evaluates now; never throws for a broken query (the result says `error`). */
  async evaluate(id: string, trigger: Trigger): Promise<ResultRow> {
    const { db, clock, logger } = this.deps;
    const def = this.#defs.get(id);
    const row = await findExpectation(db, id);
    if (!def || !row || row.archived_at) throw new AppError('not_found', `no expectation ${id}`);
    const asOf = clock.now();
    const outage = await this.#outage(id, def, asOf, trigger);

    const started = performance.now();
    let evaluation: Evaluation;
    let error: string | null = null;
    try {
      evaluation = await evaluateKind(def, { db, asOf }, row.created_at, outage);
    } catch (err) {
      error = (err as Error)?.message ?? String(err);
      logger.error({ err, expectation: id }, 'expectation evaluation failed');
      this.#errors.add(1, { expectation: id, stage: 'evaluate' });
      evaluation = { outcome: 'error', observed: null, failingCount: 0, sample: [], byTenant: {}, windowStart: null, windowEnd: null, targets: [], unverifiedTenants: [] };
    }
    const durationMs = Math.round(performance.now() - started);
    const slugs = await this.#slugs(Object.keys(evaluation.byTenant));
    const summary = error ? `${def.title}: evaluation failed: ${error}` : summarize(def.title, def.kind, def.unit, evaluation, slugs);
    const likelyCause = evaluation.outcome === 'fail' ? await this.#likelyCause(def, Object.keys(evaluation.byTenant)) : null;

    const result = await db.transaction().execute(async (trx) => {
      const state = await ensureState(trx, id, asOf);
      const result = await insertResult(trx, {
        ...evaluation,
        expectationId: id,
        evaluatedAt: asOf,
        durationMs,
        trigger,
        summary,
        error,
      });
      const source = `expectation:${id}`;
      const window = this.deps.maintenance ? (await this.deps.maintenance(trx, [{ source, owner: null }], asOf)).get(source) : undefined;
      const signal = this.#applyThresholds(def, state, evaluation, result, summary, likelyCause, slugs, asOf, window);
      state.last_outcome = evaluation.outcome;
      state.last_result_id = result.id;
      if (trigger !== 'api') state.last_evaluated_at = asOf;
      state.updated_at = asOf;
      if (outage) {
        state.gap_start = outage.gapStart;
        state.resumed_at = outage.resumedAt;
      }
      await saveState(trx, state);
      if (signal) await recordSignal(trx, signal, asOf);
      return result;
    });
    this.#evaluations.add(1, { expectation: id, outcome: evaluation.outcome });

    if (evaluation.outcome === 'fail' && def.remediation && trigger !== 'reverify') {
      await this.#remediate(def, evaluation, asOf);
      return this.evaluate(id, 'reverify');
    }
    return result;
  }

  /**
   * A tenant's own evaluation of a forEachTenant expectation (a tenant key's
   * POST …/evaluate): the same set-based measurement, cut to the tenant's
   * part; a failure with an invoice-run remediation repairs the tenant's
   * missing slots only (claimed in the ledger as usual) and is measured again.
   * It speaks for one tenant, so it stores no shared result, moves no
   * thresholds and writes no signals; the settlement sweep, which is
   * platform-wide, is not run. 404 when unknown or archived, 403 for a
   * platform-scope expectation (that needs the admin key).
   */
  async evaluateForTenant(id: string, tenantId: string, trigger: 'api' | 'reverify' = 'api'): Promise<TenantEvaluation> {
    const { db, clock, logger } = this.deps;
    const def = this.#defs.get(id);
    const row = await findExpectation(db, id);
    if (!def || !row || row.archived_at) throw new AppError('not_found', `no expectation ${id}`);
    if (def.scope !== 'forEachTenant') throw new AppError('forbidden', `expectation ${id} is evaluated for the platform as a whole: that needs the admin key`);
    const asOf = clock.now();
    const outage = await this.#outage(id, def, asOf, 'api');
    const started = performance.now();
    let evaluation: Evaluation;
    let error: string | null = null;
    try {
      evaluation = evaluationForTenant(def, await evaluateKind(def, { db, asOf }, row.created_at, outage), tenantId);
    } catch (err) {
      error = (err as Error)?.message ?? String(err);
      logger.error({ err, expectation: id, tenantId }, 'expectation evaluation for a tenant failed');
      this.#errors.add(1, { expectation: id, stage: 'evaluate' });
      evaluation = { outcome: 'error', observed: null, failingCount: 0, sample: [], byTenant: {}, windowStart: null, windowEnd: null, targets: [], unverifiedTenants: [] };
    }
    const durationMs = Math.round(performance.now() - started);
    this.#evaluations.add(1, { expectation: id, outcome: evaluation.outcome });
    const result: TenantEvaluation = {
      tenantId,
      evaluatedAt: asOf,
      outcome: evaluation.outcome,
      observed: evaluation.observed,
      failingCount: evaluation.failingCount,
      sample: evaluation.sample,
      windowStart: evaluation.windowStart,
      windowEnd: evaluation.windowEnd,
      durationMs,
      trigger,
      error,
      repaired: null,
    };
    if (evaluation.outcome !== 'fail' || def.remediation !== 'invoice-run' || trigger === 'reverify') return result;
    const outcome = await runRemediation(def, evaluation, asOf, this.deps.remediation).catch((err: Error) => {
      logger.error({ err, expectation: id, tenantId }, 'remediation for a tenant failed');
      this.#errors.add(1, { expectation: id, stage: 'remediate' });
      return { repaired: 0, failed: 1, skipped: 0, details: { error: err.message } };
    });
    logger.info({ expectation: id, tenantId, repaired: outcome.repaired, failed: outcome.failed, skipped: outcome.skipped }, 'remediation for one tenant finished');
    return { ...(await this.evaluateForTenant(id, tenantId, 'reverify')), repaired: outcome.repaired };
  }

  /** Our own outage, if evaluation resumes after a gap (or resumed recently). */
  async #outage(id: string, def: ExpectationDefinition, asOf: Date, trigger: Trigger): Promise<Outage | null> {
    const state = await findState(this.deps.db, id);
    if (!state) return null;
    const last = state.last_evaluated_at;
    if (trigger === 'schedule' && last && asOf.getTime() - last.getTime() > 2 * intervalMs(def) + this.deps.outageThresholdMs) {
      this.deps.logger.warn({ expectation: id, gapStart: last.toISOString(), resumedAt: asOf.toISOString() }, 'expectation evaluation resumed after a gap; slots in the gap get a fresh grace');
      return { gapStart: last, resumedAt: asOf };
    }
    if (state.resumed_at && state.gap_start && asOf.getTime() - state.resumed_at.getTime() < OUTAGE_MEMORY_MS) return { gapStart: state.gap_start, resumedAt: state.resumed_at };
    return null;
  }

  #applyThresholds(
    def: ExpectationDefinition,
    state: Awaited<ReturnType<typeof ensureState>>,
    e: Evaluation,
    result: ResultRow,
    summary: string,
    likelyCause: string | null,
    slugs: Map<string, string>,
    now: Date,
    window: Date | undefined,
  ): SignalDraft | undefined {
    if (e.outcome === 'fail') {
      state.consecutive_failures += 1;
      state.consecutive_passes = 0;
    } else if (e.outcome === 'pass' || e.outcome === 'warn') {
      state.consecutive_passes += 1;
      state.consecutive_failures = 0;
      state.silence_note = '';
    } else return undefined; // unknown and error judge nothing
    if (window) {
      // A maintenance window holds a passing expectation: failures inside it flip nothing and do
      // not count after it, so the threshold starts afresh when the window ends. Recovery is news
      // an operator wants, so a failing expectation may still recover inside a window.
      state.silenced_until = window;
      if (state.status === 'passing') {
        state.consecutive_failures = 0;
        return undefined;
      }
    } else if (state.silenced_until) {
      // No window holds it now: it ended on time, or was completed early (then it ended by now).
      const ended = now < state.silenced_until ? now : state.silenced_until;
      if (e.outcome === 'fail') state.silence_note = afterSilenceNote('maintenance window', ended);
      state.silenced_until = null;
    }
    const tenants = Object.keys(e.byTenant).filter((t) => t !== 'platform');
    const base = {
      source: `expectation:${def.id}`,
      tenantId: tenants.length === 1 ? tenants[0]! : null,
      component: def.component ?? null,
      severity: def.severity ?? 'major',
    };
    if (state.status === 'passing' && state.consecutive_failures >= (def.failureThreshold ?? 1)) {
      state.status = 'failing';
      state.failing_since = now;
      const note = state.silence_note;
      state.silence_note = '';
      return {
        ...base,
        kind: 'failing',
        summary: note ? `${summary} (${note})` : summary,
        likelyCause,
        evidence: {
          ...(note && { after_silence: note }),
          result_id: result.id.toString(),
          observed: e.observed?.toString() ?? null,
          failing_count: e.failingCount,
          tenants: tenants.map((t) => ({ id: t, slug: slugs.get(t) ?? null, count: e.byTenant[t] })),
          slots: e.targets.map((t) => ({ tenant: t.slug, tz: t.tz, slots: t.slots.map((s) => s.toISOString()) })),
          sample: e.sample,
        },
      };
    }
    if (state.status === 'failing' && state.consecutive_passes >= (def.recoveryThreshold ?? 1)) {
      const since = state.failing_since;
      state.status = 'passing';
      state.failing_since = null;
      const minutes = since ? Math.round((now.getTime() - since.getTime()) / 60_000) : null;
      return {
        ...base,
        kind: 'recovered',
        summary: `${def.title}: passing again${minutes !== null ? ` after ${minutes} min` : ''}`,
        likelyCause: null,
        evidence: { result_id: result.id.toString(), failing_since: since?.toISOString() ?? null, duration_s: since ? Math.round((now.getTime() - since.getTime()) / 1000) : null },
      };
    }
    return undefined;
  }

  async #remediate(def: ExpectationDefinition, e: Evaluation, asOf: Date): Promise<void> {
    const { db, clock, logger } = this.deps;
    const base = { source: `expectation:${def.id}`, tenantId: null, component: def.component ?? null, severity: def.severity ?? 'major', likelyCause: null };
    await recordSignal(db, { ...base, kind: 'update', summary: `Remediation started: ${def.remediation} for ${e.targets.length || 'the failing'} tenant(s)`, evidence: { phase: 'started', remediation: def.remediation } }, clock.now());
    const outcome = await runRemediation(def, e, asOf, this.deps.remediation).catch((err: Error) => {
      logger.error({ err, expectation: def.id }, 'remediation failed');
      this.#errors.add(1, { expectation: def.id, stage: 'remediate' });
      return { repaired: 0, failed: 1, skipped: 0, details: { error: err.message } };
    });
    await recordSignal(
      db,
      { ...base, kind: 'update', summary: `Remediation finished: ${outcome.repaired} ${def.unit ?? 'records'} repaired${outcome.failed ? `, ${outcome.failed} attempts failed` : ''}`, evidence: { phase: 'finished', ...outcome } },
      clock.now(),
    );
  }

  async #slugs(ids: string[]): Promise<Map<string, string>> {
    const uuids = ids.filter((i) => /^[0-9a-f-]{36}$/.test(i));
    if (uuids.length === 0) return new Map();
    const rows = await this.deps.db.selectFrom('tenants').select(['id', 'slug']).where('id', 'in', uuids).execute();
    return new Map(rows.map((r) => [r.id, r.slug]));
  }

  /** A related job whose heartbeat is down for a failing tenant: the likely cause. */
  async #likelyCause(def: ExpectationDefinition, tenantIds: string[]): Promise<string | null> {
    if (!def.relatedJob) return null;
    const slugs = await this.#slugs(tenantIds);
    const keys = tenantIds.length ? [...slugs.values()].map((s) => def.relatedJob!.replace('{tenant}', s)) : [def.relatedJob];
    if (keys.length === 0) return null;
    const down = await this.deps.db
      .selectFrom('jobs')
      .innerJoin('checks', 'checks.id', 'jobs.check_id')
      .select(['jobs.key', 'checks.last_ping'])
      .where('jobs.key', 'in', keys)
      .where('checks.status', '=', 'down')
      .orderBy('jobs.key')
      .execute();
    if (down.length === 0) return null;
    const list = down.slice(0, 5).map((d) => `${d.key} (last ping ${d.last_ping?.toISOString() ?? 'never'})`);
    return `heartbeat down for ${list.join(', ')}${down.length > 5 ? ` and ${down.length - 5} more` : ''}`;
  }
}
