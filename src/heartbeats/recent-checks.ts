import type { CheckRow } from './store.js';
import type { CheckState } from './transitions.js';

export interface KnownCheck {
  /** Settings and owner as read (a ping never changes them). */
  row: CheckRow;
  /** The row version (`xmin`) `state` belongs to. */
  rowVersion: string;
  state: CheckState;
}

/**
 * The checks the ping intake read or wrote most recently, so a busy check's
 * next batch needs no read. Never trusted blindly: every write is guarded by
 * the row version, so an entry that another writer (another instance, the
 * deadline evaluator, the API) made stale only costs that batch a re-read.
 * Bounded; the least recently written entries go first.
 */
export class RecentChecks {
  readonly #entries = new Map<string, KnownCheck>();

  constructor(private readonly capacity: number) {}

  get(id: string): KnownCheck | undefined {
    return this.#entries.get(id);
  }

  set(id: string, entry: KnownCheck): void {
    this.#entries.delete(id); // re-inserted at the end: Map order is the eviction order
    this.#entries.set(id, entry);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}
