import type { Counter, Histogram } from '@opentelemetry/api';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { recordSignals, type SignalDraft } from '../signals/index.js';
import { cronFor } from '../time/cron.js';
import { flipSignal, type FlippedCheck } from './flip-signals.js';
import type { MaintenanceWindows } from '../signals/index.js';
import { RecentChecks, type KnownCheck } from './recent-checks.js';
import { commitPingBatch, readChecks, recentDurations, rowToState, type PingRecord } from './store.js';
import type { PingKind } from './table.js';
import { applyPing, holdForSilence, type CheckState, type FlipDraft } from './transitions.js';
import { resolvePingKind, type UrlAction } from './ping-rules.js';
import type { ServiceDeps } from '../service-deps.js';

export interface IncomingPing {
  checkId: string;
  action: UrlAction;
  exitStatus: number | null;
  method: string;
  scheme: string;
  remoteAddr: string | null;
  ua: string;
  body: Uint8Array | null;
  rid: string | null;
  scheduledFor: Date | null;
}

export type PingOutcome = 'ok' | 'not_found' | 'invalid_scheduled_for';

/** A ping the intake could not store; already logged and counted by the intake. */
export class PingNotStoredError extends Error {
  override name = 'PingNotStoredError';
  constructor(cause: unknown) {
    super(`ping not stored: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

interface Pending {
  ping: IncomingPing;
  receivedAt: Date;
  resolve: (outcome: PingOutcome) => void;
  reject: (err: Error) => void;
}

export interface IntakeOptions {
  /** Longest a ping waits for companions before its batch commits. */
  maxWaitMs: number;
  maxBatch: number;
  /** Batches committing at once (1 on PGlite, which is one session). */
  concurrency: number;
}

/** Checks whose last written row the intake keeps, so busy checks' batches skip the read (about 1 KB each). */
const REMEMBERED_CHECKS = 10_000;

/** Closed runs a down alert's usual range is drawn from. */
export const USUAL_RUNS = 50;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Group commit for pings. A ping is acknowledged only after the statement
 * holding its row and its check's new state has committed; pings arriving
 * within a few milliseconds share one atomic write (one fsync), whatever
 * their number, and a read only for checks the intake has not seen recently.
 * When nothing is committing a ping's batch starts at once; otherwise pings
 * gather for at most `maxWaitMs` or until a commit finishes. A batch that fails is retried ping by
 * ping, so one bad ping cannot fail its neighbours; if the database is
 * unreachable, the batch's pings are rejected at once and answered 503.
 */
export class PingIntake {
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #idle: (() => void)[] = [];
  readonly #batches: Histogram;
  readonly #failures: Counter;
  readonly #conflicts: Counter;
  readonly #known: RecentChecks;

  constructor(
    private readonly deps: ServiceDeps & {
      options: IntakeOptions;
      /** Told the earliest deadline a batch set, so the alert loop can wake for it. */
      onDeadline?: (at: Date) => void;
      /** Maintenance windows, asked only when a ping would take a check down. */
      maintenance?: MaintenanceWindows;
    },
  ) {
    this.#batches = deps.meter.createHistogram('overdue_ping_batch_size', { description: 'Pings committed per transaction' });
    this.#failures = deps.meter.createCounter('overdue_ping_commit_failures_total', { description: 'Ping batches that failed to commit' });
    this.#known = new RecentChecks(REMEMBERED_CHECKS);
    this.#conflicts = deps.meter.createCounter('overdue_ping_commit_conflicts_total', { description: 'Ping batches partly recomputed because another batch changed a check first' });
  }

  submit(ping: IncomingPing): Promise<PingOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ping, receivedAt: this.deps.clock.now(), resolve, reject });
      if (this.#queue.length >= this.deps.options.maxBatch || this.#inFlight === 0) this.#flush();
      // Real time on purpose: the batching window is about I/O, not domain time.
      else this.#timer ??= setTimeout(() => this.#flush(), this.deps.options.maxWaitMs);
    });
  }

  /** Whether a check was pinged recently (a hint: a deleted check may still be remembered). */
  knows(checkId: string): boolean {
    return this.#known.get(checkId) !== undefined;
  }

  /** Resolves when nothing is queued or committing. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.#idle.push(r));
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0 && this.#inFlight < this.deps.options.concurrency) {
      const batch = this.#queue.splice(0, this.deps.options.maxBatch);
      this.#inFlight++;
      void this.#commit(batch).finally(() => {
        this.#inFlight--;
        if (this.#queue.length > 0) this.#flush();
        else if (this.#inFlight === 0) for (const r of this.#idle.splice(0)) r();
      });
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const settled = new Set<Pending>();
    try {
      await this.#apply(batch, settled);
      this.#batches.record(batch.length);
    } catch (err) {
      this.#failures.add(1);
      // Rounds that committed before the failure have answered their pings; only the rest
      // failed. Retrying or refusing a ping that was stored would store it twice.
      const left = batch.filter((p) => !settled.has(p));
      if (isDatabaseUnavailable(err)) {
        // Retrying ping by ping cannot help while the database is away: answer them all 503 now.
        this.deps.logger.error({ err, size: left.length, reason: 'database unavailable' }, 'ping could not be stored');
        for (const p of left) p.reject(new PingNotStoredError(err));
        return;
      }
      if (left.length === 1) {
        this.deps.logger.error({ err, checkId: left[0]!.ping.checkId }, 'ping could not be stored');
        left[0]!.reject(new PingNotStoredError(err));
        return;
      }
      this.deps.logger.warn({ err, size: left.length }, 'ping batch failed; retrying its pings one by one');
      for (const p of left) await this.#commit([p]);
    }
  }

  /**
   * Computes the batch against the checks as read (no locks held), then writes
   * it in one statement guarded by each check's version; pings of checks that
   * another batch changed meanwhile are recomputed and written again. Each
   * ping is answered (and added to `settled`) as soon as the round that wrote
   * it has committed, so a later round's failure cannot disown it.
   */
  async #apply(batch: Pending[], settled: Set<Pending>): Promise<void> {
    const answer = (p: Pending, outcome: PingOutcome) => {
      settled.add(p);
      p.resolve(outcome);
    };
    let todo = batch;
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (attempt === 10) throw new Error(`ping commit kept conflicting for ${todo.length} pings`);
      const detectedAt = this.deps.clock.now();
      const byId = new Map<string, KnownCheck & { changed: boolean }>();
      const unknown = new Set<string>();
      for (const { ping } of todo) {
        if (byId.has(ping.checkId)) continue;
        const known = this.#known.get(ping.checkId);
        if (known) byId.set(ping.checkId, { ...known, changed: false });
        else unknown.add(ping.checkId);
      }
      for (const row of await readChecks(this.deps.db, [...unknown])) {
        byId.set(row.id, { row, rowVersion: row.row_version, state: rowToState(row), changed: false });
      }
      const pings: PingRecord[] = [];
      const flips: { checkId: string; tenantId: string | null; flip: FlipDraft }[] = [];
      const signals: { checkId: string; check: FlippedCheck; flip: FlipDraft }[] = [];
      const waiting: typeof todo = [];
      for (const item of todo) {
        const { ping, receivedAt } = item;
        const entry = byId.get(ping.checkId);
        if (!entry) {
          answer(item, 'not_found');
          continue;
        }
        if (ping.scheduledFor && !validSlot(entry.state, ping.scheduledFor, receivedAt)) {
          answer(item, 'invalid_scheduled_for');
          continue;
        }
        const bodyText = ping.body ? decoder.decode(ping.body) : '';
        const settings = {
          methods: entry.row.methods,
          filterHttpBody: entry.row.filter_http_body,
          filterDefaultFail: entry.row.filter_default_fail,
          startKw: entry.row.start_kw,
          successKw: entry.row.success_kw,
          failureKw: entry.row.failure_kw,
        };
        const wanted: PingKind = resolvePingKind(settings, ping.action, ping.method, bodyText);
        const applied = applyPing(entry.state, { kind: wanted, rid: ping.rid, scheduledFor: ping.scheduledFor, bodyText }, receivedAt);
        if (applied.flip?.newStatus === 'down' && this.deps.maintenance) {
          // Rare (a check going down), so the lookup does not slow the common ping.
          const until = (await this.deps.maintenance(this.deps.db, [{ source: `check:${ping.checkId}`, owner: entry.row.tenant_id }], receivedAt)).get(`check:${ping.checkId}`);
          if (until) {
            applied.state = holdForSilence(entry.state, applied.state, until);
            delete applied.flip;
          }
        }
        entry.state = applied.state;
        entry.changed = true;
        pings.push({
          checkId: ping.checkId,
          n: applied.state.nPings,
          created: receivedAt,
          kind: applied.kind,
          scheme: ping.scheme,
          remoteAddr: ping.remoteAddr,
          method: ping.method,
          ua: ping.ua,
          body: ping.body,
          exitStatus: ping.exitStatus,
          rid: ping.rid,
          scheduledFor: ping.scheduledFor,
          durationMs: applied.durationMs,
        });
        if (applied.flip) {
          flips.push({ checkId: ping.checkId, tenantId: entry.row.tenant_id, flip: applied.flip });
          const { id, tenant_id: tenantId, name, slug, tags } = entry.row;
          const lastDurationMs = applied.durationMs === null ? null : Number(applied.durationMs);
          signals.push({ checkId: ping.checkId, check: { id, tenantId, name, slug, tags, lastPing: receivedAt, body: bodyText, lastDurationMs }, flip: applied.flip });
        }
        waiting.push(item);
      }
      const changed = [...byId.values()].filter((e) => e.changed);
      const rows = { checks: changed.map((e) => ({ id: e.row.id, rowVersion: e.rowVersion, state: e.state })), pings, flips };
      // Flips are rare: only a batch with a flip to announce pays for a transaction, so that its
      // signals commit with it (or not at all, when another writer won the check).
      const written =
        signals.length === 0
          ? await commitPingBatch(this.deps.db, rows, detectedAt)
          : await this.deps.db.transaction().execute(async (trx) => {
              // The usual range is of the runs before this batch, not counting the run being reported.
              const usual = await recentDurations(trx, signals.filter((s) => s.flip.newStatus === 'down').map((s) => s.checkId), USUAL_RUNS);
              const won = await commitPingBatch(trx, rows, detectedAt);
              const kept = signals.filter((s) => won.has(s.checkId));
              const drafts: SignalDraft[] = kept.flatMap((s) => flipSignal({ ...s.check, recentDurationsMs: usual.get(s.checkId) ?? [] }, s.flip) ?? []);
              await recordSignals(trx, drafts, detectedAt);
              return won;
            });
      let earliest: Date | undefined;
      for (const e of changed) {
        const rowVersion = written.get(e.row.id);
        if (rowVersion === undefined) {
          this.#known.forget(e.row.id); // someone else changed it: read it afresh
          continue;
        }
        this.#known.set(e.row.id, { row: e.row, rowVersion, state: e.state });
        if (e.state.alertAfter && (!earliest || e.state.alertAfter < earliest)) earliest = e.state.alertAfter;
      }
      if (earliest) this.deps.onDeadline?.(earliest);
      todo = [];
      for (const item of waiting) {
        if (written.has(item.ping.checkId)) answer(item, 'ok');
        else todo.push(item);
      }
      if (todo.length > 0) this.#conflicts.add(1);
    }
  }
}

/** `scheduled_for` must be a fire time of a cron check's schedule, no later than now + grace. */
function validSlot(state: CheckState, at: Date, now: Date): boolean {
  if (at.getTime() > now.getTime() + state.graceS * 1000) return false;
  if (state.kind !== 'cron') return true;
  return cronFor(state.schedule, state.tz).fires(at);
}
