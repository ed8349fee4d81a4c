import type { Logger } from './logger.js';

/**
 * Release steps, run last-in-first-out. `release()` is idempotent, keeps going
 * past a failing step, and rethrows the first error at the end.
 */
export class Releasers {
  #steps: { name: string; run: () => Promise<void> | void }[] = [];
  #released: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(name: string, run: () => Promise<void> | void): void {
    this.#steps.push({ name, run });
  }

  release(): Promise<void> {
    this.#released ??= (async () => {
      let first: unknown;
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          this.logger.error({ err, step: step.name }, 'release step failed');
          first ??= err;
        }
      }
      if (first) throw first;
    })();
    return this.#released;
  }
}
