import type { Counter, Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import { findSignal, listParkedSignals, lockUnprocessedSignal, newerSignalHandled, parkSignal, recordAlertEvent, setSignalRetry, unparkSignal, type SignalRow } from '../signals/index.js';

export interface RetryPolicy {
  /** Attempts before a signal is parked. */
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long (at most 5 min). */
  baseDelayMs: number;
}

/** When attempt `attempts` (1-based, just failed) is tried again. */
export function retryAt(policy: RetryPolicy, attempts: number, now: Date): Date {
  // At least a second: a zero delay would retry the poison signal hot within the same tick.
  return new Date(now.getTime() + Math.min(Math.max(1000, policy.baseDelayMs) * 2 ** (attempts - 1), 300_000));
}

/**
 * What the incident loop does with a signal whose handling threw (its
 * transaction rolled back): it is retried with backoff, and after
 * `maxAttempts` it is parked with its error, counted, logged and alerted to
 * the platform's channels. Parking marks it handled, so its source's later
 * signals proceed; other sources never wait for it (claims skip a source
 * whose oldest signal waits for its retry).
 */
export class SignalFailures {
  readonly #failures: Counter;
  readonly #parked: Counter;

  constructor(private readonly deps: { db: Kysely<Database>; logger: Logger; meter: Meter; policy: RetryPolicy }) {
    this.#failures = deps.meter.createCounter('overdue_signal_failures_total', { description: 'Signals the incident loop failed to handle (each attempt)' });
    this.#parked = deps.meter.createCounter('overdue_signals_parked_total', { description: 'Signals the incident loop gave up on after its retries' });
  }

  async record(signal: SignalRow, err: unknown, now: Date): Promise<void> {
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
    const kind = signal.source.split(':')[0]!;
    this.#failures.add(1, { source_kind: kind });
    await this.deps.db.transaction().execute(async (trx) => {
      const current = await lockUnprocessedSignal(trx, signal.id);
      if (!current) return; // handled or parked elsewhere meanwhile
      const attempts = current.attempts + 1;
      if (attempts < this.deps.policy.maxAttempts) {
        const at = retryAt(this.deps.policy, attempts, now);
        await setSignalRetry(trx, signal.id, { attempts, retryAt: at, error });
        this.deps.logger.error({ err, signal: String(signal.id), source: signal.source, attempts, retryAt: at.toISOString() }, 'signal handling failed; retrying later');
        return;
      }
      await parkSignal(trx, signal.id, { attempts, error }, now);
      await recordAlertEvent(
        trx,
        {
          tenantId: null,
          kind: 'signal.parked',
          severity: 'critical',
          title: `Signal ${signal.id} of ${signal.source} parked after ${attempts} failed attempts`,
          text: `The incident loop could not handle a ${signal.kind} signal of ${signal.source} (tenant ${signal.tenant_id ?? 'platform'}): ${error}. It is parked; other signals go on. List: GET /api/v1/signals?state=parked; retry: POST /api/v1/signals/${signal.id}/retry.`,
          details: { signal_id: String(signal.id), source: signal.source, tenant_id: signal.tenant_id, kind: signal.kind, attempts, error },
        },
        now,
      );
      this.#parked.add(1, { source_kind: kind });
      this.deps.logger.error({ err, signal: String(signal.id), source: signal.source, attempts }, 'signal parked after repeated failures');
    });
  }
}

/** A parked signal as the operator's API shows it (private: internal names are fine, the admin key only). */
export function parkedSignalJson(s: SignalRow) {
  return {
    id: s.id.toString(),
    source: s.source,
    kind: s.kind,
    tenant_id: s.tenant_id,
    severity: s.severity,
    summary: s.summary,
    created_at: s.created_at.toISOString(),
    attempts: s.attempts,
    last_error: s.last_error,
    parked_at: s.parked_at?.toISOString() ?? null,
  };
}

/** Parked signals, newest first, `limit` a page, below the cursor (a previous page's last id). */
export async function parkedSignals(db: Kysely<Database>, limit: number, before?: bigint): Promise<{ data: ReturnType<typeof parkedSignalJson>[]; next_cursor: string | null }> {
  const rows = await listParkedSignals(db, limit, before);
  return { data: rows.map(parkedSignalJson), next_cursor: rows.length === limit ? rows[rows.length - 1]!.id.toString() : null };
}

/**
 * Puts a parked signal back in its source's queue with fresh attempts (after
 * the cause was fixed). Refused (409) when a newer signal of its source was
 * handled since: replaying it would undo what came after; 404 when it is not
 * parked.
 */
export async function retryParkedSignal(db: Kysely<Database>, id: bigint): Promise<void> {
  const signal = await findSignal(db, id);
  if (!signal?.parked_at) throw new AppError('not_found', `no parked signal ${id}`);
  if (await newerSignalHandled(db, signal.source, id)) throw new AppError('invalid_state', `a newer signal of ${signal.source} was handled since; retrying this one would replay it out of order`);
  if (!(await unparkSignal(db, id))) throw new AppError('not_found', `no parked signal ${id}`);
}
