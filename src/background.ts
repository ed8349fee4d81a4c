import type { Counter, Meter } from '@opentelemetry/api';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** A piece of time-driven work: the scheduler, alerting, outbox workers… */
export interface LoopSpec {
  name: string;
  /** Pause between ticks. */
  intervalMs: number;
  /**
   * One unit of work. Throwing is logged, counted and backed off, never fatal.
   * May return how long to sleep before the next tick (capped at `intervalMs`).
   */
  tick(signal: AbortSignal): Promise<void | number>;
  /** How long without a finished tick before /readyz calls the loop stalled; default 3 × interval + 30 s. */
  stallAfterMs?: number;
}

interface RunningLoop {
  spec: LoopSpec;
  startedAt: number;
  lastTickAt: number | undefined;
  lastError: string | undefined;
  consecutiveFailures: number;
  done: Promise<void>;
  wake: AbortController;
}

/**
 * Runs every background loop, all or none: they start only while the schema
 * guard says the schema matches, and stop when it stops matching. A loop never
 * dies and never goes quiet: each failure is logged with the loop's name,
 * counted in `overdue_background_errors_total`, and retried after a growing
 * delay; a loop whose tick stops finishing shows up in /readyz as stalled.
 */
export class BackgroundWork {
  readonly #specs: LoopSpec[] = [];
  #running: RunningLoop[] = [];
  #abort: AbortController | undefined;
  readonly #errors: Counter;

  constructor(private readonly deps: { clock: Clock; logger: Logger; meter: Meter; stopTimeoutMs: number }) {
    this.#errors = deps.meter.createCounter('overdue_background_errors_total', {
      description: 'Failed ticks of background loops, by loop',
    });
  }

  register(spec: LoopSpec): void {
    if (this.#specs.some((s) => s.name === spec.name)) throw new Error(`background loop ${spec.name} registered twice`);
    this.#specs.push(spec);
    if (this.#abort) this.#launch(spec, this.#abort.signal);
  }

  get running(): boolean {
    return this.#abort !== undefined;
  }

  get loopNames(): string[] {
    return this.#specs.map((s) => s.name);
  }

  start(): void {
    if (this.#abort) return;
    this.#abort = new AbortController();
    for (const spec of this.#specs) this.#launch(spec, this.#abort.signal);
    this.deps.logger.info({ loops: this.loopNames }, 'background work started');
  }

  async stop(): Promise<void> {
    const abort = this.#abort;
    if (!abort) return;
    this.#abort = undefined;
    abort.abort(new Error('background work stopping'));
    const pending = new Set(this.#running.map((l) => l.spec.name));
    const all = Promise.allSettled(this.#running.map((l) => l.done.finally(() => pending.delete(l.spec.name))));
    // A tick that ignores its abort signal must not hold shutdown hostage.
    // Real time on purpose: this bounds a wait on work, not domain time.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.deps.stopTimeoutMs)));
    const outcome = await Promise.race([all, deadline]);
    clearTimeout(timer);
    this.#running = [];
    if (outcome === 'timeout') {
      this.deps.logger.error({ loops: [...pending] }, 'background loops did not stop in time; abandoning them');
    } else {
      this.deps.logger.info('background work stopped');
    }
  }

  /** Ends the named loop's current sleep so it ticks now (e.g. a deadline moved earlier). */
  wake(name: string): void {
    for (const loop of this.#running) if (loop.spec.name === name) loop.wake.abort();
  }

  /** What is wrong with the loops right now, for /readyz. */
  problems(): string[] {
    const now = this.deps.clock.now().getTime();
    const out: string[] = [];
    for (const loop of this.#running) {
      const stallAfter = loop.spec.stallAfterMs ?? loop.spec.intervalMs * 3 + 30_000;
      const since = loop.lastTickAt ?? loop.startedAt;
      if (now - since > stallAfter) {
        out.push(
          `background loop ${loop.spec.name} stalled: no finished tick for ${Math.round((now - since) / 1000)} s` +
            (loop.lastError ? ` (last error: ${loop.lastError})` : ''),
        );
      }
    }
    return out;
  }

  #launch(spec: LoopSpec, signal: AbortSignal): void {
    const loop: RunningLoop = {
      spec,
      startedAt: this.deps.clock.now().getTime(),
      lastTickAt: undefined,
      lastError: undefined,
      consecutiveFailures: 0,
      done: Promise.resolve(),
      wake: new AbortController(),
    };
    loop.done = this.#run(loop, signal);
    this.#running.push(loop);
  }

  async #run(loop: RunningLoop, signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.deps;
    while (!signal.aborted) {
      let requested: number | undefined;
      try {
        const delay = await loop.spec.tick(signal);
        if (typeof delay === 'number') requested = Math.max(0, Math.min(delay, loop.spec.intervalMs));
        loop.lastTickAt = clock.now().getTime();
        loop.lastError = undefined;
        loop.consecutiveFailures = 0;
      } catch (err) {
        if (signal.aborted) return;
        loop.consecutiveFailures++;
        loop.lastError = (err as Error)?.message ?? String(err);
        this.#errors.add(1, { loop: loop.spec.name });
        logger.error({ err, loop: loop.spec.name, failures: loop.consecutiveFailures }, 'background loop tick failed');
      }
      // Back off after failures so a persistent fault is not retried hot.
      const delay =
        loop.consecutiveFailures === 0
          ? (requested ?? loop.spec.intervalMs)
          : Math.min(loop.spec.intervalMs * 2 ** loop.consecutiveFailures, Math.max(60_000, loop.spec.intervalMs));
      if (loop.wake.signal.aborted && loop.consecutiveFailures === 0) {
        loop.wake = new AbortController(); // woken while ticking: tick again at once
        continue;
      }
      try {
        await clock.sleep(delay, AbortSignal.any([signal, loop.wake.signal]));
      } catch {
        if (signal.aborted) return; // stopping
        loop.wake = new AbortController(); // woken early: tick now
      }
    }
  }
}
