import type { Clock } from '../../src/clock.js';

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that only moves when a test says so. `advance` wakes sleepers in
 * wake-time order and yields to the event loop between them, so work that a
 * sleeper starts can run (and schedule its next sleep) before later sleepers wake.
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      // Like the system clock: a sleeper that wakes drops its abort listener (a loop sleeping on one signal must not pile them up).
      const sleeper: Sleeper = {
        wakeAt: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get pendingSleepers(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward by `ms`, waking every sleeper due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const due = this.#sleepers
        .filter((s) => s.wakeAt <= target)
        .sort((a, b) => a.wakeAt - b.wakeAt)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.wakeAt);
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      due.resolve();
    }
    this.#now = target;
    await settle();
  }

  /**
   * Moves straight to `to`, waking each sleeper that is due there once, as if
   * the process had been suspended. Use when a test needs another date, not
   * every tick in between.
   */
  async jump(to: Date | string): Promise<void> {
    this.#now = new Date(to).getTime();
    const due = this.#sleepers.filter((s) => s.wakeAt <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.wakeAt > this.#now);
    for (const s of due) s.resolve();
    await settle();
  }

  async set(to: Date | string): Promise<void> {
    await this.advance(new Date(to).getTime() - this.#now);
  }
}

/** Lets promise chains and I/O callbacks that are already due run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
