/** A small per-key limiter (per instance, in memory): at most `max` hits per window. */
export class RateLimit {
  readonly #hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  allow(key: string, now: number): boolean {
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.max) return false;
    recent.push(now);
    this.#hits.set(key, recent);
    // Bounded memory: a flood of distinct keys resets the limiter rather than growing it.
    if (this.#hits.size > 10_000) this.#hits.clear();
    return true;
  }
}
