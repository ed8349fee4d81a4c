/**
 * Rate limit for error logs, per kind of error: while the database is down,
 * thousands of requests and ticks fail the same way, and a line with a stack
 * trace for each (7.5 MB in 4 s, measured) buries everything else. The first
 * occurrence of a kind is logged in full; repeats within `intervalMs` are
 * counted, and one line with the count (no stack) closes each interval that
 * had repeats. A kind that stays quiet for a whole interval starts afresh.
 *
 * A kind is the log message, the error's code (or, without one, its name and
 * message) and the loop or job it came from, so different failures never
 * hide each other.
 */
export interface RateLimitedEntry {
  msg: string;
  obj: Record<string, unknown>;
}

interface Window {
  repeats: number;
  last: Record<string, unknown>;
  timer: NodeJS.Timeout;
}

/** Kinds tracked at once; beyond this, entries pass unlimited rather than grow memory. */
const MAX_KINDS = 1000;

export class LogRateLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly intervalMs: number,
    /** Writes the summary line of an interval with repeats. */
    private readonly emitSummary: (level: number, obj: Record<string, unknown>, msg: string) => void,
  ) {}

  /** True when the entry should be written now; false when it was counted as a repeat. */
  admit(level: number, obj: Record<string, unknown>, msg: string): boolean {
    if (this.intervalMs <= 0 || !obj || typeof obj !== 'object' || !('err' in obj)) return true;
    const key = kindOf(level, obj, msg);
    const open = this.#windows.get(key);
    if (open) {
      open.repeats++;
      open.last = obj;
      return false;
    }
    if (this.#windows.size >= MAX_KINDS) return true;
    this.#open(key, level, msg);
    return true;
  }

  #open(key: string, level: number, msg: string): void {
    const window: Window = { repeats: 0, last: {}, timer: undefined as unknown as NodeJS.Timeout };
    // Real time on purpose: this paces log output, not domain time.
    window.timer = setTimeout(() => {
      if (window.repeats === 0) {
        this.#windows.delete(key);
        return;
      }
      const err = window.last.err as { message?: unknown; code?: unknown } | undefined;
      const { err: _dropped, ...context } = window.last;
      this.emitSummary(
        level,
        { ...context, repeated: window.repeats, interval_s: this.intervalMs / 1000, error: { message: err?.message, code: err?.code } },
        `${msg} (${window.repeats} more in the last ${this.intervalMs / 1000} s)`,
      );
      window.repeats = 0;
      window.timer.refresh();
    }, this.intervalMs);
    window.timer.unref();
    this.#windows.set(key, window);
  }
}

function kindOf(level: number, obj: Record<string, unknown>, msg: string): string {
  // A code names a kind whatever the message says (ids, addresses); without one, the message does.
  const err = obj.err as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const kind = typeof err?.code === 'string' ? err.code : `${String(err?.name)}: ${String(err?.message).slice(0, 200)}`;
  return `${level}\u0000${msg}\u0000${kind}\u0000${String(obj.loop ?? '')}\u0000${String(obj.job ?? '')}`;
}
