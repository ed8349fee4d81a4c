import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { LoopSpec } from '../background.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { recordSignals } from '../signals/index.js';
import { flipSignal } from './flip-signals.js';
import { USUAL_RUNS } from './intake.js';
import type { MaintenanceWindows } from '../signals/index.js';
import { graceStart } from './status.js';
import {
  earliestDeadline,
  insertFlips,
  lastPingBodies,
  lockDueChecks,
  readServiceTime,
  rearmDeadlinesInGap,
  recentDurations,
  recordServiceTime,
  rowToState,
  saveEvaluatedStates,
} from './store.js';
import { evaluateDeadline, type CheckState, type FlipDraft } from './transitions.js';

export const ALERT_LOOP = 'heartbeats.alerts';
const LAST_TICK_KEY = 'heartbeats.alerts.last_tick';

export interface AlertOptions {
  /** Longest sleep between ticks, whatever the next deadline. */
  capMs: number;
  /** A gap in our own ticks longer than this means Overdue was away, not the jobs. */
  outageThresholdMs: number;
  batchSize: number;
}

/**
 * Flips overdue checks down at their deadline. Several instances may run it:
 * due rows are taken with SKIP LOCKED and written with a status guard, so each
 * check flips once. The flip is dated at the deadline, not at detection.
 */
export class AlertEvaluator {
  #plannedWake = Number.POSITIVE_INFINITY;
  /** Our own previous tick and last recorded tick (ms); undefined before the first. */
  #lastTickAt: number | undefined;
  #lastRecordedAt: number | undefined;
  readonly #flips: Counter;
  readonly #errors: Counter;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      clock: Clock;
      logger: Logger;
      meter: Meter;
      options: AlertOptions;
      wake: () => void;
      /** Windows that hold deadlines (incidents' maintenances); none when absent. */
      maintenance?: MaintenanceWindows;
    },
  ) {
    this.#flips = deps.meter.createCounter('overdue_heartbeat_flips_total', { description: 'Checks flipped down by the deadline evaluator' });
    this.#errors = deps.meter.createCounter('overdue_heartbeat_evaluation_errors_total');
  }

  loop(): LoopSpec {
    return { name: ALERT_LOOP, intervalMs: this.deps.options.capMs, tick: () => this.tick() };
  }

  /** A ping set a deadline; wake the loop if it would otherwise sleep past it. */
  deadlineMoved(at: Date): void {
    if (at.getTime() < this.#plannedWake) this.deps.wake();
  }

  /** One pass: re-arm after our own outage, flip what is due, note the tick; returns ms until the next deadline. */
  async tick(): Promise<number> {
    const { db, clock, logger, options } = this.deps;
    const now = clock.now();
    const t = now.getTime();
    // Only after a gap in our own ticks (or at start) can there be an outage to
    // account for; then the shared record says whether any instance was watching.
    if (this.#lastTickAt === undefined || t - this.#lastTickAt > options.outageThresholdMs) {
      const lastTick = await readServiceTime(db, LAST_TICK_KEY);
      if (lastTick && t - lastTick.getTime() > options.outageThresholdMs) {
        const rearmed = await rearmDeadlinesInGap(db, lastTick, now);
        logger.warn(
          { since: lastTick.toISOString(), gapSeconds: Math.round((t - lastTick.getTime()) / 1000), rearmed },
          'deadline evaluation was not running; deadlines that fell in the gap get a fresh grace period',
        );
      }
    }
    while ((await this.evaluateDue(now)) === options.batchSize) {
      // a full batch: there may be more due
    }
    // Recorded often enough that a restart can tell a real outage from a pause between ticks.
    const recordEvery = Math.min(5000, options.outageThresholdMs / 3);
    if (this.#lastRecordedAt === undefined || t - this.#lastRecordedAt >= recordEvery) {
      await recordServiceTime(db, LAST_TICK_KEY, now);
      this.#lastRecordedAt = t;
    }
    this.#lastTickAt = t;
    const next = await earliestDeadline(db);
    const delay = next ? Math.max(0, next.getTime() - clock.now().getTime()) : options.capMs;
    this.#plannedWake = clock.now().getTime() + Math.min(delay, options.capMs);
    return delay;
  }

  /** Evaluates one batch of due checks; returns how many were due. */
  async evaluateDue(now: Date): Promise<number> {
    const { db, logger, options } = this.deps;
    return db.transaction().execute(async (trx) => {
      const rows = await lockDueChecks(trx, now, options.batchSize);
      const held = (row: (typeof rows)[number]) => row.status !== 'paused' && row.status !== 'down';
      const windows = this.deps.maintenance ? await this.deps.maintenance(trx, rows.filter(held).map((r) => ({ source: `check:${r.id}`, owner: r.tenant_id })), now) : new Map<string, Date>();
      const writes: { id: string; seen: string; state: CheckState }[] = [];
      const flips = new Map<string, { checkId: string; tenantId: string | null; flip: FlipDraft }>();
      for (const row of rows) {
        try {
          const until = windows.get(`check:${row.id}`);
          const result = evaluateDeadline(rowToState(row), now, until && { until });
          writes.push({ id: row.id, seen: row.status, state: result.state });
          if (result.flip) flips.set(row.id, { checkId: row.id, tenantId: row.tenant_id, flip: result.flip });
        } catch (err) {
          // One bad check (say, a schedule that no longer parses) must not stop the loop:
          // push its deadline an hour out and carry on.
          this.#errors.add(1);
          logger.error({ err, checkId: row.id }, 'could not evaluate a check deadline; retrying in an hour');
          const state = rowToState(row);
          writes.push({ id: row.id, seen: row.status, state: { ...state, alertAfter: new Date(now.getTime() + 3_600_000) } });
        }
      }
      const written = await saveEvaluatedStates(trx, writes, now);
      const won = [...flips.values()].filter((f) => written.has(f.checkId));
      await insertFlips(trx, won, now);
      // Each flip's signal commits with it.
      const byId = new Map(rows.map((r) => [r.id, r]));
      const downIds = won.filter((f) => f.flip.newStatus === 'down').map((f) => f.checkId);
      const bodies = await lastPingBodies(trx, downIds);
      const usual = await recentDurations(trx, downIds, USUAL_RUNS);
      const signals = won.flatMap((f) => {
        const row = byId.get(f.checkId)!;
        const lastDurationMs = f.flip.runMs ?? (row.last_duration_ms === null ? null : Number(row.last_duration_ms));
        const check = {
          id: row.id,
          tenantId: row.tenant_id,
          name: row.name,
          slug: row.slug,
          tags: row.tags,
          lastPing: row.last_ping,
          // A run too slow was not expected at a time: it overran its bound.
          expectedAt: f.flip.reason === 'too_slow' ? null : graceStart(rowToState(row)),
          body: bodies.get(row.id) ?? null,
          lastDurationMs,
          recentDurationsMs: usual.get(row.id) ?? [],
        };
        const draft = flipSignal(check, f.flip);
        return draft ? [draft] : [];
      });
      await recordSignals(trx, signals, now);
      if (won.length > 0) {
        this.#flips.add(won.length);
        for (const f of won) {
          logger.info({ checkId: f.checkId, at: f.flip.at.toISOString(), detail: f.flip.detail || undefined }, 'check went down: deadline passed');
        }
      }
      return rows.length;
    });
  }
}
