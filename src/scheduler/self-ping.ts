import type { Counter, Meter } from '@opentelemetry/api';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { redactUrl } from '../redact.js';

/**
 * Who watches the watcher: pings an outside healthchecks-compatible URL
 * (SELF_PING_URL) while Overdue's own work is healthy, and `/fail` with the
 * reason when it is not. Never blocks the caller; failures are logged and counted.
 */
export class SelfPing {
  #lastHealthy = Number.NEGATIVE_INFINITY;
  #lastFail = Number.NEGATIVE_INFINITY;
  readonly #errors: Counter;

  constructor(private readonly deps: { url: string | undefined; intervalMs: number; clock: Clock; logger: Logger; meter: Meter }) {
    this.#errors = deps.meter.createCounter('overdue_self_ping_errors_total');
  }

  /** A healthy tick: ping success, at most once per interval. */
  healthy(): void {
    const now = this.deps.clock.now().getTime();
    if (!this.deps.url || now - this.#lastHealthy < this.deps.intervalMs) return;
    this.#lastHealthy = now;
    this.#send(this.deps.url, undefined);
  }

  /** Something is wrong (e.g. the schema guard tripped): ping /fail with the reason, at most once per interval. */
  failing(reason: string): void {
    const now = this.deps.clock.now().getTime();
    if (!this.deps.url || now - this.#lastFail < this.deps.intervalMs) return;
    this.#lastFail = now;
    this.#lastHealthy = Number.NEGATIVE_INFINITY;
    this.#send(`${this.deps.url.replace(/\/+$/, '')}/fail`, reason);
  }

  #send(url: string, body: string | undefined): void {
    fetch(url, { method: 'POST', body: body ?? '', signal: AbortSignal.timeout(5000), redirect: 'manual' })
      .then((res) => {
        if (!res.ok) throw new Error(`answered ${res.status}`);
        return res.body?.cancel();
      })
      .catch((err) => {
        this.#errors.add(1);
        this.deps.logger.warn({ err: (err as Error).message, url: redactUrl(url) }, 'self-ping failed');
      });
  }
}
