import type { Meter } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { checkSchema, type MigrationList, type SchemaStatus } from './migrate.js';

/**
 * Keeps answering one question: does the database schema match this code
 * exactly? Time-driven work may only run while it does (a half-applied
 * upgrade once silently stopped invoice generation). While it does not, the
 * guard logs an error every interval, `overdue_schema_ok` reads 0 and
 * /readyz reports the reason. It re-checks, so applying the migrations from
 * another shell (or a newer instance migrating past us) is noticed.
 */
export class SchemaGuard {
  #status: SchemaStatus = { ok: false, applied: [], pending: [], unknown: [], reason: 'schema not checked yet' };
  #listeners: ((status: SchemaStatus) => void | Promise<void>)[] = [];
  #checkListeners: ((status: SchemaStatus) => void)[] = [];
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      db: Kysely<any>;
      migrations: MigrationList;
      clock: Clock;
      logger: Logger;
      meter: Meter;
      intervalMs: number;
    },
  ) {
    deps.meter
      .createObservableGauge('overdue_schema_ok', {
        description: '1 when the database schema matches the code exactly, else 0',
      })
      .addCallback((result) => result.observe(this.#status.ok ? 1 : 0));
  }

  get status(): SchemaStatus {
    return this.#status;
  }

  /** Called with the new status whenever `ok` changes. */
  onChange(listener: (status: SchemaStatus) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }

  /** Called with the status after every check (e.g. to report a tripped guard outside). */
  onCheck(listener: (status: SchemaStatus) => void): void {
    this.#checkListeners.push(listener);
  }

  async check(): Promise<SchemaStatus> {
    let next: SchemaStatus;
    try {
      next = await checkSchema(this.deps.db, this.deps.migrations);
    } catch (err) {
      // Cannot read the schema (database down): keep the last verdict; /readyz
      // reports the database separately.
      this.deps.logger.error({ err }, 'schema check failed; keeping the previous verdict');
      return this.#status;
    }
    const changed = next.ok !== this.#status.ok;
    this.#status = next;
    if (!next.ok) {
      this.deps.logger.error(
        { pending: next.pending, unknown: next.unknown },
        `schema guard: ${next.reason}; background work is stopped until the schema matches`,
      );
    } else if (changed) {
      this.deps.logger.info({ applied: next.applied.length }, 'schema guard: schema matches the code');
    }
    for (const listener of this.#checkListeners) listener(next);
    if (changed) {
      for (const listener of this.#listeners) {
        try {
          await listener(next);
        } catch (err) {
          this.deps.logger.error({ err }, 'schema guard listener failed');
        }
      }
    }
    return next;
  }

  /** Re-checks every interval until stopped. */
  start(): void {
    if (this.#loop) return;
    const signal = this.#stop.signal;
    this.#loop = (async () => {
      while (!signal.aborted) {
        try {
          await this.deps.clock.sleep(this.deps.intervalMs, signal);
        } catch {
          return; // aborted
        }
        await this.check();
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop.abort(new Error('schema guard stopped'));
    await this.#loop;
  }
}
